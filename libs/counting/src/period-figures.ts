import type { CounterIncrement, CounterKey } from './counters';

/** Sums read from the counters for one period and scope. */
export interface CounterSums {
  receivedBefore: number;
  finishedBefore: number;
  newByChannel: { online: number; in_person: number; postal: number };
  early: number;
  onTime: number;
  late: number;
  withdrawn: number;
  /** Σ overdue deltas dated up to the day whose end judges the pending split. */
  overdue: number;
  /** Pending dossiers due on that last day (not overdue yet when the day is today). */
  dueOnLastDay: number;
}

export interface PeriodFigures {
  received: { total: number; carriedOver: number; new: number; newByChannel: CounterSums['newByChannel'] };
  resolved: { total: number; early: number; onTime: number; late: number; withdrawn: number };
  pending: { total: number; withinDeadline: number; overdue: number };
  onTimeRate: { resolved: number | null; due: number | null; all: number | null };
}

const rate = (numerator: number, denominator: number): number | null =>
  denominator === 0 ? null : numerator / denominator;

/**
 * docs/counting-rules.md §6 figures of a period from counter sums (identity carriedOver + new = resolved + pending
 * holds by construction). `reachesToday`: the sums end today and asOf is now, so a dossier due
 * today is not overdue yet (docs/counting-rules.md §6: overdue when the due date is before asOf's date).
 */
export function periodFigures(sums: CounterSums, reachesToday = false): PeriodFigures {
  const carriedOver = sums.receivedBefore - sums.finishedBefore;
  const fresh = sums.newByChannel.online + sums.newByChannel.in_person + sums.newByChannel.postal;
  const resolvedTotal = sums.early + sums.onTime + sums.late;
  const pendingTotal = carriedOver + fresh - resolvedTotal;
  const overdue = sums.overdue - (reachesToday ? sums.dueOnLastDay : 0);
  const withinDeadline = pendingTotal - overdue;
  const good = sums.early + sums.onTime;
  return {
    received: { total: carriedOver + fresh, carriedOver, new: fresh, newByChannel: sums.newByChannel },
    resolved: {
      total: resolvedTotal,
      early: sums.early,
      onTime: sums.onTime,
      late: sums.late,
      withdrawn: sums.withdrawn,
    },
    pending: { total: pendingTotal, withinDeadline, overdue },
    onTimeRate: {
      resolved: rate(good, resolvedTotal),
      due: rate(good, resolvedTotal + overdue),
      all: rate(good + withinDeadline, carriedOver + fresh),
    },
  };
}

export function emptySums(): CounterSums {
  return {
    receivedBefore: 0,
    finishedBefore: 0,
    newByChannel: { online: 0, in_person: 0, postal: 0 },
    early: 0,
    onTime: 0,
    late: 0,
    withdrawn: 0,
    overdue: 0,
    dueOnLastDay: 0,
  };
}

/**
 * Adds one counter (dated on or before `to`) to the sums of the period [from, to]: before the
 * period it feeds `carriedOver`, inside it `new` and `resolved`; its overdue deltas always count.
 */
export function addCounter(
  sums: CounterSums,
  key: Pick<CounterKey, 'date' | 'channel'>,
  value: CounterIncrement,
  from: string,
  to: string,
): void {
  sums.overdue += value.overdue ?? 0;
  if (key.date === to) sums.dueOnLastDay += value.dueSameDay ?? 0;
  if (key.date < from) {
    sums.receivedBefore += value.received ?? 0;
    sums.finishedBefore += (value.early ?? 0) + (value.onTime ?? 0) + (value.late ?? 0);
    return;
  }
  sums.newByChannel[key.channel] += value.received ?? 0;
  sums.early += value.early ?? 0;
  sums.onTime += value.onTime ?? 0;
  sums.late += value.late ?? 0;
  sums.withdrawn += value.withdrawn ?? 0;
}
