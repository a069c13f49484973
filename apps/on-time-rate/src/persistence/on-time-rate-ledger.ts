import { Injectable } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import { CounterLedger } from '@tthc/counting';
import type { ClassifiedDossier } from './classified-dossier';

/** on-time-rate's counters (`otr_counters`) and classified dossiers (`otr_dossiers`). */
@Injectable()
export class OnTimeRateLedger extends CounterLedger<ClassifiedDossier> {
  constructor(@InjectConnection() connection: Connection) {
    super(connection, {
      counters: 'otr_counters',
      journals: 'otr_journals',
      dossiers: 'otr_dossiers',
      meta: 'otr_meta',
    });
  }
}
