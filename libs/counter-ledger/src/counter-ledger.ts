import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Connection } from 'mongoose';
import { duplicateKeyIndexes, isDuplicateKey, newestVersions } from '@tthc/persistence';
import {
  contributionDiff,
  counterId,
  mergeIncrements,
  type AppliedContribution,
  type CounterIncrement,
  type CounterKey,
  type CounterRow,
  addCounter,
  emptySums,
  type CounterSums,
} from '@tthc/counting';

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
  dossiers: string;
  /** One document per bucket: its journal sequence and the journal being completed (if any). */
  buckets: string;
  /** One document `{_id: 'sequence', value}` counting completed journals (readers reload when it moves). */
  meta: string;
}

/** How a dossier's documents are ordered: only a higher one replaces the stored one. */
export interface LedgerOrder<D> {
  /** The stored fields `of` reads. */
  fields: readonly string[];
  of: (document: D) => number;
}

export interface LedgerOptions<D> {
  /**
   * The bucket of a dossier (the writes of one bucket are serialised). Must be the partition its
   * messages are consumed from (`partitionOf(code, partitions)`), so one Kafka batch is one bucket;
   * any deterministic function is correct, this one is also cheap.
   */
  bucketOf: (dossierId: string) => number;
  order?: LedgerOrder<D>;
  /** Most dossiers in one journal (a journal is one MongoDB document: well under 16 MB). */
  maxJournalDossiers?: number;
  /** A secondary index kept in step with the dossier documents, under the same fencing. */
  index?: LedgerIndex<D>;
}

/**
 * A secondary index of the dossier documents (e.g. reporting's overdue index): entries keyed so a
 * reader pages by `_id` range, and per-key counts, both written by the journal that writes the
 * dossier. The keys a dossier owns are kept in a collection only the index writes (`owners`), so
 * the next journal knows what to remove without reading the entries, and a writer that does not
 * know the index (an older version replacing the dossier document) cannot lose them. The dossier
 * document gets `indexKeys` too: the mark of a document written by an index-aware journal.
 */
export interface LedgerIndex<D> {
  /** Collection of the entries: `{_id: key, ...bodyOf(document), s: journal seq}`. */
  entries: string;
  /** Collection of the counts: `{_id: countOf(key), n, w: {<bucket>: seq}}`. */
  counts: string;
  /**
   * Collection of the owned keys: `{_id: dossier id, keys, s: journal seq, v: version}`, replaced
   * under `s < seq` like the dossiers, never deleted (a tombstone `keys: []` stays).
   */
  owners: string;
  /**
   * What the keys depend on (e.g. a digest of the agency tree), read before `keysOf` when a
   * journal is computed and kept with the owned keys, so records keyed by an older version can be
   * found and keyed again ({@link CounterLedger.reapplyOwned}).
   */
  version: () => string;
  /**
   * The entry keys of a document ([] = not indexed), decided when the journal is computed (may
   * read reference data; the journal keeps them, so whoever completes it writes the same ones).
   * Keys must be unique across dossiers (e.g. end with the dossier id).
   */
  keysOf: (document: D) => string[];
  /** The stored body of each of the document's entries (pure: computed again on completion). */
  bodyOf: (document: D) => Record<string, unknown>;
  /** The count an entry key adds 1 to. */
  countOf: (key: string) => string;
}

const BY_VERSION: LedgerOrder<LedgerDossier> = { fields: ['version'], of: (document) => document.version };

export interface ApplyOptions<D> {
  /**
   * Runs with the documents that will be applied (newer than the stored ones) before anything is
   * written; if it fails, nothing is applied (e.g. publish them first, so a crash republishes).
   * May run again for the same documents when another writer of the bucket got there first.
   */
  beforeWriting?: (newer: D[]) => Promise<void>;
}

/** Told of every journal this process completes (e.g. to keep an in-memory copy of the counters). */
export type JournalCompletedListener = (
  increments: readonly { key: CounterKey; inc: CounterIncrement }[],
  sequence: number,
) => void;

/**
 * Several writers kept claiming the same bucket before this one could (a rebalance storm or a
 * rebuild racing the consumers): nothing was applied; the caller retries the batch later. Not a
 * property of the messages, so never a reason to dead-letter them.
 */
