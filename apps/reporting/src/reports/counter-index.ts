import type { CounterIncrement, CounterKey, CounterRow, CounterSums } from '@tthc/counting';
import type { ReportScope } from './scope';

/**
 * The in-memory index of the counter rows (pure; kept current by `CounterCache`). Rows are grouped
 * per (agency, field, procedure, channel) into a {@link Series} of date-sorted metric vectors
 * with lazily rebuilt prefix sums, so the sums of any period for one series cost two binary
 * searches, and a report costs O(series in scope × log rows) instead of a scan of every row.
 */

/** Slots of a metric vector: received split by channel (a series has one channel, a merged series several). */
export const M = {
  receivedOnline: 0,
  receivedInPerson: 1,
  receivedPostal: 2,
  early: 3,
  onTime: 4,
  late: 5,
  withdrawn: 6,
  overdue: 7,
  dueSameDay: 8,
} as const;
export const METRIC_SLOTS = 9;

const RECEIVED_SLOT: Record<CounterKey['channel'], number> = {
  online: M.receivedOnline,
  in_person: M.receivedInPerson,
  postal: M.receivedPostal,
};

/** A counter increment as a metric vector (received in the slot of `channel`). */
export function vectorOf(channel: CounterKey['channel'], inc: CounterIncrement): number[] {
  const vector = new Array<number>(METRIC_SLOTS).fill(0);
  vector[RECEIVED_SLOT[channel]] = inc.received ?? 0;
  vector[M.early] = inc.early ?? 0;
  vector[M.onTime] = inc.onTime ?? 0;
  vector[M.late] = inc.late ?? 0;
  vector[M.withdrawn] = inc.withdrawn ?? 0;
  vector[M.overdue] = inc.overdue ?? 0;
  vector[M.dueSameDay] = inc.dueSameDay ?? 0;
  return vector;
}

