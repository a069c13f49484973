import { Injectable } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';

/** `otr_meta` documents of the counting state (the ledger keeps `{_id: 'sequence'}` there too). */
interface MetaDocument {
  _id: string;
  /** `revision`: the counting revision. */
  value?: number;
  /** `gate`: fact batches wait while `closedUntil` (epoch ms) is in the future. */
  closedUntil?: number;
  closedBy?: string;
  /** `rebuild-lock`: the rebuild that holds it. */
  rebuildId?: string;
  at?: string;
}

export interface CountingStateView {
  /** The counting revision outcomes are published with (0 until a rebuild changed a classification). */
  revision: number;
  /** Epoch ms until which a rebuild holds fact consumption (0: open). */
  gateClosedUntil: number;
}

/**
 * The shared counting state of on-time-rate in `otr_meta`: the counting revision
 * (`{_id: 'revision', value}`), the rebuild gate (`{_id: 'gate', closedUntil, closedBy}`) and the
 * one-rebuild-at-a-time lock (`{_id: 'rebuild-lock', rebuildId}`). Filters are on `_id` only.
 */
@Injectable()
export class CountingState {
  constructor(@InjectConnection() private readonly connection: Connection) {}

  private get meta() {
    return this.connection.collection<MetaDocument>('otr_meta');
  }

  async read(): Promise<CountingStateView> {
    const docs = await this.meta.find({ _id: { $in: ['revision', 'gate'] } }).toArray();
    const byId = new Map(docs.map((doc) => [doc._id, doc]));
    return { revision: byId.get('revision')?.value ?? 0, gateClosedUntil: byId.get('gate')?.closedUntil ?? 0 };
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

  async closeGate(rebuildId: string, until: number): Promise<void> {
    await this.meta.updateOne({ _id: 'gate' }, { $set: { closedUntil: until, closedBy: rebuildId } }, { upsert: true });
  }

  async openGate(): Promise<void> {
    await this.meta.updateOne({ _id: 'gate' }, { $set: { closedUntil: 0, closedBy: '' } }, { upsert: true });
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