export class LedgerContentionError extends Error {
  readonly retryable = true;

  constructor(message: string) {
    super(message);
    this.name = 'LedgerContentionError';
  }
}

/** `w.<bucket>`: the sequence of the last journal of that bucket applied to a counter. */
type Watermarks = Record<string, number>;

interface CounterDocument extends CounterKey, CounterIncrement {
  _id: string;
  w?: Watermarks;
}

interface Journal<D extends LedgerDossier> {
  _id: string;
  bucket: number;
  /** This journal's place in its bucket: 1, 2, 3, … with no gaps and no repeats. */
  seq: number;
  createdAt: string;
  increments: { _id: string; key: CounterKey; inc: CounterIncrement }[];
  dossiers: D[];
  /**
   * With a {@link LedgerIndex}: each dossier's keys now (same order as `dossiers`), the keys to
   * remove, the count changes, the index version the keys were computed with.
   */
  index?: { keys: string[][]; removed: string[]; counts: { _id: string; n: number }[]; version: string };
}

interface BucketDocument<D extends LedgerDossier> {
  _id: string;
  /** Sequence of the last journal claimed in this bucket (0: none yet). */
  seq: number;
  /** Id of the claimed journal not yet completed, or null. */
  open: string | null;
  journal?: Journal<D> | null;
  at?: string;
}

/** The dossier document as stored: the ledger adds the sequence of the journal that wrote it (and its index keys). */
type StoredDossier<D> = D & { ledgerSeq?: number; indexKeys?: string[] };

/** The keys a dossier owns in the index (`LedgerIndex.owners`). */
export interface IndexOwnerDocument {
  _id: string;
  keys: string[];
  /** Sequence of the journal that wrote it. */
  s: number;
  /** `LedgerIndex.version` the keys were computed with. */
  v: string;
}

/** The ledger's `{_id: 'sequence'}` document in its meta collection. */
export interface LedgerSequenceDocument {
  _id: string;
  /** Journals completed (by any process, counting repeats). */
  value?: number;
  /** Of those, the journals that carried an index part. */
  indexed?: number;
}

export const LEDGER_SEQUENCE_ID = 'sequence';

/**
 * How many completed journals carried no index part: journals of a writer that does not know
 * the index (an older version running beside this one) or computed by it and completed here.
 * When it moves, dossier documents were replaced without their index being kept in step.
 */
export function journalsWithoutIndex(doc: LedgerSequenceDocument | null | undefined): number {
  return (doc?.value ?? 0) - (doc?.indexed ?? 0);
}

interface IndexCountDocument {
  _id: string;
  n: number;
  w?: Watermarks;
}

const MAX_CLAIM_ROUNDS = 20;

/**
 * Keeps the counters exactly right without transactions, whatever the number of writers
 * (replicas, a zombie whose partition moved, a rebuild), in four steps per batch of a bucket:
 *
 * 1. **Read** the bucket's document (`seq`, `open`). A journal left open (a writer crashed or was
 *    paused in step 3) is completed first, by whoever sees it.
 * 2. **Compute** from the stored dossiers the journal: the new dossier documents and the merged
 *    counter increments (the change of each dossier's contribution).
 * 3. **Claim** sequence `seq + 1` with the journal, by one conditional update of the bucket
 *    document (`{_id, seq, open: null}`): of two writers that read the same state, one wins; the
 *    other computed from dossiers that may have changed, throws its journal away and starts over.
 *    The stored dossiers a claimed journal was computed from cannot have changed before it is
 *    completed: every writer of the bucket must claim first.
 * 4. **Complete**: every counter update carries its guard in the same atomic update
 *    (`w.<bucket> < seq`, then sets it), so a counter gets a journal's increment once, whoever
 *    completes it and however often; the dossier documents are replaced under the same guard
 *    (`ledgerSeq < seq`: a late writer never rolls one back); then `open` is cleared.
 *
 * Only `_id` lookups (with a guard beside the `_id`), as the MongoDB stand-in requires for speed.
 * Journals of one bucket are strictly sequential, so the per-counter watermark is monotonic and a
 * journal applied long ago (or a paused writer resuming) can never be applied again.
 */
