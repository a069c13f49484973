import { Injectable } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import type { ReportDossier } from '../persistence/report-dossier';
import { overdueNow, type OverdueDossier } from './overdue';
import type { ReportScope } from './scope';
import { COLLECTIONS } from '../collections';

/**
 * Reads `rpt_dossiers` within a {@link ReportScope} only. The overdue list scans the collection
 * (the stand-in scans for any filter but `_id` anyway; projection keeps the transfer small): fine
 * for tens of thousands of stored dossiers, see docs/reporting.md for the planned pending index.
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

  /** The dossiers within the scope that are pending and overdue as of `nowMs`. */
  async overdue(scope: ReportScope, nowMs: number, filters: { field?: string; procedure?: string; channel?: string }) {
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
