import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Connection } from 'mongoose';
import { duplicateKeyIndexes, newestVersions } from '@tthc/persistence';
import {
  contributionDiff,
  counterId,
  mergeIncrements,
  type AppliedContribution,
  type CounterIncrement,
  type CounterKey,
} from './counters';
import { addCounter, emptySums, type CounterSums } from './period-figures';

/** A dossier as the ledger keeps it: its version, what it added to the counters, and any other fields. */
export interface LedgerDossier {
  _id: string;
  /** Orders a dossier's documents: only a higher one replaces the stored one. */
  version: number;
  /** What this version adds to the counters (null: nothing, e.g. voided). */
  applied: AppliedContribution | null;
}

/** The collections of one ledger (each service keeps its own). */
export interface LedgerCollections {
  counters: string;
  journals: string;
  dossiers: string;
  /** One document `{_id: 'sequence', value}` counting completed journals. */
  meta: string;
}

/** How a dossier's documents are ordered: only a higher one replaces the stored one. */
export interface LedgerOrder<D> {
  /** The stored fields `of` reads. */
  fields: readonly string[];
  of: (document: D) => number;
}

const BY_VERSION: LedgerOrder<LedgerDossier> = { fields: ['version'], of: (document) => document.version };

export interface ApplyOptions<D> {
  /**
   * Runs with the documents that will be applied (newer than the stored ones) before anything is
   * written; if it fails, nothing is applied (e.g. publish them first, so a crash republishes).
   */
  beforeWriting?: (newer: D[]) => Promise<void>;
}

/** A counter row: its key and its summed metrics. */
export interface CounterRow extends CounterKey, CounterIncrement {}

/** Told of every journal this process completes (e.g. to keep an in-memory copy of the counters). */
export type JournalCompletedListener = (
  increments: readonly { key: CounterKey; inc: CounterIncrement }[],
  sequence: number,
) => void;

interface CounterDocument extends CounterKey, CounterIncrement {
  _id: string;
  /** Ids of the last journals applied to this counter (the idempotency guard). */
  journals: string[];
}

interface Journal<D extends LedgerDossier> {
  _id: string;
  bootId: string;
  createdAt: string;
  increments: { _id: string; key: CounterKey; inc: CounterIncrement }[];
  dossiers: D[];
}

const KEEP_JOURNAL_IDS = 32;

/**
 * Other writers kept inserting the same new counters: contention, not a property of the batch.
 * Marked `retryable` (recognised by libs/kafka's failure classification), so the consumer retries
 * the batch without counting attempts toward the dead-letter topic.
 */
export class CounterContentionError extends Error {
  readonly retryable = true as const;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CounterContentionError';
  }
}

/**
 * Keeps the counters exactly right without transactions: each batch's merged increments and new
 * per-dossier contributions are written to a journal first; every counter update carries a
 * guard (`journals` does not contain this journal), so applying a journal twice changes nothing;
 * then the dossier documents are written and the journal deleted. Journals left open by a
 * previous process are completed before new facts are applied.
 */
export class CounterLedger<D extends LedgerDossier> {
  private readonly logger = new Logger(CounterLedger.name);
  private readonly bootId = randomUUID();
  /** Journals this process is completing right now (not to be picked up as "open" meanwhile). */
  private readonly inFlight = new Set<string>();
  /** The calls of `apply` under way in this process: their dossiers, and when each settles. */
  private readonly applying = new Set<{ ids: ReadonlySet<string>; settled: Promise<void> }>();
  private readonly listeners: JournalCompletedListener[] = [];

  constructor(
    private readonly connection: Connection,
    private readonly names: LedgerCollections,
    private readonly order: LedgerOrder<D> = BY_VERSION,
  ) {}

  private get counters() {
    return this.connection.collection<CounterDocument>(this.names.counters);
  }

  private get journals() {
    return this.connection.collection<Journal<D>>(this.names.journals);
  }