export class CounterLedger<D extends LedgerDossier> {
  private readonly logger = new Logger(CounterLedger.name);
  private readonly bucketLocks = new Map<number, Promise<unknown>>();
  private readonly listeners: JournalCompletedListener[] = [];
  private readonly order: LedgerOrder<D>;
  private readonly bucketOf: (dossierId: string) => number;
  private readonly maxJournalDossiers: number;
  private readonly index: LedgerIndex<D> | undefined;

  constructor(
    private readonly connection: Connection,
    private readonly names: LedgerCollections,
    options: LedgerOptions<D>,
  ) {
    this.order = options.order ?? BY_VERSION;
    this.bucketOf = options.bucketOf;
    this.maxJournalDossiers = options.maxJournalDossiers ?? 1000;
    this.index = options.index;
  }

  private get counters() {
    return this.connection.collection<CounterDocument>(this.names.counters);
  }

  private get dossiers() {
    return this.connection.collection<StoredDossier<LedgerDossier>>(this.names.dossiers);
  }

  private get buckets() {
    return this.connection.collection<BucketDocument<D>>(this.names.buckets);
  }

  private get meta() {
    return this.connection.collection<LedgerSequenceDocument>(this.names.meta);
  }

  private owners(index: LedgerIndex<D>) {
    return this.connection.collection<IndexOwnerDocument>(index.owners);
  }

  onJournalCompleted(listener: JournalCompletedListener): void {
    this.listeners.push(listener);
  }

  /**
   * Applies the documents newer than the stored ones: the counters move by the change of each
   * dossier's contribution, then the documents replace the stored ones. Returns those applied.
   * With no documents, completes the journals left open (e.g. before a rebuild reads everything).
   */
  async apply(documents: readonly D[], options: ApplyOptions<D> = {}): Promise<D[]> {
    if (documents.length === 0) {
      await this.completeOpenJournals();
      return [];
    }
    const applied: D[] = [];
    for (const [bucket, group] of groupByBucket(documents, this.bucketOf)) {
      for (let start = 0; start < group.length; start += this.maxJournalDossiers) {
        const chunk = group.slice(start, start + this.maxJournalDossiers);
        applied.push(...(await this.inBucket(bucket, () => this.applyToBucket(bucket, chunk, options))));
      }
    }
    return applied;
  }

  /** Completes every journal left open in any bucket. */
  async completeOpenJournals(): Promise<void> {
    const open = await this.buckets.find({ open: { $ne: null } }, { projection: { _id: 1, open: 1 } }).toArray();
    for (const { _id, open: journalId } of open) {
      if (journalId === null) continue;
      const bucket = Number(_id);
      await this.inBucket(bucket, () => this.finishOpen(bucket, journalId));
    }
  }

  /**
   * One writer per bucket at a time in this process (two batches of one partition around a
   * rebalance, a rebuild chunk and a batch): they would only make each other retry. Across
   * processes the claim in {@link applyToBucket} decides.
   */
  private async inBucket<T>(bucket: number, work: () => Promise<T>): Promise<T> {
    const previous = this.bucketLocks.get(bucket) ?? Promise.resolve();
    const run = previous.then(work, work);
    const tail = run.catch(() => undefined);
    this.bucketLocks.set(bucket, tail);
    try {
      return await run;
    } finally {
      if (this.bucketLocks.get(bucket) === tail) this.bucketLocks.delete(bucket);
    }
  }

