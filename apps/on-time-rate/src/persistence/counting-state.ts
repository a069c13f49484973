import { Injectable } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import { COLLECTIONS } from '../collections';

/** `otr_meta` documents of the counting state (the ledger keeps `{_id: 'sequence'}` there too). */
interface MetaDocument {
  _id: string;
  /** `revision`: the counting revision. */
  value?: number;
  /** `rebuild-lock`: the rebuild that holds it. */
  rebuildId?: string;
  at?: string;
}

/**
 * The shared counting state of on-time-rate in `otr_meta`: the counting revision
 * (`{_id: 'revision', value}`) and the
 * one-rebuild-at-a-time lock (`{_id: 'rebuild-lock', rebuildId}`). Filters are on `_id` only.
 */
@Injectable()
export class CountingState {
  constructor(@InjectConnection() private readonly connection: Connection) {}

  private get meta() {
    return this.connection.collection<MetaDocument>(COLLECTIONS.meta);
  }

  async revision(): Promise<number> {
    return (await this.meta.findOne({ _id: 'revision' }))?.value ?? 0;
  }

  /** Raises the revision to at least `revision` (never lowers it; repeating it changes nothing). */
  async raiseRevision(revision: number): Promise<number> {
    const doc = await this.meta.findOneAndUpdate(
      { _id: 'revision' },
      { $max: { value: revision }, $set: { at: new Date().toISOString() } },
      { upsert: true, returnDocument: 'after' },
    );
    return doc?.value ?? revision;
  }

  /** Takes the rebuild lock; the id of the rebuild holding it when it is taken already. */
  async lock(rebuildId: string): Promise<string | null> {
    try {
      await this.meta.insertOne({ _id: 'rebuild-lock', rebuildId, at: new Date().toISOString() });
      return null;
    } catch (error) {
      if ((error as { code?: unknown }).code !== 11000) throw error;
      return (await this.meta.findOne({ _id: 'rebuild-lock' }))?.rebuildId ?? '';
    }
  }

  /** Releases the lock if `rebuildId` holds it (read, then delete by `_id`). */
  async unlock(rebuildId: string): Promise<void> {
    const lock = await this.meta.findOne({ _id: 'rebuild-lock' });
    if (lock !== null && lock.rebuildId === rebuildId) await this.meta.deleteOne({ _id: 'rebuild-lock' });
  }
}