  private get dossiers() {
    return this.connection.collection<LedgerDossier>(this.names.dossiers);
  }

  private get meta() {
    return this.connection.collection<{ _id: string; value: number }>(this.names.meta);
  }

  onJournalCompleted(listener: JournalCompletedListener): void {
    this.listeners.push(listener);
  }

  /** The documents that are newer than the stored ones (the newest per id), with what the stored one applied. */
  private async newer(documents: readonly D[]): Promise<{ document: D; previous: AppliedContribution | null }[]> {
    const ids = [...new Set(documents.map((doc) => doc._id))];
    if (ids.length === 0) return [];
    const stored = await this.dossiers
      .find(
        { _id: { $in: ids } },
        { projection: Object.fromEntries([...this.order.fields, 'applied'].map((field) => [field, 1])) },
      )
      .toArray();
    const storedById = new Map(stored.map((doc) => [doc._id, doc]));
    const orderOf = (doc: LedgerDossier) => this.order.of(doc as D);
    return newestVersions(
      documents,
      (doc) => doc._id,
      orderOf,
      new Map(stored.map((doc) => [doc._id, orderOf(doc)])),
    ).map((document) => ({ document, previous: storedById.get(document._id)?.applied ?? null }));
  }

  /**
   * Applies the documents newer than the stored ones: the counters move by the change of each
   * dossier's contribution, then the documents replace the stored ones. Returns those applied.
   */
  async apply(documents: readonly D[], options: ApplyOptions<D> = {}): Promise<D[]> {
    // A batch redelivered after a rebalance may arrive while this process still applies its first
    // delivery: the later call waits for the earlier one on the same dossiers, or both would
    // compute and apply the same change. Registered before the first await, so the order is the
    // order of the calls.
    const ids = new Set(documents.map((doc) => doc._id));
    const earlier = [...this.applying].filter((entry) => [...ids].some((id) => entry.ids.has(id)));
    let settle = (): void => undefined;
    const entry = { ids, settled: new Promise<void>((resolve) => (settle = resolve)) };
    this.applying.add(entry);
    try {
      await Promise.all(earlier.map((other) => other.settled));
      return await this.applyNewer(documents, options);
    } finally {
      this.applying.delete(entry);
      settle();
    }
  }

  private async applyNewer(documents: readonly D[], options: ApplyOptions<D>): Promise<D[]> {
    await this.completeOpenJournals();
    const newer = await this.newer(documents);
    if (newer.length === 0) return [];
    await options.beforeWriting?.(newer.map(({ document }) => document));
    const parts = newer.flatMap(({ document, previous }) => contributionDiff(previous, document.applied));
    const journal: Journal<D> = {
      _id: randomUUID(),
      bootId: this.bootId,
      createdAt: new Date().toISOString(),
      increments: mergeIncrements(parts).map(({ key, inc }) => ({ _id: counterId(key), key, inc })),
      dossiers: newer.map(({ document }) => document),
    };
    this.inFlight.add(journal._id);
    try {
      await this.journals.insertOne(journal);
      await this.complete(journal);
    } finally {
      this.inFlight.delete(journal._id);
    }
    return journal.dossiers;
  }

  /**
   * Completes the journals still open: those of this process whose completion failed, and those
   * a crashed process left (claimed first, so two processes never complete the same journal).
   * New increments are computed only after this, from dossier documents that reflect them all.
   */
  private async completeOpenJournals(): Promise<void> {
    const open = await this.journals.find({}).toArray();
    for (const journal of open) {
      // Checked after the query returned: a batch of this process adds its journal to `inFlight`
      // before inserting it, so a journal seen here that is being completed is skipped. Reserving
      // it is synchronous, so no two batches of this process complete the same journal.
      if (this.inFlight.has(journal._id)) continue;
      this.inFlight.add(journal._id);
      try {
        if (journal.bootId !== this.bootId) {
          const claimed = await this.journals.findOneAndUpdate(
            { _id: journal._id, bootId: journal.bootId },
            { $set: { bootId: this.bootId } },
          );
          if (claimed === null) continue;
          this.logger.warn(`completing journal ${journal._id} left open by an earlier process`);
        }
        await this.complete(journal);
      } finally {
        this.inFlight.delete(journal._id);
      }
    }
  }