  private async applyToBucket(bucket: number, documents: readonly D[], options: ApplyOptions<D>): Promise<D[]> {
    for (let round = 1; round <= MAX_CLAIM_ROUNDS; round++) {
      const state = await this.readBucket(bucket);
      if (state.open !== null) {
        await this.finishOpen(bucket, state.open);
        continue;
      }
      // Read before the keys are computed: keys newer than their version are keyed again, never the reverse.
      const indexVersion = this.index?.version() ?? '';
      const newer = await this.newer(documents, indexVersion);
      if (newer.length === 0) return [];
      await options.beforeWriting?.(newer.map(({ document }) => document));
      const parts = newer.flatMap(({ document, previous }) => contributionDiff(previous, document.applied));
      const index = this.index === undefined ? undefined : indexChanges(this.index, newer, indexVersion);
      const journal: Journal<D> = {
        _id: randomUUID(),
        bucket,
        seq: state.seq + 1,
        createdAt: new Date().toISOString(),
        increments: mergeIncrements(parts).map(({ key, inc }) => ({ _id: counterId(key), key, inc })),
        dossiers: newer.map(({ document }) => document),
        ...(index === undefined ? {} : { index }),
      };
      if (!(await this.claim(bucket, state.seq, journal))) continue;
      await this.complete(journal);
      return journal.dossiers;
    }
    throw new LedgerContentionError(
      `bucket ${bucket} of ${this.names.counters} was claimed by other writers ${MAX_CLAIM_ROUNDS} times in a row`,
    );
  }

  private async readBucket(bucket: number): Promise<{ seq: number; open: string | null }> {
    const doc = await this.buckets.findOne({ _id: String(bucket) }, { projection: { seq: 1, open: 1 } });
    return { seq: doc?.seq ?? 0, open: doc?.open ?? null };
  }

  /** Takes sequence `seen + 1` of the bucket for `journal`; false when another writer took it first. */
  private async claim(bucket: number, seen: number, journal: Journal<D>): Promise<boolean> {
    try {
      const result = await this.buckets.updateOne(
        { _id: String(bucket), seq: seen, open: null },
        { $set: { seq: journal.seq, open: journal._id, journal, at: journal.createdAt } },
        { upsert: seen === 0 },
      );
      return result.modifiedCount === 1 || result.upsertedCount === 1;
    } catch (error) {
      // The bucket's first claim raced another: the document exists now, taken by the other writer.
      if (isDuplicateKey(error)) return false;
      throw error;
    }
  }

  /** Completes the open journal of a bucket if it is still open (someone else may have just done it). */
  private async finishOpen(bucket: number, journalId: string): Promise<void> {
    const doc = await this.buckets.findOne({ _id: String(bucket) });
    if (doc === null || doc.open !== journalId) return;
    if (doc.journal === null || doc.journal === undefined || doc.journal._id !== journalId) {
      throw new Error(`bucket ${bucket} of ${this.names.counters}: open journal ${journalId} is missing`);
    }
    this.logger.warn(
      `completing journal ${journalId} (bucket ${bucket}, seq ${doc.journal.seq}) left open by another writer`,
    );
    await this.complete(doc.journal);
  }

  /** The documents that are newer than the stored ones (the newest per id), with what the stored one applied. */
  private async newer(documents: readonly D[], indexVersion: string): Promise<Newer<D>[]> {
    const ids = [...new Set(documents.map((doc) => doc._id))];
    if (ids.length === 0) return [];
    const fields = [...this.order.fields, 'applied', ...(this.index === undefined ? [] : ['indexKeys'])];
    const stored = await this.dossiers
      .find({ _id: { $in: ids } }, { projection: Object.fromEntries(fields.map((field) => [field, 1])) })
      .toArray();
    const storedById = new Map(stored.map((doc) => [doc._id, doc]));
    const orderOf = (doc: LedgerDossier) => this.order.of(doc as D);
    const storedOrders = new Map(stored.map((doc) => [doc._id, orderOf(doc)]));
    const newest = newestVersions(documents, (doc) => doc._id, orderOf, storedOrders);
    const index = this.index;
    if (index === undefined) {
      return newest.map((document) => ({
        document,
        previous: storedById.get(document._id)?.applied ?? null,
        previousKeys: [],
      }));
    }
    const owners = await this.owners(index)
      .find({ _id: { $in: ids } })
      .toArray();
    const ownerById = new Map(owners.map((owner) => [owner._id, owner]));
    // The keys a dossier owns: its owner record; without one, the `indexKeys` of a document
    // written before owner records existed; else none (never indexed).
    const ownedOf = (id: string): string[] | undefined => ownerById.get(id)?.keys ?? storedById.get(id)?.indexKeys;
    // The stored version again when its index is not known to be up to date: the document was not
    // written by an index-aware journal (stored before the index, or replaced by an older
    // version), or its owned keys differ or were computed with another version (e.g. the agency
    // tree changed). Only the index moves, the contribution is the same.
    const taken = new Set(newest.map((doc) => doc._id));
    for (const document of documents) {
      const stored = storedById.get(document._id);
      if (stored === undefined || taken.has(document._id) || orderOf(document) !== storedOrders.get(document._id)) {
        continue;
      }
      const keys = index.keysOf(document);
      const owned = ownedOf(document._id);
      const owner = ownerById.get(document._id);
      const current =
        stored.indexKeys !== undefined &&
        owned !== undefined &&
        sameKeys(owned, keys) &&
        (keys.length === 0 || owner?.v === indexVersion);
      if (current) continue;
      taken.add(document._id);
      newest.push(document);
    }
    return newest.map((document) => ({
      document,
      previous: storedById.get(document._id)?.applied ?? null,
      previousKeys: ownedOf(document._id) ?? [],
    }));
  }

