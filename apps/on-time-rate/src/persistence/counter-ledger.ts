import { Injectable, Logger } from '@nestjs/common';
import { InjectConnection, InjectModel } from '@nestjs/mongoose';
import { randomUUID } from 'node:crypto';
import type { Connection, Model } from 'mongoose';
import type { DossierFact } from '@tthc/contracts';
import { duplicateKeyIndexes, newestVersions } from '@tthc/persistence';
import { classify } from '../domain/classify';
import { contributionOf } from '../domain/contribution';
import {
  contributionDiff,
  counterId,
  dimensionsOf,
  mergeIncrements,
  type AppliedContribution,
  type CounterIncrement,
  type CounterKey,
} from '../domain/counters';
import { addCounter, emptySums, type CounterSums } from '../domain/period-figures';
import { ClassifiedDossier } from './classified-dossier.schema';

interface CounterDocument extends CounterKey, CounterIncrement {
  _id: string;
  /** Ids of the last journals applied to this counter (the idempotency guard). */
  journals: string[];
}

interface Journal {
  _id: string;
  bootId: string;
  createdAt: string;
  increments: { _id: string; key: CounterKey; inc: CounterIncrement }[];
  dossiers: ClassifiedDossier[];
}

const KEEP_JOURNAL_IDS = 32;

/**
 * Keeps the counters exactly right without transactions: each batch's merged increments and new
 * per-dossier contributions are written to a journal first; every counter update carries a
 * guard (`journals` does not contain this journal), so applying a journal twice changes nothing;
 * then the dossier documents are written and the journal deleted. Journals left open by a
 * previous process are completed before new facts are applied.
 */
@Injectable()
export class CounterLedger {
  private readonly logger = new Logger(CounterLedger.name);
  private readonly bootId = randomUUID();
  /** Journals this process is completing right now (not to be picked up as "open" meanwhile). */
  private readonly inFlight = new Set<string>();

  constructor(
    @InjectConnection() private readonly connection: Connection,
    @InjectModel(ClassifiedDossier.name) private readonly dossiers: Model<ClassifiedDossier>,
  ) {}

  private get counters() {
    return this.connection.collection<CounterDocument>('otr_counters');
  }

  private get journals() {
    return this.connection.collection<Journal>('otr_journals');
  }

  async applyFacts(facts: readonly DossierFact[]): Promise<void> {
    await this.completeOpenJournals();
    const codes = [...new Set(facts.map((fact) => fact.dossierCode))];
    if (codes.length === 0) return;
    const stored = await this.dossiers
      .find({ _id: { $in: codes } }, { version: 1, applied: 1 })
      .lean<{ _id: string; version: number; applied: AppliedContribution | null }[]>()
      .exec();
    const storedById = new Map(stored.map((doc) => [doc._id, doc]));
    const newer = newestVersions(
      facts,
      (fact) => fact.dossierCode,
      (fact) => fact.version,
      new Map(stored.map((doc) => [doc._id, doc.version])),
    );
    if (newer.length === 0) return;
    const documents: ClassifiedDossier[] = [];
    const parts: ReturnType<typeof contributionDiff> = [];
    for (const fact of newer) {
      const contribution = contributionOf(fact.dossier);
      const applied = contribution === null ? null : { dimensions: dimensionsOf(fact.dossier), contribution };
      const classification = classify(fact.dossier);
      parts.push(...contributionDiff(storedById.get(fact.dossierCode)?.applied ?? null, applied));
      documents.push({
        _id: fact.dossierCode,
        version: fact.version,
        snapshot: fact.dossier,
        outcome: classification.outcome,
        withdrawn: classification.withdrawn,
        voided: fact.dossier.status === 'voided',
        applied,
      });
    }
    const journal: Journal = {
      _id: randomUUID(),
      bootId: this.bootId,
      createdAt: new Date().toISOString(),
      increments: mergeIncrements(parts).map(({ key, inc }) => ({ _id: counterId(key), key, inc })),
      dossiers: documents,
    };
    this.inFlight.add(journal._id);
    try {
      await this.journals.insertOne(journal);
      await this.complete(journal);
    } finally {
      this.inFlight.delete(journal._id);
    }
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
  private async complete(journal: Journal): Promise<void> {
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
          if (duplicates === null || attempt >= 3) throw error;
          pending = duplicates.map((index) => pending[index]).filter((op) => op !== undefined);
        }
      }
    }
    if (journal.dossiers.length > 0) {
      await this.dossiers.bulkWrite(
        journal.dossiers.map((doc) => ({ replaceOne: { filter: { _id: doc._id }, replacement: doc, upsert: true } })),
        { ordered: false },
      );
    }
    await this.journals.deleteOne({ _id: journal._id });
  }

  /** Counter sums for a period and agency set (null: every agency). Reads the counters up to `to`. */
  async sums(from: string, to: string, agencies: readonly string[] | null): Promise<CounterSums> {
    const sums = emptySums();
    const filter = agencies === null ? { date: { $lte: to } } : { date: { $lte: to }, agency: { $in: [...agencies] } };
    for await (const counter of this.counters.find(filter, { projection: { journals: 0 } })) {
      addCounter(sums, counter, counter, from);
    }
    return sums;
  }
}
