import { Injectable } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import { CounterLedger } from '@tthc/counting';
import type { ReportDossier } from './report-dossier';

/** reporting's counters (`rpt_counters`) and classified dossiers (`rpt_dossiers`), fed by on-time-rate's outcomes. */
@Injectable()
export class ReportingLedger extends CounterLedger<ReportDossier> {
  constructor(@InjectConnection() connection: Connection) {
    super(connection, {
      counters: 'rpt_counters',
      journals: 'rpt_journals',
      dossiers: 'rpt_dossiers',
      meta: 'rpt_meta',
    });
  }
}
