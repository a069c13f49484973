import { localDateOf, type LocalDate, type WorkingCalendar } from '@tthc/calendar';
import type { CountingDueStep, DossierSnapshot, ProcessingTime } from '@tthc/contracts';

/**
 * The one definition of "due" and "overdue" (docs/counting.md, "Where each rule lives"). Pure: no
 * I/O, no clock; every instant is epoch milliseconds and "now" is always an argument.
 *
 * - the due steps dossier-tracking folds with: {@link initialDue}, {@link restartedDue} (supplement
 *   received, Decree 61/2018 art.19(4)), {@link extendedByWaitOf} (pause, and the supplement wait
 *   under `COUNTING_SUPPLEMENT=subtract`), {@link acceptsReDate} (the apology re-date, once);
 * - the policy-adjusted due history (`effectiveDueHistory`, policies.ts) is replayed with the same
 *   steps;
 * - the pending split at an instant ({@link pendingStateAt}) that on-time-rate's dated
 *   contributions (the summaries' `pending.overdue`), reporting's overdue list and dossier-tracking's
 *   timers all use.
 */

/** The working-time arithmetic the rules need: the reference working calendar provides it. */
export type DueCalendar = Pick<WorkingCalendar, 'dueAt' | 'workingMillisBetween' | 'extendByWorkingTime'>;

/** One step of a due-date history: the due (epoch ms; null = none) in force from `effectiveAt` on. */
export interface EffectiveDue {
  dueAt: number | null;
  effectiveAt: number;
}

/**
 * The due when the clock starts at `at` (receipt, or a restart): the due the desk printed
 * (`given`), else `at` plus the procedure's processing time on the working calendar, else none.
 */
export function clockStartDue(
  at: number,
  given: string | undefined,
  processingTime: ProcessingTime | null,
  calendar: DueCalendar,
): number | null {
  if (given !== undefined) return Date.parse(given);
  if (processingTime === null) return null;
  return calendar.dueAt(at, processingTime) ?? at;
}

/** The initial due of a dossier received at `receivedAt` (docs/counting-rules.md §3, "due date"). */
export function initialDue(
  receivedAt: number,
  given: string | undefined,
  processingTime: ProcessingTime | null,
  calendar: DueCalendar,
): number | null {
  return clockStartDue(receivedAt, given, processingTime, calendar);
}

/**
 * Supplement received at `at` under `COUNTING_SUPPLEMENT=restart` (the default, Decree 61/2018
 * art.19(4)): the clock restarts, the new due is counted from `at` (or the due the desk gave).
 */
export function restartedDue(
  at: number,
  given: string | undefined,
  processingTime: ProcessingTime | null,
  calendar: DueCalendar,
): number | null {
  return clockStartDue(at, given, processingTime, calendar);
}

/**
 * A wait from `from` to `to` (a pause; a supplement wait under `COUNTING_SUPPLEMENT=subtract`)
 * pushes the due forward by the working time it lasted. No due stays no due.
 */
export function extendedByWaitOf(due: number | null, from: number, to: number, calendar: DueCalendar): number | null {
  return due === null ? null : calendar.extendByWorkingTime(due, calendar.workingMillisBetween(from, to));
}

/** `due` pushed forward by `workingMillis` of working time (a wait known by its length only). */
export function extendedByWorkingTime(due: number | null, workingMillis: number, calendar: DueCalendar): number | null {
  return due === null ? null : calendar.extendByWorkingTime(due, workingMillis);
}

/** The apology re-date (Mẫu 04) is allowed once (Decree 61/2018 art.19(9)): only the first counts. */
export function acceptsReDate(alreadyReDated: string | null): boolean {
  return alreadyReDated === null;
}

/** The due (epoch ms) in force at `at` in a history ordered by `effectiveAt` (the last step in force wins). */
export function dueInForceOf(history: readonly EffectiveDue[], at: number): number | null {
  let due: number | null = null;
  for (const step of history) if (step.effectiveAt <= at) due = step.dueAt;
  return due;
}

/** The snapshot's due history as published by dossier-tracking (no policy applied). */
export function publishedDueHistory(snapshot: Pick<DossierSnapshot, 'dueHistory' | 'dueAt' | 'receivedAt'>) {
  // Snapshots always carry at least the initial step; a bare one falls back to its current due.
  if (snapshot.dueHistory.length === 0)
    return [
      {
        dueAt: snapshot.dueAt === null ? null : Date.parse(snapshot.dueAt),
        effectiveAt: Date.parse(snapshot.receivedAt),
      },
    ];
  return snapshot.dueHistory.map((change) => ({
    dueAt: change.dueAt === null ? null : Date.parse(change.dueAt),
    effectiveAt: Date.parse(change.effectiveAt),
  }));
}

