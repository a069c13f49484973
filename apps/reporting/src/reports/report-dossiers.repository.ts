import { Injectable } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import { localDateOf } from '@tthc/calendar';
import type { DossierSnapshot } from '@tthc/contracts';
import { LEDGER_SEQUENCE_ID, type IndexOwnerDocument, type LedgerSequenceDocument } from '@tthc/counter-ledger';
import type { ReportDossier } from '../persistence/report-dossier';
import { overdueNow, pageOf, type OverdueDossier, type OverdueSort } from './overdue';
import {
  byDueDate,
  compareOverdueKeys,
  dateOfCountId,
  datesRange,
  OVERDUE_INDEX_COLLECTIONS,
  OVERDUE_INDEX_MARK,
  overdueIndexComplete,
  overdueRange,
  planPage,
  treeFingerprint,
  type OverdueIndexMark,
} from './overdue-index';
import type { ReportScope } from './scope';
import { COLLECTIONS } from '../collections';

type Filters = { field?: string; procedure?: string; channel?: string };

interface OverdueEntry {
  _id: string;
  code: string;
}

/** One page of the overdue list and the total it is a page of. */
export interface OverduePage {
  items: OverdueDossier[];
  total: number;
  /** Where it was read from: the overdue index, or the scan (restated, or the index not complete). */
  source: 'index' | 'scan';
}

/**
 * Reads `rpt_dossiers` and the overdue index within a {@link ReportScope} only. The overdue list
 * reads the index (`_id` ranges of the scope's entries, docs/reporting.md "Overdue list"); with
 * `restate=true`, or while the index is not complete for the current agency tree (the maintenance
 * mark), it scans `rpt_dossiers`.
 */
@Injectable()
export class ReportDossiersRepository {
  constructor(@InjectConnection() private readonly connection: Connection) {}

  private get dossiers() {
    return this.connection.collection<ReportDossier>(COLLECTIONS.dossiers);
  }

  /**
   * The stored dossier within the scope, or null. Unknown and outside the scope are one answer: a
   * key must not learn which dossier codes exist (docs/reporting.md).
   */
  async dossier(scope: ReportScope, code: string): Promise<ReportDossier | null> {
    const found = await this.dossiers.findOne({ _id: code });
    return found === null || !scope.includes(scope.attribute(found.agencyCode)) ? null : found;
  }

  private get entries() {
    return this.connection.collection<OverdueEntry>(OVERDUE_INDEX_COLLECTIONS.entries);
  }

  private get counts() {
    return this.connection.collection<{ _id: string; n: number }>(OVERDUE_INDEX_COLLECTIONS.counts);
  }

  private get owners() {
    return this.connection.collection<IndexOwnerDocument>(OVERDUE_INDEX_COLLECTIONS.owners);
  }

  /**
   * Whether the overdue index may answer for the scope's agency tree: the maintenance mark and the
   * ledger's sequence (one `_id` read of `rpt_meta`), see `overdueIndexComplete`.
   */
  async overdueIndexComplete(scope: ReportScope): Promise<boolean> {
    const docs = await this.connection
      .collection<OverdueIndexMark & LedgerSequenceDocument>(COLLECTIONS.meta)
      .find({ _id: { $in: [OVERDUE_INDEX_MARK, LEDGER_SEQUENCE_ID] } })
      .toArray();
    const mark = docs.find((doc) => doc._id === OVERDUE_INDEX_MARK);
    const sequence = docs.find((doc) => doc._id === LEDGER_SEQUENCE_ID);
    return overdueIndexComplete(mark, sequence, treeFingerprint(scope.agencyTree));
  }

