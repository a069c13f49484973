import { addDays, localDateOf, startOfLocalDay, type LocalDate } from '@tthc/calendar';
import type { DossierSnapshot } from '@tthc/contracts';
import { classify, type FinishOutcome } from './classify';

/**
 * What one dossier adds to the CONTRACT §5 figures, as dated deltas. Summing the deltas of every
 * dossier up to a date answers any period without scanning dossiers:
 * - `carriedOver(from)` = Σ received before `from` − Σ finished before `from`;
 * - `new` and `resolved` = Σ of their deltas dated inside [from, to];
 * - `pending.overdue` at the end of `to` = Σ overdue deltas dated ≤ `to` (overdue at the end of
 *   day D: received by D, not finished by D, the due date in force at the end of D is on or
 *   before D, and not paused or waiting for a supplement at the end of D).
 * A voided dossier contributes nothing.
 */
export interface Contribution {
  receivedOn: LocalDate;
  channel: DossierSnapshot['channel'];
  finishedOn: LocalDate | null;
  outcome: FinishOutcome | null;
  withdrawn: boolean;
  /** +1 on the first day the dossier is pending-overdue at the day's end, −1 on the first day it is not again. */
  overdueDeltas: { on: LocalDate; delta: 1 | -1 }[];
}

const endOfDay = (date: LocalDate): number => startOfLocalDay(addDays(date, 1)) - 1;

function dueInForceAtEndOf(snapshot: DossierSnapshot, date: LocalDate): string | null {
  const end = endOfDay(date);
  let due: string | null = null;
  for (const change of snapshot.dueHistory) if (Date.parse(change.effectiveAt) <= end) due = change.dueAt;
  return due;
}

function waitingAtEndOf(snapshot: DossierSnapshot, date: LocalDate): boolean {
  const end = endOfDay(date);
  return snapshot.waiting.some(
    (wait) => Date.parse(wait.from) <= end && (wait.to === null || Date.parse(wait.to) > end),
  );
}

/** Pending-overdue at the end of `date` (see {@link Contribution}). */
export function isOverdueAtEndOf(snapshot: DossierSnapshot, date: LocalDate): boolean {
  const end = endOfDay(date);
  if (Date.parse(snapshot.receivedAt) > end) return false;
  if (snapshot.finishedAt !== null && Date.parse(snapshot.finishedAt) <= end) return false;
  const due = dueInForceAtEndOf(snapshot, date);
  if (due === null || localDateOf(Date.parse(due)) > date) return false;
  return !waitingAtEndOf(snapshot, date);
}

export function contributionOf(snapshot: DossierSnapshot): Contribution | null {
  if (snapshot.status === 'voided') return null;
  const classification = classify(snapshot);
  const receivedOn = localDateOf(Date.parse(snapshot.receivedAt));
  const finishedOn = snapshot.finishedAt === null ? null : localDateOf(Date.parse(snapshot.finishedAt));
  // The overdue predicate can only change on these dates.
  const changes = new Set<LocalDate>([receivedOn]);
  if (finishedOn !== null) changes.add(finishedOn);
  for (const change of snapshot.dueHistory) {
    changes.add(localDateOf(Date.parse(change.effectiveAt)));
    if (change.dueAt !== null) changes.add(localDateOf(Date.parse(change.dueAt)));
  }
  for (const wait of snapshot.waiting) {
    changes.add(localDateOf(Date.parse(wait.from)));
    if (wait.to !== null) changes.add(localDateOf(Date.parse(wait.to)));
  }
  const overdueDeltas: Contribution['overdueDeltas'] = [];
  let overdue = false;
  for (const date of [...changes].filter((d) => d >= receivedOn).sort()) {
    const now = isOverdueAtEndOf(snapshot, date);
    if (now !== overdue) overdueDeltas.push({ on: date, delta: now ? 1 : -1 });
    overdue = now;
  }
  return {
    receivedOn,
    channel: snapshot.channel,
    finishedOn,
    outcome: classification.outcome,
    withdrawn: classification.withdrawn,
    overdueDeltas,
  };
}