  /**
   * Applies a journal: the counters that do not list it yet get its increments (and list it),
   * then the dossier documents are written and the journal deleted. Filters are on `_id` only
   * (the MongoDB stand-in scans the collection for any other filter). Safe to repeat; only one
   * process completes a given journal at a time.
   */
  private async complete(journal: Journal<D>): Promise<void> {
    if (journal.increments.length > 0) {
      const ids = journal.increments.map((increment) => increment._id);
      const applied = new Set(
        (await this.counters.find({ _id: { $in: ids } }, { projection: { _id: 1, journals: 1 } }).toArray())
          .filter((doc) => doc.journals.includes(journal._id))
          .map((doc) => doc._id),
      );
      let pending = journal.increments
        .filter((increment) => !applied.has(increment._id))
        .map(({ _id, key, inc }) => ({
          updateOne: {
            filter: { _id },
            update: {
              $inc: inc,
              $setOnInsert: key,
              $push: { journals: { $each: [journal._id], $slice: -KEEP_JOURNAL_IDS } },
            },
            upsert: true,
          },
        }));
      // Two batches inserting the same new counter at once: the loser gets a duplicate key and
      // retries as an update of the now existing document.
      for (let attempt = 1; pending.length > 0; attempt++) {
        try {
          await this.counters.bulkWrite(pending, { ordered: false });
          pending = [];
        } catch (error) {
          const duplicates = duplicateKeyIndexes(error);
          if (duplicates === null) throw error;
          if (attempt >= 3) {
            throw new CounterContentionError(
              `${duplicates.length} counter insert(s) still contended after 3 attempts`,
              {
                cause: error,
              },
            );
          }
          pending = duplicates.map((index) => pending[index]).filter((op) => op !== undefined);
        }
      }
    }
    if (journal.dossiers.length > 0) {
      await this.dossiers.bulkWrite(
        journal.dossiers.map((doc) => ({
          replaceOne: { filter: { _id: doc._id }, replacement: doc, upsert: true },
        })),
        { ordered: false },
      );
    }
    // Counted before the journal is deleted: a crash in between completes (and counts) it again,
    // which only makes readers reload; the counters themselves are guarded.
    const sequence = await this.meta.findOneAndUpdate(
      { _id: 'sequence' },
      { $inc: { value: 1 } },
      { upsert: true, returnDocument: 'after' },
    );
    await this.journals.deleteOne({ _id: journal._id });
    for (const listener of this.listeners) listener(journal.increments, sequence?.value ?? 0);
  }

  /** How many journals have been completed (by any process) so far. */
  async sequence(): Promise<number> {
    return (await this.meta.findOne({ _id: 'sequence' }))?.value ?? 0;
  }

  /** Every counter row (for an in-memory copy). */
  async *rows(): AsyncGenerator<CounterRow> {
    for await (const { _id, journals, ...row } of this.counters.find({})) {
      void _id;
      void journals;
      yield row;
    }
  }

  /** Counter sums for a period and agency set (null: every agency), read from MongoDB up to `to`. */
  async sums(from: string, to: string, agencies: readonly string[] | null): Promise<CounterSums> {
    const sums = emptySums();
    const filter = agencies === null ? { date: { $lte: to } } : { date: { $lte: to }, agency: { $in: [...agencies] } };
    for await (const counter of this.counters.find(filter, { projection: { journals: 0 } })) {
      addCounter(sums, counter, counter, from, to);
    }
    return sums;
  }
}
