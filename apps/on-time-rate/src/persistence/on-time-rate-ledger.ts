import { Injectable } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import { CounterLedger } from '@tthc/counting';
import type { ClassifiedDossier } from './classified-dossier';

/** Revisions per dossier version the order key leaves room for (2^20). */
const REVISION_SPAN = 1_048_576;

/**
 * The order of a dossier's documents: by version, then by counting revision. A newer version
 * always wins (a redelivered older fact never rolls a dossier back, whatever its revision); for
 * the same version, a rebuild's reclassification under a higher revision replaces the old one.
 */
export function orderOf(document: Pick<ClassifiedDossier, 'version' | 'revision'>): number {
  return document.version * REVISION_SPAN + (document.revision ?? 0);
}

/** on-time-rate's counters (`otr_counters`) and classified dossiers (`otr_dossiers`). */
@Injectable()
export class OnTimeRateLedger extends CounterLedger<ClassifiedDossier> {
  constructor(@InjectConnection() db: Connection) {
    super(
      db,
      {
        counters: 'otr_counters',
        journals: 'otr_journals',
        dossiers: 'otr_dossiers',
        meta: 'otr_meta',
      },
      { fields: ['version', 'revision'], of: orderOf },
    );
  }
}
