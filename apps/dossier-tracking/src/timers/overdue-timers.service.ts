import { Injectable, Logger } from '@nestjs/common';
import { DOSSIER_FACTS } from '@tthc/contracts';
import { ContractProducer } from '@tthc/kafka';
import { PENDING_JOB_STATES, QueueService, type JobOptions } from '@tthc/queue';
import { buildFact } from '../domain/facts';
import type { DossierRecord } from '../persistence/schemas';
import { TrackingRepository } from '../persistence/tracking.repository';
import { OVERDUE_TIMERS } from './queues';
import { planTimers, timerJobId, type TimerJob, type TimerPresence } from './timer-plan';

/** Options of every timer job: gone once done (so the id can be used again), failures kept a while. */
const TIMER_JOB_OPTIONS: JobOptions = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 1000 },
  removeOnComplete: true,
  removeOnFail: { age: 7 * 24 * 3600 },
};

/** Longest wait for Redis while syncing the timers of a batch. */
const SYNC_TIMEOUT_MS = 5000;

/**
 * The overdue timers on BullMQ (one delayed job per pending dossier version) and the
 * due_instant_reached notification they trigger. Redis may lose timers: the reconciliation sweep
 * puts missing ones back, so a failure here is logged and left to the sweep.
 */
@Injectable()
export class OverdueTimers {
  private readonly logger = new Logger(OverdueTimers.name);

  constructor(
    private readonly queues: QueueService,
    private readonly repository: TrackingRepository,
    private readonly producer: ContractProducer,
  ) {}

  /** After `changed` replaced `previous`: removes the timers of replaced versions, adds the new ones. */
  async sync(previous: ReadonlyMap<string, DossierRecord>, changed: readonly DossierRecord[]): Promise<void> {
    const plan = planTimers(previous, changed, Date.now());
    if (plan.add.length === 0 && plan.remove.length === 0) return;
    // The queue's Redis client retries forever (maxRetriesPerRequest: null): bound the wait so a
    // Redis outage does not hold up the event stream; late commands still complete or are repaired.
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer from Redis within ${SYNC_TIMEOUT_MS} ms`)), SYNC_TIMEOUT_MS);
    });
    const work = Promise.all([this.add(plan.add), this.remove(plan.remove)]);
    work.catch(() => undefined); // a late failure after the timeout is already logged below
    try {
      await Promise.race([work, timeout]);
    } catch (error) {
      this.logger.warn(
        `overdue timers not synced (${plan.add.length} to add, ${plan.remove.length} to remove; the sweep repairs them): ${String(error)}`,
      );
    } finally {
      clearTimeout(timer);
    }
  }

  async add(jobs: readonly TimerJob[]): Promise<void> {
    if (jobs.length === 0) return;
    await this.queues.addBulk(
      OVERDUE_TIMERS,
      jobs.map((job) => ({
        name: 'due',
        data: { dossierCode: job.dossierCode, version: job.version, dueAt: job.dueAt },
        options: { ...TIMER_JOB_OPTIONS, id: job.id, delay: job.delay },
      })),
    );
  }

  /** Removes jobs by id; one that is running (locked) stays and finds its version stale. */
  async remove(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await Promise.all(ids.map((id) => this.queues.remove(OVERDUE_TIMERS, id)));
  }

  /** Whether each record's current version has a timer that will still fire. */
  async presence(records: readonly DossierRecord[]): Promise<Map<string, TimerPresence>> {
    const states = await Promise.all(
      records.map(async (record) => {
        const id = timerJobId(record._id, record.version);
        const state = await this.queues.state(OVERDUE_TIMERS, id);
        if (state === 'failed' || state === 'completed') await this.queues.remove(OVERDUE_TIMERS, id);
        return [record._id, PENDING_JOB_STATES.has(state) ? 'present' : 'missing'] as const;
      }),
    );
    return new Map(states);
  }

  /** Publishes due_instant_reached for the record's version (same snapshot) and records the notification. */
  async notify(record: DossierRecord, now: string): Promise<void> {
    if (record.state === null) return;
    const fact = buildFact('due_instant_reached', record.version, record.state, now);
    await this.producer.send(DOSSIER_FACTS, [{ key: fact.dossierCode, value: fact }]);
    await this.repository.markOverdueNotified(record._id, record.version, now);
  }
}
