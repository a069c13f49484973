import { localDateOf } from '@tthc/calendar';
import type { DossierSnapshot } from '@tthc/contracts';

export type FinishOutcome = 'early' | 'on_time' | 'late';

export interface Classification {
  /** Null while the dossier is not finished. */
  outcome: FinishOutcome | null;
  withdrawn: boolean;
}

/** The due date (instant) in force at a given instant, from the dossier's due-date history. */
export function dueInForceAt(snapshot: Pick<DossierSnapshot, 'dueHistory'>, at: number): string | null {
  let due: string | null = null;
  for (const change of snapshot.dueHistory) {
    if (Date.parse(change.effectiveAt) <= at) due = change.dueAt;
  }
  return due;
}

/**
 * CONTRACT §5 outcome of a finished dossier, by local dates in Asia/Ho_Chi_Minh: finish date
 * before the due date → early, the same date → on time, later → late; no due date → on time;
 * withdrawn → on time and also reported as withdrawn.
 */
export function classify(snapshot: DossierSnapshot): Classification {
  if (snapshot.finishedAt === null) return { outcome: null, withdrawn: false };
  if (snapshot.finishKind === 'withdrawn') return { outcome: 'on_time', withdrawn: true };
  const finishedAt = Date.parse(snapshot.finishedAt);
  const due = dueInForceAt(snapshot, finishedAt);
  if (due === null) return { outcome: 'on_time', withdrawn: false };
  const finishDate = localDateOf(finishedAt);
  const dueDate = localDateOf(Date.parse(due));
  return { outcome: finishDate < dueDate ? 'early' : finishDate === dueDate ? 'on_time' : 'late', withdrawn: false };
}