/** A due history as published with an outcome (ISO instants); steps that never take effect are left out. */
export function countingDueStepsOf(history: readonly EffectiveDue[]): CountingDueStep[] {
  return history
    .filter((step) => Number.isFinite(step.effectiveAt))
    .map((step) => ({
      dueAt: step.dueAt === null ? null : new Date(step.dueAt).toISOString(),
      effectiveAt: new Date(step.effectiveAt).toISOString(),
    }));
}

/**
 * The due history used for counting a stored dossier: the steps on-time-rate published with its
 * outcome (`countingDue`), or, for an outcome published before they were, the snapshot's own.
 */
export function countingHistoryOf(
  snapshot: Pick<DossierSnapshot, 'dueHistory' | 'dueAt' | 'receivedAt'>,
  countingDue: readonly CountingDueStep[] | undefined,
): EffectiveDue[] {
  if (countingDue === undefined) return publishedDueHistory(snapshot);
  return countingDue.map((step) => ({
    dueAt: step.dueAt === null ? null : Date.parse(step.dueAt),
    effectiveAt: Date.parse(step.effectiveAt),
  }));
}

type PendingView = Pick<DossierSnapshot, 'status' | 'receivedAt' | 'finishedAt' | 'waiting'>;

/** Not voided and not finished as recorded (whatever the instant). */
export function isOpen(snapshot: Pick<DossierSnapshot, 'status' | 'finishedAt'>): boolean {
  return snapshot.status !== 'voided' && snapshot.finishedAt === null;
}

/** Pending at `at`: received by then, not finished by then, never voided (a voided dossier counts nowhere). */
export function isPendingAt(snapshot: PendingView, at: number): boolean {
  if (snapshot.status === 'voided' || Date.parse(snapshot.receivedAt) > at) return false;
  return snapshot.finishedAt === null || Date.parse(snapshot.finishedAt) > at;
}

/** Paused or waiting for a supplement at `at` (a wait holds from its start until, excluded, its end). */
export function isWaitingAt(snapshot: Pick<DossierSnapshot, 'waiting'>, at: number): boolean {
  return snapshot.waiting.some((wait) => Date.parse(wait.from) <= at && (wait.to === null || Date.parse(wait.to) > at));
}

/** Where a dossier stands at an instant (docs/counting-rules.md §6 pending split). */
export type PendingState =
  | { state: 'not_pending' }
  /** Pending and paused / waiting for a supplement, without a due, or due on or after `asOf`. */
  | { state: 'within_deadline'; due: number | null }
  /** Pending, not waiting, and the due in force falls on a date before `asOf`. */
  | { state: 'overdue'; due: number };

/**
 * The pending split at `at` against the due history used for counting (`history`: the
 * policy-adjusted one, `effectiveDueHistory`): overdue when the dossier is pending at `at`, neither
 * paused nor waiting for a supplement then, and the local date of the due in force then is before
 * `asOf`. As of now, `asOf` is today (a dossier due today is not overdue yet); at the end of a
 * past day D, `at` is D's last instant and `asOf` the day after D (due on or before D).
 */
export function pendingStateAt(
  snapshot: PendingView,
  history: readonly EffectiveDue[],
  at: number,
  asOf: LocalDate = localDateOf(at),
): PendingState {
  if (!isPendingAt(snapshot, at)) return { state: 'not_pending' };
  const due = dueInForceOf(history, at);
  if (due === null || isWaitingAt(snapshot, at) || localDateOf(due) >= asOf) return { state: 'within_deadline', due };
  return { state: 'overdue', due };
}

/**
 * The instant dossier-tracking's timer waits for: the dossier is open, neither paused nor waiting
 * for a supplement at `at`, and its published due instant is on or before `at`. This is *not*
 * "overdue" (that is a date later, {@link pendingStateAt}): the fact it triggers is
 * `due_instant_reached`.
 */
export function dueInstantReachedAt(
  snapshot: Pick<DossierSnapshot, 'status' | 'finishedAt' | 'waiting' | 'dueAt'>,
  at: number,
): boolean {
  return isOpen(snapshot) && snapshot.dueAt !== null && Date.parse(snapshot.dueAt) <= at && !isWaitingAt(snapshot, at);
}

/**
 * The due an open dossier is judged by once every recorded step of `history` is in force (its last
 * step), or null when the dossier is not open, waits with no end yet, or has no due. The overdue
 * index orders pending dossiers by it; {@link pendingStateAt} still decides each one at the
 * instant asked.
 */
export function settledDueOf(
  snapshot: Pick<DossierSnapshot, 'status' | 'finishedAt' | 'waiting'>,
  history: readonly EffectiveDue[],
): number | null {
  if (!isOpen(snapshot) || snapshot.waiting.some((wait) => wait.to === null)) return null;
  return dueInForceOf(history, Number.POSITIVE_INFINITY);
}