/** Index of the first date ≥ `date` (= how many dates are < `date`). */
export function lowerBound(dates: readonly string[], date: string): number {
  let low = 0;
  let high = dates.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if ((dates[mid] as string) < date) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** How many dates are ≤ `date`. */
export function upperBound(dates: readonly string[], date: string): number {
  let low = 0;
  let high = dates.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if ((dates[mid] as string) <= date) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** Date-sorted metric vectors of one counter series (or a merge of several). */
export class Series {
  readonly dates: string[] = [];
  /** Flat: METRIC_SLOTS numbers per date. */
  readonly values: number[] = [];
  private prefix: Float64Array | null = null;

  /** Adds a vector on `date` (inserting the date in order when it is new). */
  add(date: string, vector: readonly number[]): void {
    const last = this.dates[this.dates.length - 1];
    let index = last === undefined || date > last ? this.dates.length : lowerBound(this.dates, date);
    if (index === this.dates.length) {
      this.dates.push(date);
      for (let slot = 0; slot < METRIC_SLOTS; slot++) this.values.push(0);
    } else if (this.dates[index] !== date) {
      this.dates.splice(index, 0, date);
      this.values.splice(index * METRIC_SLOTS, 0, ...new Array<number>(METRIC_SLOTS).fill(0));
    }
    index *= METRIC_SLOTS;
    for (let slot = 0; slot < METRIC_SLOTS; slot++)
      this.values[index + slot] = (this.values[index + slot] as number) + (vector[slot] ?? 0);
    this.prefix = null;
  }

  /** Appends rows already in ascending date order (bulk building). */
  appendSorted(date: string, values: ArrayLike<number>, offset: number): void {
    this.dates.push(date);
    for (let slot = 0; slot < METRIC_SLOTS; slot++) this.values.push(values[offset + slot] ?? 0);
    this.prefix = null;
  }

  private prefixSums(): Float64Array {
    if (this.prefix !== null) return this.prefix;
    const prefix = new Float64Array((this.dates.length + 1) * METRIC_SLOTS);
    for (let row = 0; row < this.dates.length; row++) {
      const base = row * METRIC_SLOTS;
      for (let slot = 0; slot < METRIC_SLOTS; slot++)
        prefix[base + METRIC_SLOTS + slot] = (prefix[base + slot] as number) + (this.values[base + slot] as number);
    }
    this.prefix = prefix;
    return prefix;
  }

  /**
   * Adds this series' rows dated ≤ `upper` to the sums of the period starting at `from` —
   * exactly what `addCounter(sums, row, row, from, upper)` does row by row.
   */
  sumInto(sums: CounterSums, from: string, upper: string): void {
    const dates = this.dates;
    const j = upperBound(dates, upper);
    if (j === 0) return;
    const i = Math.min(lowerBound(dates, from), j);
    const p = this.prefixSums();
    const at = (row: number, slot: number) => p[row * METRIC_SLOTS + slot] as number;
    const span = (slot: number) => at(j, slot) - at(i, slot);
    sums.receivedBefore += at(i, M.receivedOnline) + at(i, M.receivedInPerson) + at(i, M.receivedPostal);
    sums.finishedBefore += at(i, M.early) + at(i, M.onTime) + at(i, M.late);
    sums.newByChannel.online += span(M.receivedOnline);
    sums.newByChannel.in_person += span(M.receivedInPerson);
    sums.newByChannel.postal += span(M.receivedPostal);
    sums.early += span(M.early);
    sums.onTime += span(M.onTime);
    sums.late += span(M.late);
    sums.withdrawn += span(M.withdrawn);
    sums.overdue += at(j, M.overdue);
    if (dates[j - 1] === upper) sums.dueOnLastDay += this.values[(j - 1) * METRIC_SLOTS + M.dueSameDay] as number;
  }

  /** One series holding the sum of every row dated ≤ `upper` of `series` (one pass; for timeseries). */
  static merge(series: readonly Series[], upper: string): Series {
    const byDate = new Map<string, Float64Array>();
    for (const one of series) {
      const end = upperBound(one.dates, upper);
      for (let row = 0; row < end; row++) {
        const date = one.dates[row] as string;
        let vector = byDate.get(date);
        if (vector === undefined) {
          vector = new Float64Array(METRIC_SLOTS);
          byDate.set(date, vector);
        }
        const base = row * METRIC_SLOTS;
        for (let slot = 0; slot < METRIC_SLOTS; slot++)
          vector[slot] = (vector[slot] as number) + (one.values[base + slot] as number);
      }
    }
    const merged = new Series();
    for (const date of [...byDate.keys()].sort()) merged.appendSorted(date, byDate.get(date) as Float64Array, 0);
    return merged;
  }
}

export interface SeriesDimensions {
  agency: string;
  /** Empty in an aggregate that sums over fields (likewise procedure and channel). */
  field: string;
  procedure: string;
  channel: CounterKey['channel'] | '';
}

export interface IndexedSeries {
  dimensions: SeriesDimensions;
  series: Series;
}

export interface CounterFilters {
  field?: string;
  procedure?: string;
  channel?: CounterKey['channel'];
}

/** A selected series with the agency it counts under (restated when the scope says so). */
export interface SelectedSeries extends IndexedSeries {
  agency: string;
}

/**
 * Pre-aggregation levels: per agency, the sum of all its rows (`agency`), per field, per
 * procedure, per channel, and the stored rows themselves (`full`). A query reads the coarsest
 * level that still has the dimensions it filters or groups on, so a province-year summary adds
 * up one series per agency rather than one per (agency, field, procedure, channel).
 */
export const LEVELS = ['agency', 'field', 'procedure', 'channel', 'full'] as const;
export type Level = (typeof LEVELS)[number];
export type Dimension = 'field' | 'procedure' | 'channel';

export function levelFor(dimensions: ReadonlySet<Dimension>): Level {
  if (dimensions.size === 0) return 'agency';
  if (dimensions.size > 1) return 'full';
  const [only] = dimensions;
  return only as Level;
}

function levelDimensions(level: Level, key: CounterKey): SeriesDimensions {
  const all = level === 'full';
  return {
    agency: key.agency,
    field: all || level === 'field' ? key.field : '',
    procedure: all || level === 'procedure' ? key.procedure : '',
    channel: all || level === 'channel' ? key.channel : '',
  };
}

export class CounterIndex {
  /** level → agency → dimension key → series. */
  private readonly levels = new Map<Level, Map<string, Map<string, IndexedSeries>>>(
    LEVELS.map((level) => [level, new Map()]),
  );
  private rowCount = 0;

  /** Builds the index from stored rows (sorted by date first, so every series is built by appending). */
  static of(rows: Iterable<CounterRow>): CounterIndex {
    const sorted = [...rows].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
    const index = new CounterIndex();
    for (const row of sorted) index.apply(row, row);
    return index;
  }

  /** Stored counter rows held (distinct keys). */
  get rows(): number {
    return this.rowCount;
  }

  /** Series of the stored rows (one per agency, field, procedure and channel). */
  get seriesCount(): number {
    let count = 0;
    for (const series of (this.levels.get('full') as Map<string, Map<string, IndexedSeries>>).values())
      count += series.size;
    return count;
  }

  /** Adds an increment (a stored row when loading, a journal's increment afterwards) at every level. */
  apply(key: CounterKey, inc: CounterIncrement): void {
    const vector = vectorOf(key.channel, inc);
    for (const [level, byAgency] of this.levels) {
      let agency = byAgency.get(key.agency);
      if (agency === undefined) {
        agency = new Map();
        byAgency.set(key.agency, agency);
      }
      const id =
        level === 'agency'
          ? ''
          : level === 'field'
            ? key.field
            : level === 'procedure'
              ? key.procedure
              : level === 'channel'
                ? key.channel
                : `${key.field}|${key.procedure}|${key.channel}`;
      let entry = agency.get(id);
      if (entry === undefined) {
        entry = { dimensions: levelDimensions(level, key), series: new Series() };
        agency.set(id, entry);
      }
      const before = entry.series.dates.length;
      entry.series.add(key.date, vector);
      if (level === 'full') this.rowCount += entry.series.dates.length - before;
    }
  }

  /** The agencies that have counters. */
  agencies(): string[] {
    return [...(this.levels.get('agency') as Map<string, unknown>).keys()];
  }

  /**
   * The series whose (restated) agency lies in the scope and that pass the filters, from the
   * coarsest level that has the filtered dimensions and `groupBy`.
   */
  select(scope: ReportScope, filters: CounterFilters, groupBy?: Dimension): SelectedSeries[] {
    const needed = new Set<Dimension>();
    if (filters.field !== undefined) needed.add('field');
    if (filters.procedure !== undefined) needed.add('procedure');
    if (filters.channel !== undefined) needed.add('channel');
    if (groupBy !== undefined) needed.add(groupBy);
    const level = levelFor(needed);
    const selected: SelectedSeries[] = [];
    for (const [code, series] of this.levels.get(level) as Map<string, Map<string, IndexedSeries>>) {
      const agency = scope.attribute(code);
      if (!scope.includes(agency)) continue;
      for (const entry of series.values()) {
        const { field, procedure, channel } = entry.dimensions;
        if (filters.field !== undefined && field !== filters.field) continue;
        if (filters.procedure !== undefined && procedure !== filters.procedure) continue;
        if (filters.channel !== undefined && channel !== filters.channel) continue;
        selected.push({ dimensions: entry.dimensions, series: entry.series, agency });
      }
    }
    return selected;
  }
}
