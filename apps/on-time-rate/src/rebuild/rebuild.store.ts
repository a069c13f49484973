import { Injectable } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import type { CounterIncrement } from '@tthc/counting';
import { COLLECTIONS } from '../collections';

export type RebuildState = 'queued' | 'running' | 'completed' | 'failed';

/** Differing counters whose values are kept (the count goes on beyond it). */
export const MAX_DIFFERENCE_SAMPLE = 100;

export interface CounterDifference {
  /** The counter id: `agency|field|procedure|channel|date`. */
  id: string;
  /** Non-zero metrics of the counter as kept incrementally (`otr_counters`). */
  incremental: CounterIncrement;
  /** Non-zero metrics of the counter rebuilt from the dossier snapshots. */
  rebuilt: CounterIncrement;
}

/** A rebuild in `otr_rebuilds` (`_id` = rebuild id). */
export interface RebuildDocument {
  _id: string;
  state: RebuildState;
  /** The counting policies it classified with (`describePolicies`). */
  policies: string | null;
  /** Stored dossiers to reclassify, and how many were. */
  total: number;
  processed: number;
  /** Non-zero counters of the rebuilt set. */
  counters: number;
  /** Counters whose incremental values differed from the rebuilt ones when compared. */
  differences: { count: number; sample: CounterDifference[] };
  /** Dossiers whose classification changed (republished with `revision`). */
  changedDossiers: number;
  republished: number;
  /** The counting revision after the rebuild; while running, the one it corrects to once decided. */
  revision: number | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  error: string | null;
}

export interface RebuildView {
  id: string;
  state: RebuildState;
  policies: string | null;
  total: number;
  processed: number;
  percent: number;
  counters: number;
  differences: { count: number; sample: CounterDifference[] };
  changedDossiers: number;
  republished: number;
  revision: number | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  error: string | null;
}

export function viewOf(doc: RebuildDocument): RebuildView {
  const { _id, ...rest } = doc;
  const percent = doc.state === 'completed' ? 100 : doc.total === 0 ? 0 : Math.floor((doc.processed / doc.total) * 100);
  return { id: _id, ...rest, percent };
}

/** Rebuilds in MongoDB; every read and write filters on `_id` alone. */
@Injectable()
export class RebuildStore {
  constructor(@InjectConnection() private readonly connection: Connection) {}

  private get rebuilds() {
    return this.connection.collection<RebuildDocument>(COLLECTIONS.rebuilds);
  }

  async create(id: string): Promise<RebuildDocument> {
    const doc: RebuildDocument = {
      _id: id,
      state: 'queued',
      policies: null,
      total: 0,
      processed: 0,
      counters: 0,
      differences: { count: 0, sample: [] },
      changedDossiers: 0,
      republished: 0,
      revision: null,
      createdAt: new Date().toISOString(),
      startedAt: null,
      finishedAt: null,
      error: null,
    };
    await this.rebuilds.insertOne(doc);
    return doc;
  }

  get(id: string): Promise<RebuildDocument | null> {
    return this.rebuilds.findOne({ _id: id });
  }

  async update(id: string, set: Partial<Omit<RebuildDocument, '_id'>>): Promise<void> {
    await this.rebuilds.updateOne({ _id: id }, { $set: set });
  }
}
