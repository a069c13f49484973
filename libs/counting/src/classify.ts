import { defaultCalendar, localDateOf, type WorkingCalendar } from '@tthc/calendar';
import type { DossierSnapshot } from '@tthc/contracts';
import { dueInForceOf } from './due-rules';
import { DEFAULT_COUNTING_POLICIES, effectiveDueHistory, sessionOrdinal, type CountingPolicies } from './policies';

export type FinishOutcome = 'early' | 'on_time' | 'late';

export interface Classification {
  /** Null while the dossier is not finished. */
  outcome: FinishOutcome | null;
  withdrawn: boolean;
}

/**
 * docs/counting-rules.md §5 outcome of a finished dossier. By default (`outcomeBy: date`) by local dates in
 * Asia/Ho_Chi_Minh: finish date before the due date → early, the same date → on time, later →
 * late; with `outcomeBy: session` the same comparison on half-day sessions ({@link sessionOrdinal}).
 * The due is the one in force when the dossier finished, under the policies
 * ({@link effectiveDueHistory}). No due date → on time; withdrawn → on time and also reported
 * as withdrawn. `calendar` (the reference working calendar) matters only for non-default policies.
 */
export function classify(
  snapshot: DossierSnapshot,
  policies: CountingPolicies = DEFAULT_COUNTING_POLICIES,
  calendar: WorkingCalendar = defaultCalendar,
): Classification {
  if (snapshot.finishedAt === null) return { outcome: null, withdrawn: false };
  if (snapshot.finishKind === 'withdrawn') return { outcome: 'on_time', withdrawn: true };
  const finishedAt = Date.parse(snapshot.finishedAt);
  const due = dueInForceOf(effectiveDueHistory(snapshot, policies, calendar), finishedAt);
  if (due === null) return { outcome: 'on_time', withdrawn: false };
  if (policies.outcomeBy === 'session') {
    const finish = sessionOrdinal(finishedAt, calendar);
    const dueSession = sessionOrdinal(due, calendar);
    return { outcome: finish < dueSession ? 'early' : finish === dueSession ? 'on_time' : 'late', withdrawn: false };
  }
  const finishDate = localDateOf(finishedAt);
  const dueDate = localDateOf(due);
  return { outcome: finishDate < dueDate ? 'early' : finishDate === dueDate ? 'on_time' : 'late', withdrawn: false };
}