  /**
   * Applies the stored dossier documents matching `filter` again (in chunks, through the journals):
   * with an index, those whose index keys are missing or out of date get them, and nothing else
   * changes. For a backfill after the index was added, or after what the keys depend on changed.
   * Returns how many were re-indexed.
   */
  async reapplyStored(filter: Record<string, unknown>, chunk = 500): Promise<number> {
    let reindexed = 0;
    let batch: D[] = [];
    const flush = async () => {
      reindexed += (await this.apply(batch)).length;
      batch = [];
    };
    for await (const stored of this.dossiers.find(filter)) {
      const { ledgerSeq, indexKeys, ...document } = stored;
      void ledgerSeq;
      void indexKeys;
      batch.push(document as unknown as D);
      if (batch.length >= chunk) await flush();
    }
    if (batch.length > 0) await flush();
    return reindexed;
  }

  /**
   * Applies again the stored dossiers whose owner records (`LedgerIndex.owners`) match `filter`
   * (e.g. keyed by an older version: `{v: {$ne: version}, 'keys.0': {$exists: true}}`), like
   * {@link reapplyStored}. Returns how many were re-indexed.
   */
  async reapplyOwned(filter: Record<string, unknown>, chunk = 500): Promise<number> {
    const index = this.index;
    if (index === undefined) return 0;
    let reindexed = 0;
    let ids: string[] = [];
    const flush = async () => {
      const found = await this.dossiers.find({ _id: { $in: ids } }).toArray();
      ids = [];
      const documents = found.map(({ ledgerSeq, indexKeys, ...document }) => {
        void ledgerSeq;
        void indexKeys;
        return document as unknown as D;
      });
      reindexed += (await this.apply(documents)).length;
    };
    for await (const owner of this.owners(index).find(filter, { projection: { _id: 1 } })) {
      ids.push(owner._id);
      if (ids.length >= chunk) await flush();
    }
    if (ids.length > 0) await flush();
    return reindexed;
  }

  /** {@link journalsWithoutIndex} now. */
  async journalsWithoutIndex(): Promise<number> {
    return journalsWithoutIndex(await this.meta.findOne({ _id: LEDGER_SEQUENCE_ID }));
  }

