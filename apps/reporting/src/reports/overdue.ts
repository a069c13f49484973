import { localDateOf } from '@tthc/calendar';
import type { CountingDueStep, DossierSnapshot } from '@tthc/contracts';
import { countingHistoryOf, pendingStateAt } from '@tthc/counting';
import { daysBetween } from './periods';

/** A pending overdue dossier as the overdue list shows it (before names are added). */
export interface OverdueDossier {
  code: string;
  agencyCode: string;
  procedureCode: string;
  dueAt: string;
  /** Local date of the due instant. */
  dueDate: string;
  /** Calendar days from the due date to today. */
  daysOverdue: number;
}

/**
 * The list entry of a dossier overdue as of `nowMs`, or null (docs/counting-rules.md §6, one definition:
 * `pendingStateAt` of libs/counting's due rules with today as the date to be due before). The due
 * history is the one on-time-rate counted the dossier with (`countingDue`, its policies applied),
 * so the list agrees with the summaries' `pending.overdue`; without it (an outcome of before
 * issue 14) the snapshot's published history. Pure: the overdue index calls it per stored record.
 */
export function overdueNow(
  snapshot: DossierSnapshot,
  nowMs: number,
  countingDue?: readonly CountingDueStep[],
): OverdueDossier | null {
  const pending = pendingStateAt(snapshot, countingHistoryOf(snapshot, countingDue), nowMs);
  if (pending.state !== 'overdue') return null;
  const today = localDateOf(nowMs);
  const dueDate = localDateOf(pending.due);
  return {
    code: snapshot.dossierCode,
    agencyCode: snapshot.agencyCode,
    procedureCode: snapshot.procedureCode,
    dueAt: new Date(pending.due).toISOString(),
    dueDate,
    daysOverdue: daysBetween(dueDate, today),
  };
}

export const OVERDUE_SORTS = ['dueAt', 'daysOverdue', 'code', 'agency'] as const;
export type OverdueSort = (typeof OVERDUE_SORTS)[number];

const compare = (a: string | number, b: string | number) => (a < b ? -1 : a > b ? 1 : 0);

/** Sorts (ties by code) and cuts one page. */
export function pageOf(
  items: readonly OverdueDossier[],
  sort: OverdueSort,
  order: 'asc' | 'desc',
  page: number,
  pageSize: number,
): OverdueDossier[] {
  const sign = order === 'asc' ? 1 : -1;
  const keyOf = (item: OverdueDossier): string | number =>
    sort === 'dueAt'
      ? Date.parse(item.dueAt)
      : sort === 'daysOverdue'
        ? item.daysOverdue
        : sort === 'code'
          ? item.code
          : item.agencyCode;
  return [...items]
    .sort((a, b) => sign * compare(keyOf(a), keyOf(b)) || compare(a.code, b.code))
    .slice((page - 1) * pageSize, page * pageSize);
}
