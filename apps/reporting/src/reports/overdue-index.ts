import { createHash } from 'node:crypto';
import { localDateOf } from '@tthc/calendar';
import type { CountingDueStep, DossierSnapshot } from '@tthc/contracts';
import { journalsWithoutIndex, type LedgerSequenceDocument } from '@tthc/counter-ledger';
import { countingHistoryOf, settledDueOf } from '@tthc/counting';
import type { AgencyTree } from '@tthc/reference';
import { COLLECTIONS } from '../collections';
import type { OverdueSort } from './overdue';

/**
 * The overdue index (docs/reporting.md, "Overdue list"): one entry per pending dossier with a due
 * date and not waiting, for each scope that sees it (`*` and every agency of its ancestry), keyed
 * `scope␟dueDate␟dueAt␟code` (␟ = U+001F, below every printable character, so a scope's entries
 * are one `_id` range ordered by local due date, due instant, code), and one count per
 * `scope␟dueDate`. Pure: the keys, the membership and the page plan.
 */

export const OVERDUE_INDEX_COLLECTIONS = {
  entries: COLLECTIONS.overdueEntries,
  counts: COLLECTIONS.overdueCounts,
  owners: COLLECTIONS.overdueOwners,
} as const;

/** `_id` of the maintenance mark in `rpt_meta` (persistence/overdue-index-maintenance.ts). */
export const OVERDUE_INDEX_MARK = 'overdueIndex';

/**
 * The maintenance mark: the index is complete for agency tree `tree` (its fingerprint) and for
 * the dossier documents written up to the moment `withoutIndex` ({@link journalsWithoutIndex})
 * was read. Written by an index maintenance run after it has applied every dossier that needed it.
 */
export interface OverdueIndexMark {
  _id: string;
  tree?: string;
  withoutIndex?: number;
  at?: string;
}

const fingerprints = new WeakMap<AgencyTree, string>();

/** A digest of the agency tree as the index keys use it (each agency's parent); cached per tree. */
export function treeFingerprint(tree: AgencyTree): string {
  const known = fingerprints.get(tree);
  if (known !== undefined) return known;
  const lines = tree
    .all()
    .map((agency) => `${agency.code}>${agency.parentCode ?? ''}`)
    .sort();
  const digest = createHash('sha256').update(lines.join('\n')).digest('hex');
  fingerprints.set(tree, digest);
  return digest;
}

/**
 * Whether the index may answer the list: the mark says it is complete for this tree, and no
 * journal without an index part (an older reporting version's write) has been completed since.
 * Otherwise the list is answered from the scan.
 */
export function overdueIndexComplete(
  mark: OverdueIndexMark | null | undefined,
  sequence: LedgerSequenceDocument | null | undefined,
  fingerprint: string,
): boolean {
  return (
    mark !== null &&
    mark !== undefined &&
    mark.tree === fingerprint &&
    mark.withoutIndex !== undefined &&
    mark.withoutIndex === journalsWithoutIndex(sequence)
  );
}

export const SEP = '\u001f';

/**
 * The due instant a snapshot is indexed under (ISO), or null when it is not in the index: the
 * rules' settled due (`settledDueOf`) of the due history counted with (`countingDue` from the
 * outcome, else the published one), so the index orders by the same due `overdueNow` judges with.
 */
export function indexedDueAt(snapshot: DossierSnapshot, countingDue?: readonly CountingDueStep[]): string | null {
  const due = settledDueOf(snapshot, countingHistoryOf(snapshot, countingDue));
  return due === null || Number.isNaN(due) ? null : new Date(due).toISOString();
}

/** The entry keys of a snapshot: one per scope (`*` and `ancestry`, the agency first), none when not indexed. */
export function overdueKeysOf(
  snapshot: DossierSnapshot,
  ancestry: readonly string[],
  countingDue?: readonly CountingDueStep[],
): string[] {
  const due = indexedDueAt(snapshot, countingDue);
  if (due === null) return [];
  const dueDate = localDateOf(Date.parse(due));
  const scopes = [...new Set(['*', ...ancestry])];
  return scopes.map((scope) => [scope, dueDate, due, snapshot.dossierCode].join(SEP));
}

