import { Inject, Injectable } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import { APP_CONFIG, type AppConfig } from '@tthc/config';
import { partitionOf } from '@tthc/contracts';
import { classifiedOrder, CounterLedger } from '@tthc/counter-ledger';
import type { ReportDossier } from './report-dossier';
import { COLLECTIONS } from '../collections';

/**
 * reporting's counters (`rpt_counters`) and classified dossiers (`rpt_dossiers`), fed by
 * on-time-rate's outcomes; ordered like on-time-rate's (dossier version, then counting revision),
 * writes serialised per partition of `tthc.dossier-outcomes.v1` (`rpt_ledger_buckets`).
 */
@Injectable()
export class ReportingLedger extends CounterLedger<ReportDossier> {
  constructor(@InjectConnection() connection: Connection, @Inject(APP_CONFIG) config: AppConfig) {
    super(
      connection,
      {
        counters: COLLECTIONS.counters,
        dossiers: COLLECTIONS.dossiers,
        buckets: COLLECTIONS.ledgerBuckets,
        meta: COLLECTIONS.meta,
      },
      {
        // From the stored fields, not `version`: documents written before this order have another `version`.
        order: {
          fields: ['dossierVersion', 'revision'],
          of: (doc) => classifiedOrder(doc.dossierVersion, doc.revision),
        },
        bucketOf: (code) => partitionOf(code, config.kafka.eventPartitions),
      },
    );
  }
}