  /**
   * One page of the dossiers within the scope that are pending and overdue as of `nowMs`, and their
   * total. Sorted by due date (`dueAt`, `daysOverdue`) without filters: the total from the counts
   * of the dates before today, the page from the entries of the dates that hold it. Otherwise the
   * scope's entries due before today are read, filtered and sorted (bounded by the overdue
   * dossiers of the scope, not by all dossiers).
   */
  async overduePage(
    scope: ReportScope,
    nowMs: number,
    filters: Filters,
    query: { sort: OverdueSort; order: 'asc' | 'desc'; page: number; pageSize: number },
  ): Promise<OverduePage> {
    const { sort, order, page, pageSize } = query;
    if (scope.restate || !(await this.overdueIndexComplete(scope))) {
      const all = await this.overdue(scope, nowMs, filters);
      return { items: pageOf(all, sort, order, page, pageSize), total: all.length, source: 'scan' };
    }
    const root = scope.agency.code;
    const today = localDateOf(nowMs);
    const byDate = byDueDate(sort, order);
    const filtered = filters.field !== undefined || filters.procedure !== undefined || filters.channel !== undefined;
    if (byDate !== null && !filtered) {
      const range = overdueRange(root, today);
      const counts = await this.counts
        .find({ _id: { $gte: range.from, $lt: range.to } }, { projection: { n: 1 } })
        .toArray();
      const plan = planPage(
        counts.map(({ _id, n }) => ({ date: dateOfCountId(_id), n })),
        byDate.ascending,
        page,
        pageSize,
      );
      const first = plan.dates.reduce<string | null>((min, d) => (min === null || d < min ? d : min), null);
      const last = plan.dates.reduce<string | null>((max, d) => (max === null || d > max ? d : max), null);
      if (first === null || last === null) return { items: [], total: plan.total, source: 'index' };
      const span = datesRange(root, first, last);
      const entries = await this.entries
        .find({ _id: { $gte: span.from, $lt: span.to } }, { projection: { code: 1 } })
        .toArray();
      const compare = compareOverdueKeys(byDate.sort, order);
      const candidates = entries.sort((a, b) => compare(a._id, b._id)).slice(plan.skip);
      // The page's dossiers only: more when some are not overdue after all (see docs/reporting.md).
      const items: OverdueDossier[] = [];
      for (let next = 0; next < candidates.length && items.length < pageSize;) {
        const chunk = candidates.slice(next, next + pageSize - items.length);
        next += chunk.length;
        items.push(...(await this.decided(scope, nowMs, chunk)));
      }
      return { items: pageOf(items, sort, order, 1, items.length), total: plan.total, source: 'index' };
    }
    const range = overdueRange(root, today);
    const items = await this.overdueEntries(scope, nowMs, {
      _id: { $gte: range.from, $lt: range.to },
      ...(filters.field === undefined ? {} : { field: filters.field }),
      ...(filters.procedure === undefined ? {} : { procedure: filters.procedure }),
      ...(filters.channel === undefined ? {} : { channel: filters.channel }),
    });
    return { items: pageOf(items, sort, order, page, pageSize), total: items.length, source: 'index' };
  }

  /**
   * The overdue dossiers of the index entries matching `filter` (sorted by `_id`), decided on
   * their owner records and dossiers (one `$in` read each): an entry counts only if its dossier
   * owns it (`rpt_overdue_owners`; a writer paused through newer journals may have put back an
   * entry they removed), lies within
   * the scope (the agency tree may have changed since the entry was written) and is overdue now
   * (`overdueNow` on the stored snapshot).
   */
  private async overdueEntries(scope: ReportScope, nowMs: number, filter: object): Promise<OverdueDossier[]> {
    const entries = await this.entries.find(filter, { sort: { _id: 1 }, projection: { code: 1 } }).toArray();
    return this.decided(scope, nowMs, entries);
  }

  /** {@link overdueEntries} for entries already read. */
  private async decided(
    scope: ReportScope,
    nowMs: number,
    entries: readonly { _id: string; code: string }[],
  ): Promise<OverdueDossier[]> {
    if (entries.length === 0) return [];
    const codes = { _id: { $in: [...new Set(entries.map((entry) => entry.code))] } };
    const [owners, dossiers] = await Promise.all([
      this.owners.find(codes, { projection: { keys: 1 } }).toArray(),
      this.dossiers.find(codes, { projection: { snapshot: 1, countingDue: 1 } }).toArray(),
    ]);
    const keysOf = new Map(owners.map((owner) => [owner._id, new Set(owner.keys)]));
    const byCode = new Map(
      dossiers.map((doc) => [
        doc._id,
        doc as { snapshot: DossierSnapshot; countingDue?: ReportDossier['countingDue'] },
      ]),
    );
    const result: OverdueDossier[] = [];
    for (const entry of entries) {
      if (keysOf.get(entry.code)?.has(entry._id) !== true) continue;
      const dossier = byCode.get(entry.code);
      if (dossier === undefined || !scope.includes(scope.attribute(dossier.snapshot.agencyCode))) continue;
      const overdue = overdueNow(dossier.snapshot, nowMs, dossier.countingDue);
      if (overdue !== null) result.push(overdue);
    }
    return result;
  }

  /** The dossiers within the scope that are pending and overdue as of `nowMs` (a scan of `rpt_dossiers`). */
  async overdue(scope: ReportScope, nowMs: number, filters: Filters) {
    const result: OverdueDossier[] = [];
    const cursor = this.dossiers.find({}, { projection: { snapshot: 1, agencyCode: 1, countingDue: 1 } });
    for await (const doc of cursor) {
      const snapshot = doc.snapshot;
      if (!scope.includes(scope.attribute(doc.agencyCode))) continue;
      if (filters.field !== undefined && snapshot.fieldCode !== filters.field) continue;
      if (filters.procedure !== undefined && snapshot.procedureCode !== filters.procedure) continue;
      if (filters.channel !== undefined && snapshot.channel !== filters.channel) continue;
      const overdue = overdueNow(snapshot, nowMs, doc.countingDue);
      if (overdue !== null) result.push({ ...overdue, agencyCode: scope.attribute(overdue.agencyCode) });
    }
    return result;
  }
}
