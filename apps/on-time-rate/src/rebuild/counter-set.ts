import {
  COUNTER_METRICS,
  contributionDiff,
  counterId,
  type AppliedContribution,
  type CounterIncrement,
} from '@tthc/counting';
import { MAX_DIFFERENCE_SAMPLE, type CounterDifference } from './rebuild.store';

/** A full set of counters in memory: counter id → non-zero metrics. */
export type CounterSet = Map<string, CounterIncrement>;

/** The non-zero metrics of a counter (zero-valued metrics and other fields are ignored). */
export function nonZeroMetrics(row: Partial<Record<string, unknown>>): CounterIncrement {
  const out: CounterIncrement = {};
  for (const metric of COUNTER_METRICS) {
    const value = row[metric];
    if (typeof value === 'number' && value !== 0) out[metric] = value;
  }
  return out;
}

/** Adds one dossier's contribution to a counter set (what `contributionDiff(null, applied)` adds). */
export function addToCounterSet(set: CounterSet, applied: AppliedContribution | null): void {
  for (const { key, inc } of contributionDiff(null, applied)) {
    const id = counterId(key);
    const entry = set.get(id) ?? {};
    for (const metric of COUNTER_METRICS) {
      const amount = inc[metric];
      if (amount === undefined) continue;
      const sum = (entry[metric] ?? 0) + amount;
      if (sum === 0) delete entry[metric];
      else entry[metric] = sum;
    }
    if (Object.keys(entry).length === 0) set.delete(id);
    else set.set(id, entry);
  }
}

const same = (a: CounterIncrement, b: CounterIncrement): boolean =>
  COUNTER_METRICS.every((metric) => (a[metric] ?? 0) === (b[metric] ?? 0));

/** The counters whose non-zero metrics differ: their count and the first ones by id with both values. */
export function compareCounterSets(
  incremental: CounterSet,
  rebuilt: CounterSet,
  sampleSize = MAX_DIFFERENCE_SAMPLE,
): { count: number; sample: CounterDifference[] } {
  const ids = [...new Set([...incremental.keys(), ...rebuilt.keys()])].sort();
  let count = 0;
  const sample: CounterDifference[] = [];
  for (const id of ids) {
    const a = incremental.get(id) ?? {};
    const b = rebuilt.get(id) ?? {};
    if (same(a, b)) continue;
    count += 1;
    if (sample.length < sampleSize) sample.push({ id, incremental: a, rebuilt: b });
  }
  return { count, sample };
}
