import { Inject, Injectable } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import type { DeadLetterEntry, DeadLetterSink } from '@tthc/kafka';
import { duplicateKeyIndexes } from '@tthc/persistence';
import {
  recordUpdateOf,
  STALE_CLAIM_MS,
  type DeadLetterDocument,
  type DeadLetterStatus,
  type RedriveResult,
} from './dead-letter-record';

export const DEAD_LETTERS_OPTIONS = Symbol('DEAD_LETTERS_OPTIONS');

export interface DeadLettersOptions {
  /** The service's collection prefix (`tracking`, `otr`, `rpt`): dead letters live in `<prefix>_dead_letters`. */
  collectionPrefix: string;
}

export interface DeadLetterFilter {
  topic?: string;
  status?: DeadLetterStatus;
}

/**
 * The service's dead letters in MongoDB (`<prefix>_dead_letters`, `_id` = topic|partition|offset|group),
 * and the {@link DeadLetterSink} the consumer records them through. Status changes are
 * compare-and-set on `_id` + status, so two replicas never redrive or discard the same letter twice.
 */
@Injectable()
export class DeadLetterRepository implements DeadLetterSink {
  constructor(
    @InjectConnection() private readonly connection: Connection,
    @Inject(DEAD_LETTERS_OPTIONS) private readonly options: DeadLettersOptions,
  ) {}

  get collectionName(): string {
    return `${this.options.collectionPrefix}_dead_letters`;
  }

  private get letters() {
    return this.connection.collection<DeadLetterDocument>(this.collectionName);
  }

  /** Records dead letters; a letter recorded before keeps its status and first failure time. */
  async record(entries: readonly DeadLetterEntry[]): Promise<void> {
    if (entries.length === 0) return;
    let operations = entries.map((entry) => {
      const { id, onInsert, always } = recordUpdateOf(entry);
      return {
        updateOne: {
          filter: { _id: id },
          update: { $setOnInsert: onInsert, $set: always, $inc: { recorded: 1 } },
          upsert: true,
        },
      };
    });
    // Two consumers recording the same new letter at once: the loser retries as an update.
    for (let attempt = 1; operations.length > 0; attempt++) {
      try {
        await this.letters.bulkWrite(operations, { ordered: false });
        operations = [];
      } catch (error) {
        const duplicates = duplicateKeyIndexes(error);
        if (duplicates === null || attempt >= 3) throw error;
        operations = duplicates.map((index) => operations[index]).filter((op) => op !== undefined);
      }
    }
  }

  async get(id: string): Promise<DeadLetterDocument | null> {
    return this.letters.findOne({ _id: id });
  }

  /** A page of dead letters, newest first failure first. */
  async list(
    filter: DeadLetterFilter,
    limit: number,
    offset: number,
  ): Promise<{ total: number; items: DeadLetterDocument[] }> {
    const query: Record<string, string> = {};
    if (filter.topic !== undefined) query.sourceTopic = filter.topic;
    if (filter.status !== undefined) query.status = filter.status;
    const [total, items] = await Promise.all([
      this.letters.countDocuments(query),
      this.letters.find(query).sort({ firstFailedAt: -1, _id: 1 }).skip(offset).limit(limit).toArray(),
    ]);
    return { total, items };
  }

  /** Ids of the open dead letters of a topic, oldest first (a bulk redrive keeps their order). */
  async openIdsOf(topic: string): Promise<string[]> {
    const open = await this.letters
      .find({ sourceTopic: topic, status: 'open' }, { projection: { _id: 1, partition: 1, offset: 1 } })
      .toArray();
    return open
      .sort((a, b) => a.partition - b.partition || compareOffsets(a.offset, b.offset))
      .map((document) => document._id);
  }

  /** Open dead letters per source topic (the `tthc_dead_letters_open` gauge). */
  async openCountsByTopic(): Promise<Map<string, number>> {
    const open = await this.letters.find({ status: 'open' }, { projection: { sourceTopic: 1 } }).toArray();
    const counts = new Map<string, number>();
    for (const { sourceTopic } of open) counts.set(sourceTopic, (counts.get(sourceTopic) ?? 0) + 1);
    return counts;
  }

  /**
   * Claims a letter for a redrive: `open` → `redriving`, or takes over a `redriving` claim older
   * than {@link STALE_CLAIM_MS} (its process died mid-redrive). Null when another request won.
   */
  async claim(id: string, claimId: string, now: Date, stale: boolean): Promise<DeadLetterDocument | null> {
    const filter = stale
      ? {
          _id: id,
          status: 'redriving' as const,
          'claim.at': { $lte: new Date(now.getTime() - STALE_CLAIM_MS).toISOString() },
        }
      : { _id: id, status: 'open' as const };
    return this.letters.findOneAndUpdate(
      filter,
      {
        $set: {
          status: 'redriving',
          statusChangedAt: now.toISOString(),
          claim: { id: claimId, at: now.toISOString() },
        },
      },
      { returnDocument: 'after' },
    );
  }

  /** The claimed redrive published the message: `redriving` → `redriven`, with where it landed. */
  async completeRedrive(id: string, claimId: string, result: RedriveResult): Promise<DeadLetterDocument | null> {
    return this.letters.findOneAndUpdate(
      { _id: id, status: 'redriving', 'claim.id': claimId },
      { $set: { status: 'redriven', statusChangedAt: result.at, claim: null, redrive: result } },
      { returnDocument: 'after' },
    );
  }

  /** The claimed redrive could not publish: back to `open`. */
  async releaseClaim(id: string, claimId: string, now: Date): Promise<void> {
    await this.letters.updateOne(
      { _id: id, status: 'redriving', 'claim.id': claimId },
      { $set: { status: 'open', statusChangedAt: now.toISOString(), claim: null } },
    );
  }

  /** `open` → `discarded`; null when the letter was not open. */
  async discard(id: string, now: Date): Promise<DeadLetterDocument | null> {
    return this.letters.findOneAndUpdate(
      { _id: id, status: 'open' },
      { $set: { status: 'discarded', statusChangedAt: now.toISOString() } },
      { returnDocument: 'after' },
    );
  }
}

/** Orders Kafka offsets (decimal strings of int64) numerically. */
export function compareOffsets(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}
