import { localDateOf } from '@tthc/calendar';
import type { DossierSnapshot } from '@tthc/contracts';
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
 * CONTRACT §5 as of now: pending (received, not finished, not voided), neither paused nor waiting
 * for a supplement now, and the due date in force now is before today's date.
 */
export function overdueNow(snapshot: DossierSnapshot, nowMs: number): OverdueDossier | null {
  if (snapshot.status === 'voided' || snapshot.finishedAt !== null) return null;
  if (Date.parse(snapshot.receivedAt) > nowMs) return null;
  const inForce = snapshot.dueHistory.filter((change) => Date.parse(change.effectiveAt) <= nowMs).pop();
  const dueAt = snapshot.dueHistory.length === 0 ? snapshot.dueAt : (inForce?.dueAt ?? null);
  if (dueAt === null) return null;
  const waiting = snapshot.waiting.some(
    (interval) => Date.parse(interval.from) <= nowMs && (interval.to === null || Date.parse(interval.to) > nowMs),
  );
  if (waiting) return null;
  const today = localDateOf(nowMs);
  const dueDate = localDateOf(Date.parse(dueAt));
  if (dueDate >= today) return null;
  return {
    code: snapshot.dossierCode,
    agencyCode: snapshot.agencyCode,
    procedureCode: snapshot.procedureCode,
    dueAt,
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
