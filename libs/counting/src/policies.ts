import { dayNumberOf, defaultCalendar, type WorkingCalendar } from '@tthc/calendar';
import type { DossierSnapshot } from '@tthc/contracts';
import {
  extendedByWaitOf,
  extendedByWorkingTime,
  publishedDueHistory,
  type DueCalendar,
  type EffectiveDue,
} from './due-rules';

/**
 * The configurable docs/counting-rules.md §8 counting policies (docs/counting.md, "Policies"). Every field's
 * default is the contract's rule; changing one changes past outcomes, so it needs a rebuild.
 */
export interface CountingPolicies {
  /**
   * `ignored` (default): the apology re-date (Mẫu 04, `rescheduledDueAt`) is recorded and shown
   * but the counting due date does not move. `honoured`: from the instant the re-date was recorded
   * (`rescheduledAt`) it is the due date in force.
   */
  rescheduledDue: 'ignored' | 'honoured';
  /**
   * `restart` (default, Decree 61/2018 art.19(4)): `supplement_received` restarts the clock, the
   * new due is counted from it. `subtract`: the due date stays the initial one, extended by the
   * working time spent waiting for the supplement (like a pause).
   */
  supplement: 'restart' | 'subtract';
  /**
   * `date` (default): finish date vs due date (local dates). `session`: finish half-day session vs
   * the due's half-day session (see {@link sessionOrdinal}).
   */
  outcomeBy: 'date' | 'session';
}

export const DEFAULT_COUNTING_POLICIES: Readonly<CountingPolicies> = Object.freeze({
  rescheduledDue: 'ignored',
  supplement: 'restart',
  outcomeBy: 'date',
});

export const RESCHEDULED_DUE_POLICIES = ['ignored', 'honoured'] as const;
export const SUPPLEMENT_POLICIES = ['restart', 'subtract'] as const;
export const OUTCOME_BY_POLICIES = ['date', 'session'] as const;

/** A short, stable text of the policies (logged, stored with a rebuild). */
export function describePolicies(policies: CountingPolicies): string {
  return `rescheduledDue=${policies.rescheduledDue},supplement=${policies.supplement},outcomeBy=${policies.outcomeBy}`;
}

type Snapshot = Pick<DossierSnapshot, 'dueHistory' | 'dueAt' | 'waiting' | 'rescheduledDueAt' | 'receivedAt'> & {
  rescheduledAt?: string | undefined;
};

/** The waiting interval of `kind` that ended at `at`, if any. */
function waitEndingAt(snapshot: Snapshot, kind: 'supplement' | 'pause', at: number) {
  const wait = snapshot.waiting.find((w) => w.kind === kind && w.to !== null && Date.parse(w.to) === at);
  return wait === undefined || wait.to === null ? undefined : { from: Date.parse(wait.from), to: Date.parse(wait.to) };
}

/**
 * The due-date history used for counting under the policies, in order of `effectiveAt`.
 *
 * With the default policies it is the snapshot's `dueHistory` as published
 * ({@link publishedDueHistory}). Otherwise it is replayed step by step with the rules of
 * due-rules.ts:
 * - `supplement: subtract`: a `supplement_restart` step keeps the current due and extends it by
 *   the working time of the supplement wait that ended at that instant ({@link extendedByWaitOf};
 *   none: unchanged);
 * - `rescheduledDue: honoured`: the re-date becomes the due at `rescheduledAt` (a snapshot
 *   published before that field existed: from receipt), after the steps of the same instant;
 * - once the replayed due differs from the published one, a `pause_extension` step extends the
 *   replayed due by the pause's working time (as dossier-tracking does), and a
 *   `supplement_restart` under `restart` replaces it (the clock restarts whatever the due was).
 *   Any other step (`initial`, `calendar_change`, `rescheduled`) sets its due as published.
 * `calendar` must be the working calendar dossier-tracking used (the reference calendar).
 */
export function effectiveDueHistory(
  snapshot: Snapshot,
  policies: CountingPolicies = DEFAULT_COUNTING_POLICIES,
  calendar: DueCalendar = defaultCalendar,
): EffectiveDue[] {
  const published = publishedDueHistory(snapshot);
  const honour = policies.rescheduledDue === 'honoured' && snapshot.rescheduledDueAt !== null;
  if (policies.supplement === 'restart' && !honour) return published;

  const rescheduleStep = honour ? Date.parse(snapshot.rescheduledAt ?? snapshot.receivedAt) : Number.NaN;
  let rescheduled = !honour;
  const result: EffectiveDue[] = [];
  let current: number | null = null;
  let diverged = false;
  const applyReschedule = () => {
    rescheduled = true;
    current = Date.parse(snapshot.rescheduledDueAt!);
    diverged = true;
    result.push({ dueAt: current, effectiveAt: rescheduleStep });
  };
  published.forEach((step, index) => {
    const reason = snapshot.dueHistory[index]?.reason ?? 'initial';
    if (!rescheduled && rescheduleStep < step.effectiveAt) applyReschedule();
    let next: number | null = step.dueAt;
    if (reason === 'supplement_restart' && policies.supplement === 'subtract') {
      const wait = waitEndingAt(snapshot, 'supplement', step.effectiveAt);
      next =
        wait === undefined
          ? extendedByWorkingTime(current, 0, calendar)
          : extendedByWaitOf(current, wait.from, wait.to, calendar);
      diverged = diverged || next !== step.dueAt;
    } else if (reason === 'pause_extension' && diverged) {
      const wait = waitEndingAt(snapshot, 'pause', step.effectiveAt);
      if (wait !== undefined) next = extendedByWaitOf(current, wait.from, wait.to, calendar);
      else {
        // Without the interval: what the published step added.
        const previous = published[index - 1]?.dueAt ?? null;
        const added =
          previous === null || step.dueAt === null ? 0 : calendar.workingMillisBetween(previous, step.dueAt);
        next = extendedByWorkingTime(current, added, calendar);
      }
    }
    current = next;
    result.push({ dueAt: current, effectiveAt: step.effectiveAt });
  });
  if (!rescheduled) applyReschedule();
  return result;
}

const SESSIONS_PER_DAY = 16;
/** How far `sessionOrdinal` looks for a working day (a longer run of days off is unheard of). */
const MAX_DAYS_SEARCHED = 366;

/**
 * The half-day session an instant belongs to, as a number that orders sessions in time (day
 * number × 16 + session index), for `outcomeBy: session`. Sessions are the calendar's (07:00–11:30
 * and 13:30–17:00 by default) on its working days, taken as **closed** intervals [start, end]: an
 * instant inside one belongs to it (11:30 to the morning, 17:00 to the afternoon, so a computed due,
 * which always lies in (session start, session end], is its own session); an instant outside every
 * session (before 07:00, lunch, after 17:00, a day off) belongs to the **next** session. Finish and
 * due use the same rule, so the mapping is monotonic: a dossier finished before its due instant is
 * never late.
 */
export function sessionOrdinal(instant: number, calendar: WorkingCalendar): number {
  const day = dayNumberOf(instant);
  for (let d = day; d <= day + MAX_DAYS_SEARCHED; d++) {
    const index = calendar.sessionsOn(d).findIndex(([, end]) => end >= instant);
    if (index >= 0) return d * SESSIONS_PER_DAY + index;
  }
  throw new RangeError(`no working session within ${MAX_DAYS_SEARCHED} days of ${new Date(instant).toISOString()}`);
}
