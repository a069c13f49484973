import {
  addDays,
  defaultCalendar,
  localDateOf,
  startOfLocalDay,
  type LocalDate,
  type WorkingCalendar,
} from '@tthc/calendar';
import type { z } from 'zod';
import type { contributionSchema, DossierSnapshot } from '@tthc/contracts';
import { classify } from './classify';
import { pendingStateAt, type EffectiveDue } from './due-rules';
import { DEFAULT_COUNTING_POLICIES, effectiveDueHistory, type CountingPolicies } from './policies';

/**
 * What one dossier adds to the docs/counting-rules.md §6 figures, as dated deltas. Summing the deltas of every
 * dossier up to a date answers any period without scanning dossiers:
 * - `carriedOver(from)` = Σ received before `from` − Σ finished before `from`;
 * - `new` and `resolved` = Σ of their deltas dated inside [from, to];
 * - `pending.overdue` at the end of `to` = Σ overdue deltas dated ≤ `to` (overdue at the end of
 *   day D: received by D, not finished by D, the due date in force at the end of D is on or
 *   before D, and not paused or waiting for a supplement at the end of D).
 * - `dueSameDayOn`: the days at whose end the dossier is pending, not waiting, and due that very
 *   day — for a period that reaches today, where docs/counting-rules.md §6 judges "overdue" against today's date
 *   (due before today), these are taken back from today's overdue sum.
 * A voided dossier contributes nothing. The due dates are those of the counting policies
 * ({@link effectiveDueHistory}); the outcome is {@link classify}'s under the same policies.
 */
export type Contribution = z.infer<typeof contributionSchema>;

const endOfDay = (date: LocalDate): number => startOfLocalDay(addDays(date, 1)) - 1;

/** The pending split at the end of `date` ({@link pendingStateAt}: due on or before `date` is overdue). */
function stateAtEndOf(snapshot: DossierSnapshot, history: readonly EffectiveDue[], date: LocalDate) {
  return pendingStateAt(snapshot, history, endOfDay(date), addDays(date, 1));
}

/** Pending-overdue at the end of `date` (see {@link Contribution}), under the policies. */
export function isOverdueAtEndOf(
  snapshot: DossierSnapshot,
  date: LocalDate,
  policies: CountingPolicies = DEFAULT_COUNTING_POLICIES,
  calendar: WorkingCalendar = defaultCalendar,
): boolean {
  return stateAtEndOf(snapshot, effectiveDueHistory(snapshot, policies, calendar), date).state === 'overdue';
}

/**
 * The dossier's contribution under the counting policies (default: the contract's); `calendar`
 * is the reference working calendar, used only by non-default policies.
 */
export function contributionOf(
  snapshot: DossierSnapshot,
  policies: CountingPolicies = DEFAULT_COUNTING_POLICIES,
  calendar: WorkingCalendar = defaultCalendar,
): Contribution | null {
  if (snapshot.status === 'voided') return null;
  const classification = classify(snapshot, policies, calendar);
  const history = effectiveDueHistory(snapshot, policies, calendar);
  const receivedOn = localDateOf(Date.parse(snapshot.receivedAt));
  const finishedOn = snapshot.finishedAt === null ? null : localDateOf(Date.parse(snapshot.finishedAt));
  // The overdue predicate can only change on these dates.
  const changes = new Set<LocalDate>([receivedOn]);
  if (finishedOn !== null) changes.add(finishedOn);
  for (const step of history) {
    if (Number.isFinite(step.effectiveAt)) changes.add(localDateOf(step.effectiveAt));
    if (step.dueAt !== null) changes.add(localDateOf(step.dueAt));
  }
  for (const wait of snapshot.waiting) {
    changes.add(localDateOf(Date.parse(wait.from)));
    if (wait.to !== null) changes.add(localDateOf(Date.parse(wait.to)));
  }
  const overdueDeltas: Contribution['overdueDeltas'] = [];
  const dueSameDayOn: LocalDate[] = [];
  let overdue = false;
  for (const date of [...changes].filter((d) => d >= receivedOn).sort()) {
    const pending = stateAtEndOf(snapshot, history, date);
    const now = pending.state === 'overdue';
    if (now !== overdue) overdueDeltas.push({ on: date, delta: now ? 1 : -1 });
    if (pending.state === 'overdue' && localDateOf(pending.due) === date) dueSameDayOn.push(date);
    overdue = now;
  }
  return {
    receivedOn,
    channel: snapshot.channel,
    finishedOn,
    outcome: classification.outcome,
    withdrawn: classification.withdrawn,
    overdueDeltas,
    dueSameDayOn,
  };
}
