import { Inject, Injectable } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import { APP_CONFIG, type AppConfig } from '@tthc/config';
import { partitionOf } from '@tthc/contracts';
import { classifiedOrder, CounterLedger } from '@tthc/counter-ledger';
import type { ClassifiedDossier } from './classified-dossier';
import { COLLECTIONS } from '../collections';

/** The ledger order of on-time-rate's dossiers (libs/counting `classifiedOrder`: version, then revision). */
export function orderOf(document: Pick<ClassifiedDossier, 'version' | 'revision'>): number {
  return classifiedOrder(document.version, document.revision);
}

/**
 * on-time-rate's counters (`otr_counters`) and classified dossiers (`otr_dossiers`); writes are
 * serialised per partition of `tthc.dossier-facts.v1` (`otr_ledger_buckets`).
 */
@Injectable()
export class OnTimeRateLedger extends CounterLedger<ClassifiedDossier> {
  constructor(@InjectConnection() db: Connection, @Inject(APP_CONFIG) config: AppConfig) {
    super(
      db,
      {
        counters: COLLECTIONS.counters,
        dossiers: COLLECTIONS.dossiers,
        buckets: COLLECTIONS.ledgerBuckets,
        meta: COLLECTIONS.meta,
      },
      {
        order: { fields: ['version', 'revision'], of: orderOf },
        bucketOf: (code) => partitionOf(code, config.kafka.eventPartitions),
      },
    );
  }
}