  /**
   * Applies a claimed journal; safe to run by several writers at once and to repeat. Filters are
   * an `_id` with a guard beside it.
   */
  private async complete(journal: Journal<D>): Promise<void> {
    const watermark = `w.${journal.bucket}`;
    const notYet = { $not: { $gte: journal.seq } };
    if (journal.increments.length > 0) {
      const counterOps = journal.increments.map(({ _id, key, inc }) => ({
        updateOne: {
          filter: { _id, [watermark]: notYet },
          update: { $inc: inc, $setOnInsert: key, $set: { [watermark]: journal.seq } },
          upsert: true,
        },
      }));
      // A duplicate key means the counter exists and either already has this journal (the guard
      // failed, so the upsert tried to insert) or was inserted meanwhile by a journal of another
      // bucket: once more as a plain guarded update settles both.
      const duplicates = await this.writeIgnoringDuplicates(this.counters, counterOps);
      if (duplicates.length > 0) {
        await this.counters.bulkWrite(
          duplicates.map((op) => ({ updateOne: { filter: op.updateOne.filter, update: op.updateOne.update } })),
          { ordered: false },
        );
      }
    }
    if (journal.index !== undefined && this.index !== undefined) await this.completeIndex(journal, this.index);
    if (journal.dossiers.length > 0) {
      const keys = journal.index?.keys;
      // A duplicate key here: the dossier was written by this journal already, or by a later one.
      await this.writeIgnoringDuplicates(
        this.dossiers,
        journal.dossiers.map((doc, i) => ({
          replaceOne: {
            filter: { _id: doc._id, ledgerSeq: notYet },
            replacement: {
              ...doc,
              ledgerSeq: journal.seq,
              ...(keys === undefined ? {} : { indexKeys: keys[i] ?? [] }),
            },
            upsert: true,
          },
        })),
      );
    }
    if (this.index !== undefined) await this.removeIndexEntries(journal, this.index);
    // Counted before the journal is closed: a crash in between completes (and counts) it again,
    // which only makes readers reload.
    const sequence = await this.meta.findOneAndUpdate(
      { _id: LEDGER_SEQUENCE_ID },
      { $inc: journal.index === undefined ? { value: 1 } : { value: 1, indexed: 1 } },
      { upsert: true, returnDocument: 'after' },
    );
    const closed = await this.buckets.updateOne(
      { _id: String(journal.bucket), open: journal._id },
      { $set: { open: null, journal: null, at: new Date().toISOString() } },
    );
    if (closed.modifiedCount === 1) {
      for (const listener of this.listeners) listener(journal.increments, sequence?.value ?? 0);
    }
  }

  /**
   * The index part of a journal, before its dossier documents are replaced: counts under the
   * per-bucket watermark (exactly once, like the counters); entries replaced under `s < seq` (a
   * late writer never rolls one back); removals come after the dossiers. A
   * writer paused long enough to complete an old journal after a newer one removed an entry can
   * put that entry back: readers check each entry against its owner record (`LedgerIndex.owners`).
   */
  private async completeIndex(journal: Journal<D>, index: LedgerIndex<D>): Promise<void> {
    const changes = journal.index;
    if (changes === undefined) return;
    const watermark = `w.${journal.bucket}`;
    const notYet = { $not: { $gte: journal.seq } };
    const counts = this.connection.collection<IndexCountDocument>(index.counts);
    const entries = this.connection.collection<{ _id: string; s: number }>(index.entries);
    if (changes.counts.length > 0) {
      const ops = changes.counts.map(({ _id, n }) => ({
        updateOne: {
          filter: { _id, [watermark]: notYet },
          update: { $inc: { n }, $set: { [watermark]: journal.seq } },
          upsert: true,
        },
      }));
      const duplicates = await this.writeIgnoringDuplicates(counts, ops);
      if (duplicates.length > 0) {
        await counts.bulkWrite(
          duplicates.map((op) => ({ updateOne: { filter: op.updateOne.filter, update: op.updateOne.update } })),
          { ordered: false },
        );
      }
    }
    const puts = journal.dossiers.flatMap((doc, i) => {
      const keys = changes.keys[i] ?? [];
      if (keys.length === 0) return [];
      const body = index.bodyOf(doc);
      return keys.map((key) => ({
        replaceOne: {
          filter: { _id: key, s: notYet },
          replacement: { ...body, _id: key, s: journal.seq },
          upsert: true,
        },
      }));
    });
    // A duplicate key: the entry was written by this journal already, or by a later one.
    if (puts.length > 0) await this.writeIgnoringDuplicates(entries, puts);
    // The owned keys, after the new entries (a reader never finds a key owned and not written)
    // and under the same guard as the dossiers (a late writer never rolls one back).
    if (journal.dossiers.length > 0) {
      await this.writeIgnoringDuplicates(
        this.owners(index),
        journal.dossiers.map((doc, i) => ({
          replaceOne: {
            filter: { _id: doc._id, s: notYet },
            replacement: { _id: doc._id, keys: changes.keys[i] ?? [], s: journal.seq, v: changes.version },
            upsert: true,
          },
        })),
      );
    }
  }

