import { Inject, Injectable } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import { APP_CONFIG, type AppConfig } from '@tthc/config';
import { partitionOf } from '@tthc/contracts';
import { classifiedOrder, CounterLedger } from '@tthc/counter-ledger';
import type { ClassifiedDossier } from './classified-dossier';

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
      { counters: 'otr_counters', dossiers: 'otr_dossiers', buckets: 'otr_ledger_buckets', meta: 'otr_meta' },
      {
        order: { fields: ['version', 'revision'], of: orderOf },
        bucketOf: (code) => partitionOf(code, config.kafka.eventPartitions),
      },
    );
  }
}
