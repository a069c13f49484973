import { emptySums, periodFigures, type CounterSums, type PeriodFigures } from '@tthc/counting';
import { Series, type SelectedSeries } from './counter-index';
import { splitPeriod, type Interval, type Period } from './periods';

/**
 * The report arithmetic over selected counter series (pure). "Now" rule (docs/counting-rules.md §6, asOf = the
 * earlier of the day after `to` and now): a period that reaches today sums the rows dated up to
 * today and judges the pending split as of now (a dossier due today is not overdue yet); a past
 * period sums the rows dated up to `to`.
 */
export function boundsOf(period: Period, today: string): { upper: string; reachesToday: boolean } {
  return period.to >= today ? { upper: today, reachesToday: true } : { upper: period.to, reachesToday: false };
}

export function sumsOf(selected: Iterable<{ series: Series }>, period: Period, upper: string): CounterSums {
  const sums = emptySums();
  for (const { series } of selected) series.sumInto(sums, period.from, upper);
  return sums;
}

export function figuresOf(selected: Iterable<{ series: Series }>, period: Period, today: string): PeriodFigures {
  const { upper, reachesToday } = boundsOf(period, today);
  return periodFigures(sumsOf(selected, period, upper), reachesToday);
}

/** Figures per group (e.g. per field), with the figures of all of them together. */
export function groupedFigures(
  selected: Iterable<SelectedSeries>,
  keyOf: (entry: SelectedSeries) => string,
  period: Period,
  today: string,
): { groups: Map<string, PeriodFigures>; total: PeriodFigures } {
  const { upper, reachesToday } = boundsOf(period, today);
  const sums = new Map<string, CounterSums>();
  const total = emptySums();
  for (const entry of selected) {
    const key = keyOf(entry);
    let group = sums.get(key);
    if (group === undefined) {
      group = emptySums();
      sums.set(key, group);
    }
    entry.series.sumInto(group, period.from, upper);
    entry.series.sumInto(total, period.from, upper);
  }
  const groups = new Map([...sums].map(([key, value]) => [key, periodFigures(value, reachesToday)]));
  return { groups, total: periodFigures(total, reachesToday) };
}

/** The 13 columns of Biểu II.06a/VPCP/KSTT for one row. */
export interface Form06aFigures {
  received: { total: number; online: number; inPersonOrPostal: number; carriedOver: number };
  resolved: { total: number; early: number; onTime: number; late: number };
  pending: { total: number; withinDeadline: number; overdue: number };
}
export interface Form06aRow extends Form06aFigures {
  key: string;
  name: string;
}

export function form06aFiguresOf(figures: PeriodFigures): Form06aFigures {
  const { received, resolved, pending } = figures;
  return {
    received: {
      total: received.total,
      online: received.newByChannel.online,
      inPersonOrPostal: received.newByChannel.in_person + received.newByChannel.postal,
      carriedOver: received.carriedOver,
    },
    resolved: { total: resolved.total, early: resolved.early, onTime: resolved.onTime, late: resolved.late },
    pending: { total: pending.total, withinDeadline: pending.withinDeadline, overdue: pending.overdue },
  };
}

const allZero = (row: Form06aFigures) =>
  [row.received, row.resolved, row.pending].every((part) => Object.values(part).every((value) => value === 0));

/** The rows of II.06a: all-zero rows omitted, sorted by key. */
export function form06aRows(groups: Map<string, PeriodFigures>, nameOf: (key: string) => string): Form06aRow[] {
  return [...groups]
    .map(([key, figures]) => ({ key, name: nameOf(key), ...form06aFiguresOf(figures) }))
    .filter((row) => !allZero(row))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

export const MAX_POINTS = 1000;

/**
 * A summary per calendar interval in one pass: the selected rows are merged into one date-sorted
 * series (rows dated up to the last bound only), whose prefix sums answer each interval with two
 * binary searches.
 */
export function timeseriesOf(
  selected: Iterable<{ series: Series }>,
  period: Period,
  interval: Interval,
  today: string,
): { period: Period; figures: PeriodFigures }[] {
  const intervals = splitPeriod(period, interval);
  const merged = Series.merge(
    [...selected].map((entry) => entry.series),
    boundsOf(period, today).upper,
  );
  return intervals.map((part) => ({ period: part, figures: figuresOf([{ series: merged }], part, today) }));
}

/** QĐ 766 indicators computed from a period's figures (docs/reporting.md). */
export interface Indicators {
  /** 2.1 processing progress: rate C, 20 points at 100 %. */
  processingProgress: { indicator: '2.1'; rate: number | null; points: number | null; maxPoints: 20 };
  /** 3.3 online share of the new dossiers: full 12 points at 50 %. */
  onlineShare: {
    indicator: '3.3';
    online: number;
    received: number;
    share: number | null;
    points: number | null;
    maxPoints: 12;
    threshold: 0.5;
  };
}

export function indicatorsOf(figures: PeriodFigures): Indicators {
  const rate = figures.onTimeRate.all;
  const online = figures.received.newByChannel.online;
  const received = figures.received.new;
  const share = received === 0 ? null : online / received;
  return {
    processingProgress: {
      indicator: '2.1',
      rate,
      points: rate === null ? null : 20 * Math.min(1, rate),
      maxPoints: 20,
    },
    onlineShare: {
      indicator: '3.3',
      online,
      received,
      share,
      points: share === null ? null : 12 * Math.min(1, share / 0.5),
      maxPoints: 12,
      threshold: 0.5,
    },
  };
}
