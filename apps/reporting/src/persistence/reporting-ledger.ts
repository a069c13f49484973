import { Inject, Injectable } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import { APP_CONFIG, type AppConfig } from '@tthc/config';
import { partitionOf } from '@tthc/contracts';
import { classifiedOrder, CounterLedger } from '@tthc/counter-ledger';
import { ReferenceData } from '@tthc/reference';
import {
  countIdOf,
  OVERDUE_INDEX_COLLECTIONS,
  overdueEntryBody,
  overdueKeysOf,
  treeFingerprint,
} from '../reports/overdue-index';
import type { ReportDossier } from './report-dossier';
import { COLLECTIONS } from '../collections';

/**
 * reporting's counters (`rpt_counters`) and classified dossiers (`rpt_dossiers`), fed by
 * on-time-rate's outcomes; ordered like on-time-rate's (dossier version, then counting revision),
 * writes serialised per partition of `tthc.dossier-outcomes.v1` (`rpt_ledger_buckets`). The
 * overdue index (`rpt_overdue`, `rpt_overdue_counts`, `rpt_overdue_owners`) is written by the same
 * journals, its scopes from the agency tree of the reference data when the journal is computed (its
 * fingerprint kept with each dossier's owned keys).
 */
@Injectable()
export class ReportingLedger extends CounterLedger<ReportDossier> {
  constructor(
    @InjectConnection() connection: Connection,
    @Inject(APP_CONFIG) config: AppConfig,
    reference: ReferenceData,
  ) {
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
        index: {
          ...OVERDUE_INDEX_COLLECTIONS,
          keysOf: (doc) => overdueKeysOf(doc.snapshot, reference.agencies().ancestry(doc.agencyCode), doc.countingDue),
          version: () => treeFingerprint(reference.agencies()),
          bodyOf: (doc) => overdueEntryBody(doc.snapshot),
          countOf: countIdOf,
        },
      },
    );
  }
}
