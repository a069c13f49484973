import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { ReportDossier } from './report-dossier.schema';

@Injectable()
export class ReportDossierRepository {
  constructor(@InjectModel(ReportDossier.name) private readonly dossiers: Model<ReportDossier>) {}

  async versionsOf(codes: readonly string[]): Promise<Map<string, number>> {
    if (codes.length === 0) return new Map();
    const docs = await this.dossiers
      .find({ _id: { $in: codes } }, { version: 1 })
      .lean<{ _id: string; version: number }[]>();
    return new Map(docs.map((doc) => [doc._id, doc.version]));
  }

  async save(records: readonly ReportDossier[]): Promise<void> {
    if (records.length === 0) return;
    await this.dossiers.bulkWrite(
      records.map((record) => ({ replaceOne: { filter: { _id: record._id }, replacement: record, upsert: true } })),
      { ordered: false },
    );
  }
}
