import type { CounterIncrement, CounterKey, CounterRow, CounterSums } from '@tthc/counting';
import type { AgencyTree } from '@tthc/reference';
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

export interface SelectOptions {
  /** The caller ignores each series' agency: subtree aggregates may answer (see `CounterIndex.select`). */
  subtrees?: boolean;
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

/** The levels that also have subtree aggregates (not `full`: filters combining dimensions sum per agency). */
const SUBTREE_LEVELS = ['agency', 'field', 'procedure', 'channel'] as const;
type SubtreeLevel = (typeof SUBTREE_LEVELS)[number];

function dimensionId(level: Level, key: CounterKey): string {
  return level === 'agency'
    ? ''
    : level === 'field'
      ? key.field
      : level === 'procedure'
        ? key.procedure
        : level === 'channel'
          ? key.channel
          : `${key.field}|${key.procedure}|${key.channel}`;
}

/** A series far enough in the future to take every row in {@link Series.merge}. */
const EVERY_DATE = '\uffff';

/**
 * Subtree aggregates for one agency tree: per level, agency X → dimension id → the sum of the
 * series of every agency whose `tree.ancestry` contains X (exactly the agencies `ReportScope`
 * counts for the subtree of X without `restate`; an agency unknown to the tree has only itself).
 */
export interface SubtreeAggregates {
  tree: AgencyTree;
  levels: Map<SubtreeLevel, Map<string, Map<string, IndexedSeries>>>;
  /** The last agency of each indexed agency's ancestry (a root, or an unknown parent). */
  tops: Set<string>;
  /** Some ancestry ended on a cycle: the tops do not partition the agencies. */
  cyclic: boolean;
}

export class CounterIndex {
  /** level → agency → dimension key → series. */
  private readonly levels = new Map<Level, Map<string, Map<string, IndexedSeries>>>(
    LEVELS.map((level) => [level, new Map()]),
  );
  private rowCount = 0;
  private subtrees: SubtreeAggregates | null = null;

  /**
   * Builds the index from stored rows (sorted by date first, so every series is built by
   * appending), with the subtree aggregates of `tree` when given (else built on the first query).
   */
  static of(rows: Iterable<CounterRow>, tree?: AgencyTree): CounterIndex {
    const sorted = [...rows].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
    const index = new CounterIndex();
    for (const row of sorted) index.apply(row, row);
    if (tree !== undefined) index.aggregatesFor(tree);
    return index;
  }

  /** The tree the subtree aggregates were built with (null: none yet). */
  get aggregatesTree(): AgencyTree | null {
    return this.subtrees?.tree ?? null;
  }

  /**
   * The subtree aggregates of `tree`, rebuilt from the per-agency series when the index holds
   * those of another tree (the reference data replaces its `AgencyTree` on every agency change).
   */
  aggregatesFor(tree: AgencyTree): SubtreeAggregates {
    if (this.subtrees !== null && this.subtrees.tree === tree) return this.subtrees;
    const aggregates: SubtreeAggregates = {
      tree,
      levels: new Map(SUBTREE_LEVELS.map((level) => [level, new Map<string, Map<string, IndexedSeries>>()])),
      tops: new Set(),
      cyclic: false,
    };
    const chains = new Map<string, string[]>();
    for (const code of this.agencies()) {
      const chain = tree.ancestry(code);
      chains.set(code, chain);
      this.noteTop(aggregates, chain);
    }
    for (const level of SUBTREE_LEVELS) {
      const parts = new Map<string, Map<string, { dimensions: SeriesDimensions; series: Series[] }>>();
      for (const [code, byId] of this.levels.get(level) as Map<string, Map<string, IndexedSeries>>) {
        for (const ancestor of chains.get(code) ?? [code]) {
          let target = parts.get(ancestor);
          if (target === undefined) {
            target = new Map();
            parts.set(ancestor, target);
          }
          for (const [id, entry] of byId) {
            const part = target.get(id);
            if (part === undefined)
              target.set(id, { dimensions: { ...entry.dimensions, agency: ancestor }, series: [entry.series] });
            else part.series.push(entry.series);
          }
        }
      }
      const built = aggregates.levels.get(level) as Map<string, Map<string, IndexedSeries>>;
      for (const [ancestor, byId] of parts) {
        const target = new Map<string, IndexedSeries>();
        for (const [id, part] of byId)
          target.set(id, { dimensions: part.dimensions, series: Series.merge(part.series, EVERY_DATE) });
        built.set(ancestor, target);
      }
    }
    this.subtrees = aggregates;
    return aggregates;
  }

