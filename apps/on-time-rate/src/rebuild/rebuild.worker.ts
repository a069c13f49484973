import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import { Registry } from 'prom-client';
import { APP_CONFIG, type AppConfig } from '@tthc/config';
import { DOSSIER_OUTCOMES } from '@tthc/contracts';
import { ContractProducer } from '@tthc/kafka';
import { METRICS_REGISTRY, ProgressMetrics } from '@tthc/observability';
import { ProcessesQueue, type JobDataOf, type QueueJobHandler, type RunningJob } from '@tthc/queue';
import { CountingContext } from '../counting/counting-context';
import { classificationDiffers, classifiedSnapshotOf, outcomeMessageOf, type ClassifyWith } from '../domain/classified';
import type { ClassifiedDossier } from '../persistence/classified-dossier';
import { CountingState } from '../persistence/counting-state';
import { OnTimeRateLedger, orderOf } from '../persistence/on-time-rate-ledger';
import { addToCounterSet, compareCounterSets, nonZeroMetrics, type CounterSet } from './counter-set';
import { OTR_REBUILDS } from './rebuild.queue';
import { RebuildStore } from './rebuild.store';
import { COLLECTIONS } from '../collections';

/** Changed dossiers corrected per chunk (re-read, republished and applied together). */
const CORRECTION_CHUNK = 500;

/**
 * The rebuild job (docs/counting.md, "Rebuild"):
 * 1. completes open counter journals, then reads every stored dossier (`otr_dossiers`), reclassifies
 *    its snapshot under the current policies and calendar, and sums the contributions into a full
 *    counter set in memory (progress saved every REBUILD_PROGRESS_EVERY dossiers); notes the dossiers
 *    whose classification differs from the stored one;
 * 2. compares the rebuilt set with `otr_counters` (zero-valued metrics ignored);
 * 3. if dossiers changed: decides the new counting revision (stored with the rebuild, so a retried
 *    job reuses it) and raises `otr_meta.revision` to it; then, chunk by chunk, re-reads the
 *    changed dossiers, reclassifies them with that revision, republishes their outcomes and
 *    applies them through the ledger (for one version, a higher revision replaces the stored
 *    document, and the counters move by the change of contribution). The fact consumers of every
 *    replica go on meanwhile: the ledger claims one journal at a time per partition, so a
 *    correction and a batch never both apply a change computed from the same stored dossier, and a
 *    correction whose dossier got a newer version meanwhile is dropped (the newer version was
 *    classified under the same policies). The counters then equal the rebuilt set.
 * A crash anywhere is retried: dossiers already corrected are at the new revision with the new
 * contribution and are no longer "changed"; the others are corrected by the retry.
 */
@ProcessesQueue(OTR_REBUILDS)
@Injectable()
export class RebuildWorker implements QueueJobHandler<typeof OTR_REBUILDS> {
  private readonly logger = new Logger(RebuildWorker.name);
  /** `tthc_rebuilds_running`, `tthc_rebuild_dossiers_processed` / `_expected` / `_processed_total`. */
  private readonly progress: ProgressMetrics;

  constructor(
    @InjectConnection() private readonly connection: Connection,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly store: RebuildStore,
    private readonly state: CountingState,
    private readonly ledger: OnTimeRateLedger,
    private readonly counting: CountingContext,
    private readonly producer: ContractProducer,
    @Optional() @Inject(METRICS_REGISTRY) registry?: Registry,
  ) {
    this.progress = new ProgressMetrics(
      registry ?? new Registry(),
      'rebuild',
      'dossiers',
      'Rebuilds (stored dossiers reclassified)',
    );
  }

  private get dossiers() {
    return this.connection.collection<ClassifiedDossier>(COLLECTIONS.dossiers);
  }

  private get counters() {
    return this.connection.collection<{ _id: string } & Record<string, unknown>>(COLLECTIONS.counters);
  }

  async process(data: JobDataOf<typeof OTR_REBUILDS>, job: RunningJob): Promise<unknown> {
    const id = data.rebuildId;
    try {
      return await this.run(id);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const last = job.lastAttempt;
      await this.store.update(id, last ? { state: 'failed', error: message, finishedAt: now() } : { error: message });
      if (last) await this.state.unlock(id);
      throw error;
    } finally {
      this.progress.finish(id);
    }
  }

