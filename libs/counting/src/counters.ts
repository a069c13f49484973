import type { DossierSnapshot } from '@tthc/contracts';
import type { Contribution } from './contribution';

/** The dimensions a dossier is attributed to (docs/counting-rules.md §4: latest agency, field, procedure, receipt channel). */
export interface CounterDimensions {
  agency: string;
  field: string;
  procedure: string;
  channel: DossierSnapshot['channel'];
}

export const COUNTER_METRICS = ['received', 'early', 'onTime', 'late', 'withdrawn', 'overdue', 'dueSameDay'] as const;
export type CounterMetric = (typeof COUNTER_METRICS)[number];
export type CounterIncrement = Partial<Record<CounterMetric, number>>;

export interface CounterKey extends CounterDimensions {
  date: string;
}

/** A counter row: its key and its summed metrics. */
export interface CounterRow extends CounterKey, CounterIncrement {}

export function counterId(key: CounterKey): string {
  return `${key.agency}|${key.field}|${key.procedure}|${key.channel}|${key.date}`;
}

export function dimensionsOf(snapshot: DossierSnapshot): CounterDimensions {
  return {
    agency: snapshot.agencyCode,
    field: snapshot.fieldCode,
    procedure: snapshot.procedureCode,
    channel: snapshot.channel,
  };
}

/** A dossier's applied contribution: what it added to which counters (kept to take it back later). */
export interface AppliedContribution {
  dimensions: CounterDimensions;
  contribution: Contribution;
}

type Deltas = Map<string, { key: CounterKey; inc: CounterIncrement }>;

function add(deltas: Deltas, key: CounterKey, metric: CounterMetric, amount: number): void {
  const id = counterId(key);
  const entry = deltas.get(id) ?? { key, inc: {} };
  entry.inc[metric] = (entry.inc[metric] ?? 0) + amount;
  deltas.set(id, entry);
}

function addContribution(deltas: Deltas, applied: AppliedContribution, sign: 1 | -1): void {
  const { dimensions, contribution } = applied;
  add(deltas, { ...dimensions, date: contribution.receivedOn }, 'received', sign);
  if (contribution.finishedOn !== null && contribution.outcome !== null) {
    const finished = { ...dimensions, date: contribution.finishedOn };
    add(deltas, finished, contribution.outcome === 'on_time' ? 'onTime' : contribution.outcome, sign);
    if (contribution.withdrawn) add(deltas, finished, 'withdrawn', sign);
  }
  for (const change of contribution.overdueDeltas)
    add(deltas, { ...dimensions, date: change.on }, 'overdue', sign * change.delta);
  for (const date of contribution.dueSameDayOn) add(deltas, { ...dimensions, date }, 'dueSameDay', sign);
}

/**
 * Counter increments that replace a dossier's previous contribution by its new one (either may
 * be absent: first fact, or voided). Increments that cancel out are dropped.
 */
export function contributionDiff(
  previous: AppliedContribution | null,
  next: AppliedContribution | null,
): { key: CounterKey; inc: CounterIncrement }[] {
  const deltas: Deltas = new Map();
  if (previous !== null) addContribution(deltas, previous, -1);
  if (next !== null) addContribution(deltas, next, 1);
  const result: { key: CounterKey; inc: CounterIncrement }[] = [];
  for (const { key, inc } of deltas.values()) {
    const nonZero = Object.fromEntries(Object.entries(inc).filter(([, value]) => value !== 0)) as CounterIncrement;
    if (Object.keys(nonZero).length > 0) result.push({ key, inc: nonZero });
  }
  return result;
}

/** Adds increments of many dossiers together per counter. */
export function mergeIncrements(
  parts: readonly { key: CounterKey; inc: CounterIncrement }[],
): { key: CounterKey; inc: CounterIncrement }[] {
  const merged: Deltas = new Map();
  for (const part of parts)
    for (const [metric, amount] of Object.entries(part.inc)) add(merged, part.key, metric as CounterMetric, amount);
  return [...merged.values()]
    .map(({ key, inc }) => ({
      key,
      inc: Object.fromEntries(Object.entries(inc).filter(([, v]) => v !== 0)),
    }))
    .filter((entry) => Object.keys(entry.inc).length > 0);
}