  private noteTop(aggregates: SubtreeAggregates, chain: readonly string[]): void {
    const top = chain[chain.length - 1] as string;
    aggregates.tops.add(top);
    // The walk stops at a root (no parent) or at an unknown parent; a known parent means a cycle.
    const parent = aggregates.tree.get(top)?.parentCode;
    if (parent !== null && parent !== undefined) aggregates.cyclic = true;
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
      const id = dimensionId(level, key);
      let entry = agency.get(id);
      if (entry === undefined) {
        entry = { dimensions: levelDimensions(level, key), series: new Series() };
        agency.set(id, entry);
      }
      const before = entry.series.dates.length;
      entry.series.add(key.date, vector);
      if (level === 'full') this.rowCount += entry.series.dates.length - before;
    }
    const aggregates = this.subtrees;
    if (aggregates === null) return;
    const chain = aggregates.tree.ancestry(key.agency);
    this.noteTop(aggregates, chain);
    for (const [level, byAgency] of aggregates.levels) {
      const id = dimensionId(level, key);
      for (const ancestor of chain) {
        let target = byAgency.get(ancestor);
        if (target === undefined) {
          target = new Map();
          byAgency.set(ancestor, target);
        }
        let entry = target.get(id);
        if (entry === undefined) {
          entry = { dimensions: { ...levelDimensions(level, key), agency: ancestor }, series: new Series() };
          target.set(id, entry);
        }
        entry.series.add(key.date, vector);
      }
    }
  }

  /** The agencies that have counters. */
  agencies(): string[] {
    return [...(this.levels.get('agency') as Map<string, unknown>).keys()];
  }

  /**
   * The series whose (restated) agency lies in the scope and that pass the filters, from the
   * coarsest level that has the filtered dimensions and `groupBy`; by default one per agency.
   *
   * `subtrees: true` (the caller does not use each series' agency, e.g. does not group by the
   * scope's children): without `restate`, below the `full` level, the scope's subtree aggregates
   * are read instead — one series per dimension id, with `agency` = the subtree root (or each top
   * of the tree, for everything): the same sums, at a cost independent of the agencies' count.
   */
  select(
    scope: ReportScope,
    filters: CounterFilters,
    groupBy?: Dimension,
    options: SelectOptions = {},
  ): SelectedSeries[] {
    const needed = new Set<Dimension>();
    if (filters.field !== undefined) needed.add('field');
    if (filters.procedure !== undefined) needed.add('procedure');
    if (filters.channel !== undefined) needed.add('channel');
    if (groupBy !== undefined) needed.add(groupBy);
    const level = levelFor(needed);
    if (options.subtrees === true && level !== 'full' && !scope.restate) {
      const fast = this.selectSubtrees(scope, level, filters);
      if (fast !== null) return fast;
    }
    return this.selectPerAgency(scope, level, filters);
  }

  /** The per-agency path: every agency's series of `level` (restated), tested against the scope. */
  selectPerAgency(scope: ReportScope, level: Level, filters: CounterFilters): SelectedSeries[] {
    const selected: SelectedSeries[] = [];
    for (const [code, series] of this.levels.get(level) as Map<string, Map<string, IndexedSeries>>) {
      const agency = scope.attribute(code);
      if (!scope.includes(agency)) continue;
      for (const entry of series.values()) {
        if (!passes(entry, filters)) continue;
        selected.push({ dimensions: entry.dimensions, series: entry.series, agency });
      }
    }
    return selected;
  }

  /** The subtree aggregates of the scope (null: not answerable from them — a tree with a cycle, for everything). */
  private selectSubtrees(scope: ReportScope, level: SubtreeLevel, filters: CounterFilters): SelectedSeries[] | null {
    const aggregates = this.aggregatesFor(scope.agencyTree);
    const root = scope.subtreeRoot;
    if (root === null && aggregates.cyclic) return null;
    const byAgency = aggregates.levels.get(level) as Map<string, Map<string, IndexedSeries>>;
    const selected: SelectedSeries[] = [];
    for (const agency of root === null ? aggregates.tops : [root]) {
      const series = byAgency.get(agency);
      if (series === undefined) continue;
      const id =
        level === 'field'
          ? filters.field
          : level === 'procedure'
            ? filters.procedure
            : level === 'channel'
              ? filters.channel
              : '';
      if (id !== undefined) {
        const entry = series.get(id);
        if (entry !== undefined) selected.push({ dimensions: entry.dimensions, series: entry.series, agency });
        continue;
      }
      for (const entry of series.values())
        selected.push({ dimensions: entry.dimensions, series: entry.series, agency });
    }
    return selected;
  }
}

function passes(entry: IndexedSeries, filters: CounterFilters): boolean {
  const { field, procedure, channel } = entry.dimensions;
  if (filters.field !== undefined && field !== filters.field) return false;
  if (filters.procedure !== undefined && procedure !== filters.procedure) return false;
  return filters.channel === undefined || channel === filters.channel;
}