  async run(id: string): Promise<unknown> {
    const rebuild = await this.store.get(id);
    if (rebuild === null) throw new Error(`no rebuild ${id}`);
    if (rebuild.state === 'completed' || rebuild.state === 'failed') return { state: rebuild.state };
    const policies = this.counting.policies;
    const calendar = this.counting.calendar();
    await this.store.update(id, {
      state: 'running',
      policies: this.counting.describe(),
      startedAt: rebuild.startedAt ?? now(),
      error: null,
    });
    // Open journals (a crash of a fact batch) are completed first, so the counters match the dossiers.
    await this.ledger.apply([]);

    // 1. Every stored dossier, reclassified.
    const total = await this.dossiers.countDocuments({});
    await this.store.update(id, { total, processed: 0 });
    this.progress.start(id, total);
    const rebuilt: CounterSet = new Map();
    const changed: string[] = [];
    let processed = 0;
    const every = this.config.rebuild.progressEvery;
    for await (const stored of this.dossiers.find({})) {
      const context: ClassifyWith = { policies, calendar, revision: stored.revision ?? 0 };
      const fresh = classifiedSnapshotOf(stored.snapshot, stored.version, context);
      addToCounterSet(rebuilt, fresh.applied);
      if (classificationDiffers(stored, fresh)) changed.push(stored._id);
      processed += 1;
      if (processed % 100 === 0) this.progress.advance(id, processed);
      if (processed % every === 0) await this.store.update(id, { processed, total: Math.max(total, processed) });
    }

    this.progress.advance(id, processed);

    // 2. Compared with the incremental counters.
    const incremental: CounterSet = new Map();
    for await (const row of this.counters.find({}, { projection: { journals: 0, w: 0 } })) {
      const metrics = nonZeroMetrics(row);
      if (Object.keys(metrics).length > 0) incremental.set(row._id, metrics);
    }
    const differences = compareCounterSets(incremental, rebuilt);
    await this.store.update(id, {
      processed,
      total: Math.max(total, processed),
      counters: rebuilt.size,
      differences,
      changedDossiers: changed.length,
    });

    // 3. Corrections, under a new counting revision.
    let revision = await this.state.revision();
    let republished = 0;
    if (changed.length > 0) {
      const target = (await this.store.get(id))?.revision ?? revision + 1;
      await this.store.update(id, { revision: target });
      revision = await this.state.raiseRevision(target);
      for (let start = 0; start < changed.length; start += CORRECTION_CHUNK) {
        const ids = changed.slice(start, start + CORRECTION_CHUNK);
        republished += await this.correct(ids, { policies, calendar, revision: target });
        await this.store.update(id, { republished });
      }
    } else if (differences.count > 0) {
      // Counters no dossier explains (not produced by the ledger): reported, not corrected.
      this.logger.warn(
        `rebuild ${id}: ${differences.count} counter(s) differ with no dossier whose classification changed`,
      );
    }
    await this.store.update(id, { state: 'completed', finishedAt: now(), revision, republished, error: null });
    await this.state.unlock(id);
    this.logger.log(
      `rebuild ${id} (${this.counting.describe()}): ${processed} dossier(s), ${differences.count} counter difference(s), ${changed.length} dossier(s) reclassified, revision ${revision}`,
    );
    return { processed, differences: differences.count, changed: changed.length, revision };
  }

  /**
   * Re-reads dossiers, reclassifies them with the new revision, and
   * republishes then applies those whose classification differs from the stored one.
   */
  private async correct(ids: readonly string[], context: ClassifyWith): Promise<number> {
    const stored = await this.dossiers.find({ _id: { $in: [...ids] } }).toArray();
    const corrected = stored
      .map((doc) => ({ doc, fresh: classifiedSnapshotOf(doc.snapshot, doc.version, context) }))
      .filter(({ doc, fresh }) => orderOf(fresh) > orderOf(doc) && classificationDiffers(doc, fresh))
      .map(({ fresh }) => fresh);
    if (corrected.length === 0) return 0;
    const emittedAt = now();
    await this.producer.send(
      DOSSIER_OUTCOMES,
      corrected.map((doc) => ({ key: doc._id, value: outcomeMessageOf(doc, context.revision, emittedAt) })),
    );
    await this.ledger.apply(corrected);
    return corrected.length;
  }
}

const now = () => new Date().toISOString();