/** The count an entry key belongs to: `scope␟dueDate`. */
export function countIdOf(key: string): string {
  const parts = key.split(SEP);
  return `${parts[0] ?? ''}${SEP}${parts[1] ?? ''}`;
}

/**
 * The stored body of a dossier's entries: the dossier code and the filter fields. The snapshot
 * `overdueNow` decides on is read from the owning dossier (`rpt_dossiers`) with the page.
 */
export function overdueEntryBody(snapshot: DossierSnapshot): Record<string, unknown> {
  return {
    code: snapshot.dossierCode,
    agency: snapshot.agencyCode,
    field: snapshot.fieldCode,
    procedure: snapshot.procedureCode,
    channel: snapshot.channel,
  };
}

/** `_id` bounds of a scope's entries (or counts) due before `today`: `[from, to)`. */
export function overdueRange(scope: string, today: string): { from: string; to: string } {
  return { from: `${scope}${SEP}`, to: `${scope}${SEP}${today}` };
}

/** `_id` bounds of a scope's entries due from `first` to `last` (local dates, inclusive). */
export function datesRange(scope: string, first: string, last: string): { from: string; to: string } {
  return { from: `${scope}${SEP}${first}${SEP}`, to: `${scope}${SEP}${last}${SEP}\uffff` };
}

/** The local due date of a count id. */
export function dateOfCountId(id: string): string {
  return id.slice(id.lastIndexOf(SEP) + 1);
}

/** The parts of an entry key. */
export function parseOverdueKey(key: string): { scope: string; dueDate: string; dueAt: string; code: string } {
  const [scope = '', dueDate = '', dueAt = '', ...code] = key.split(SEP);
  return { scope, dueDate, dueAt, code: code.join(SEP) };
}

/**
 * Orders entry keys of one scope as `pageOf` orders their dossiers (`dueAt`: by due instant;
 * `daysOverdue`: by local due date, reversed; ties by code), so a page's dossiers are read alone.
 */
export function compareOverdueKeys(sort: 'dueAt' | 'daysOverdue', order: 'asc' | 'desc') {
  const sign = order === 'asc' ? 1 : -1;
  const compare = (a: string | number, b: string | number) => (a < b ? -1 : a > b ? 1 : 0);
  return (a: string, b: string): number => {
    const left = parseOverdueKey(a);
    const right = parseOverdueKey(b);
    const primary =
      sort === 'dueAt'
        ? compare(Date.parse(left.dueAt), Date.parse(right.dueAt))
        : -compare(left.dueDate, right.dueDate);
    return sign * primary || compare(left.code, right.code);
  };
}

/** Whether a sort is served by due-date order: ascending dates for `ascending`. */
export function byDueDate(
  sort: OverdueSort,
  order: 'asc' | 'desc',
): { sort: 'dueAt' | 'daysOverdue'; ascending: boolean } | null {
  if (sort === 'dueAt') return { sort, ascending: order === 'asc' };
  if (sort === 'daysOverdue') return { sort, ascending: order === 'desc' };
  return null;
}

/**
 * Which due dates hold a page: walking the dates in the sort's direction, those whose entries
 * overlap `[offset, offset + pageSize)`, and how many entries of them come before the page.
 */
export function planPage(
  counts: readonly { date: string; n: number }[],
  ascending: boolean,
  page: number,
  pageSize: number,
): { dates: string[]; skip: number; total: number } {
  const ordered = [...counts].filter((c) => c.n > 0).sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  if (!ascending) ordered.reverse();
  const total = ordered.reduce((sum, c) => sum + c.n, 0);
  const offset = (page - 1) * pageSize;
  const dates: string[] = [];
  let before = 0;
  let skip = 0;
  for (const { date, n } of ordered) {
    const start = before;
    before += n;
    if (before <= offset) continue;
    if (start >= offset + pageSize) break;
    if (dates.length === 0) skip = offset - start;
    dates.push(date);
  }
  return { dates, skip, total };
}