  /**
   * Removes the entries the journal's dossiers no longer own, after the dossiers are replaced (a
   * reader never finds a dossier with neither its old entry nor its new one), and only those
   * written by an earlier journal.
   */
  private async removeIndexEntries(journal: Journal<D>, index: LedgerIndex<D>): Promise<void> {
    const removed = journal.index?.removed ?? [];
    if (removed.length === 0) return;
    await this.connection.collection<{ _id: string; s: number }>(index.entries).bulkWrite(
      removed.map((key) => ({ deleteOne: { filter: { _id: key, s: { $lt: journal.seq } } } })),
      { ordered: false },
    );
  }

  /** Runs the operations unordered; returns those refused with a duplicate key, throws any other error. */
  private async writeIgnoringDuplicates<Op>(
    collection: { bulkWrite: (ops: Op[], options: { ordered: false }) => Promise<unknown> },
    ops: Op[],
  ): Promise<Op[]> {
    try {
      await collection.bulkWrite(ops, { ordered: false });
      return [];
    } catch (error) {
      const duplicates = duplicateKeyIndexes(error);
      if (duplicates === null) throw error;
      return duplicates.map((index) => ops[index]).filter((op): op is Op => op !== undefined);
    }
  }

  /** How many journals have been completed (by any process) so far. */
  async sequence(): Promise<number> {
    return (await this.meta.findOne({ _id: LEDGER_SEQUENCE_ID }))?.value ?? 0;
  }

  /** Every counter row (for an in-memory copy). */
  async *rows(): AsyncGenerator<CounterRow> {
    for await (const { _id, w, ...row } of this.counters.find({}, { projection: { journals: 0 } })) {
      void _id;
      void w;
      yield row;
    }
  }

  /** Counter sums for a period and agency set (null: every agency), read from MongoDB up to `to`. */
  async sums(from: string, to: string, agencies: readonly string[] | null): Promise<CounterSums> {
    const sums = emptySums();
    const filter = agencies === null ? { date: { $lte: to } } : { date: { $lte: to }, agency: { $in: [...agencies] } };
    for await (const counter of this.counters.find(filter, { projection: { journals: 0, w: 0 } })) {
      addCounter(sums, counter, counter, from, to);
    }
    return sums;
  }
}

function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  const left = new Set(a);
  const right = new Set(b);
  return left.size === right.size && [...left].every((key) => right.has(key));
}

interface Newer<D> {
  document: D;
  previous: AppliedContribution | null;
  /** The index keys the stored document owns. */
  previousKeys: readonly string[];
}

/** A journal's index part: each document's keys, the keys no document owns any more, the count changes. */
export function indexChanges<D>(
  index: Pick<LedgerIndex<D>, 'keysOf' | 'countOf'>,
  newer: readonly { document: D; previousKeys: readonly string[] }[],
  version: string,
): { keys: string[][]; removed: string[]; counts: { _id: string; n: number }[]; version: string } {
  const keys = newer.map(({ document }) => [...new Set(index.keysOf(document))]);
  const removed: string[] = [];
  const counts = new Map<string, number>();
  const move = (key: string, n: number) => {
    const id = index.countOf(key);
    counts.set(id, (counts.get(id) ?? 0) + n);
  };
  newer.forEach(({ previousKeys }, i) => {
    const now = new Set(keys[i]);
    for (const key of new Set(previousKeys)) {
      move(key, -1);
      if (!now.has(key)) removed.push(key);
    }
    for (const key of now) move(key, 1);
  });
  return {
    keys,
    removed,
    counts: [...counts].filter(([, n]) => n !== 0).map(([_id, n]) => ({ _id, n })),
    version,
  };
}

/** The documents of each bucket, in the order of their first appearance. */
export function groupByBucket<T extends { _id: string }>(
  documents: readonly T[],
  bucketOf: (id: string) => number,
): Map<number, T[]> {
  const groups = new Map<number, T[]>();
  for (const document of documents) {
    const bucket = bucketOf(document._id);
    const group = groups.get(bucket);
    if (group === undefined) groups.set(bucket, [document]);
    else group.push(document);
  }
  return groups;
}
