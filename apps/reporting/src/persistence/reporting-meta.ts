import { Injectable } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import { COLLECTIONS } from '../collections';

const DATA_AS_OF = 'dataAsOf';

/**
 * `rpt_meta` beside the ledger's journal sequence: `{_id: 'dataAsOf', value}`, the newest
 * `emittedAt` of the classified dossiers applied by any replica (what reports show as `dataAsOf`).
 */
@Injectable()
export class ReportingMeta {
  constructor(@InjectConnection() private readonly connection: Connection) {}

  private get meta() {
    return this.connection.collection<{ _id: string; value: string }>(COLLECTIONS.meta);
  }

  async dataAsOf(): Promise<string | null> {
    return (await this.meta.findOne({ _id: DATA_AS_OF }))?.value ?? null;
  }

  /** Raises the stored value to `emittedAt` (never lowers it; ISO instants compare as strings). */
  async noteDataAsOf(emittedAt: string): Promise<void> {
    await this.meta.updateOne({ _id: DATA_AS_OF }, { $max: { value: emittedAt } }, { upsert: true });
  }
}
