import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { VersionedStore } from '@tthc/persistence';
import { ReportDossier } from './report-dossier.schema';

/** `rpt_dossiers`, newest version per dossier. */
@Injectable()
export class ReportDossierRepository extends VersionedStore<ReportDossier> {
  constructor(@InjectModel(ReportDossier.name) dossiers: Model<ReportDossier>) {
    super(dossiers);
  }
}
