import {
  Inject,
  Injectable,
  type Type,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { DiscoveryService, Reflector } from '@nestjs/core';
import { Queue, Worker } from 'bullmq';
import IORedis, { type Redis } from 'ioredis';
import { Counter, Gauge, type Registry } from 'prom-client';
import { APP_CONFIG, type AppConfig } from '@tthc/config';
import { HealthRegistry, METRICS_REGISTRY, type HealthResult } from '@tthc/observability';
import type { JobDataOf, QueueDefinition } from './queue-definition';
import { matchQueueHandlers, QUEUE_HANDLER, type QueueJobHandler } from './queue-handler';
import {
  bullmqOptions,
  runningJob,
  type JobOptions,
  type JobState,
  type JobView,
  type NewJob,
  type Repeat,
} from './queue-port';

export const QUEUE_OPTIONS = Symbol('QUEUE_OPTIONS');

/** Job states exported per queue by `tthc_queue_jobs`. */
export const EXPORTED_JOB_STATES = ['waiting', 'active', 'failed', 'delayed'] as const;
/** A scrape does not wait longer than this for Redis (BullMQ's connection queues commands while Redis is away). */
const COUNTS_TIMEOUT_MS = 2000;

export interface QueueModuleOptions {
  queues: readonly QueueDefinition[];
  /** Jobs a worker runs at once. */
  concurrency?: number;
}

/**
 * The queue port's adapter: BullMQ queues and workers of one service on Redis (REDIS_URL). Apps
 * add (`add`, `addBulk`), schedule (`schedule`) and inspect (`state`, `job`, `remove`) jobs and
 * write `@ProcessesQueue` workers with the port's types (queue-port.ts); no BullMQ type leaves
 * this lib. Job data is validated when added and when processed; each registered queue needs
 * exactly one worker; shutdown waits for active jobs to finish. Also the Redis readiness check.
 */
@Injectable()
export class QueueService implements OnModuleInit, BeforeApplicationShutdown, OnApplicationShutdown {
  readonly name = 'redis';
  private readonly logger = new Logger(QueueService.name);
  private connection: Redis | undefined;
  /** Separate client for readiness: no offline queue, so a dead Redis answers at once. */
  private probe: Redis | undefined;
  private readonly queues = new Map<string, Queue>();
  private readonly workers: Worker[] = [];
  private readonly failedJobs: Counter;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(QUEUE_OPTIONS) private readonly options: QueueModuleOptions,
    private readonly discovery: DiscoveryService,
    private readonly reflector: Reflector,
    private readonly health: HealthRegistry,
    @Inject(METRICS_REGISTRY) registry: Registry,
  ) {
    this.failedJobs = new Counter({
      name: 'tthc_queue_jobs_failed_total',
      help: 'BullMQ jobs of this replica that failed for good (no attempt left), per queue',
      labelNames: ['queue'],
      registers: [registry],
    });
    const collectJobCounts = (gauge: Gauge) => this.collectJobCounts(gauge);
    new Gauge({
      name: 'tthc_queue_jobs',
      help: 'BullMQ jobs per queue and state (waiting, active, failed, delayed), read from Redis at each scrape',
      labelNames: ['queue', 'state'],
      registers: [registry],
      async collect() {
        await collectJobCounts(this);
      },
    });
  }

  /** Sets the job counts of every queue; leaves the last values if Redis does not answer in time. */
  private async collectJobCounts(gauge: Gauge): Promise<void> {
    await Promise.all(
      [...this.queues].map(async ([name, queue]) => {
        let timer: NodeJS.Timeout | undefined;
        try {
          const counts = await Promise.race([
            queue.getJobCounts(...EXPORTED_JOB_STATES),
            new Promise<never>((_, reject) => {
              timer = setTimeout(
                () => reject(new Error(`no answer within ${COUNTS_TIMEOUT_MS} ms`)),
                COUNTS_TIMEOUT_MS,
              );
            }),
          ]);
          for (const state of EXPORTED_JOB_STATES) gauge.set({ queue: name, state }, counts[state] ?? 0);
        } catch (error) {
          this.logger.debug(`job counts of ${name} not read: ${String(error)}`);
        } finally {
          clearTimeout(timer);
        }
      }),
    );
  }

  onModuleInit(): void {
    const found = this.discovery
      .getProviders()
      .filter((wrapper) => wrapper.metatype !== null && wrapper.metatype !== undefined && wrapper.instance)
      .flatMap((wrapper) => {
        const queue = this.reflector.get<QueueDefinition | undefined>(QUEUE_HANDLER, wrapper.metatype as Type);
        const handler: unknown = wrapper.instance;
        return queue === undefined
          ? []
          : [{ queue, handler: handler as QueueJobHandler<QueueDefinition>, owner: String(wrapper.name) }];
      });
    const handlers = matchQueueHandlers(this.options.queues, found);
    // Connections only once the wiring is known to be right, so a refused boot leaves nothing open.
    // BullMQ needs maxRetriesPerRequest: null (blocking commands must not time out).
    const connection = new IORedis(this.config.redisUrl, { maxRetriesPerRequest: null });
    connection.on('error', (error: Error) => this.logger.debug(`redis: ${error.message}`));
    this.connection = connection;
    this.probe = new IORedis(this.config.redisUrl, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectTimeout: 2000,
    });
    this.probe.on('error', () => undefined);
    this.health.register(this);
    for (const definition of this.options.queues) {
      this.queues.set(definition.name, new Queue(definition.name, { connection, prefix: this.config.queuePrefix }));
      const handler = handlers.get(definition.name);
      if (handler === undefined) continue;
      const process = async (job: Parameters<typeof runningJob>[0], token?: string) =>
        handler.process(definition.data.parse(job.data), runningJob(job, token));
      const worker = new Worker(definition.name, process, {
        connection: connection.duplicate(),
        prefix: this.config.queuePrefix,
        concurrency: this.options.concurrency ?? 4,
      });
      worker.on('failed', (job, error) => {
        this.logger.warn(`${definition.name} job ${job?.id ?? '?'} failed: ${error.message}`);
        if (job === undefined || job.attemptsMade >= (job.opts.attempts ?? 1)) {
          this.failedJobs.inc({ queue: definition.name });
        }
      });
      worker.on('error', (error) => this.logger.debug(`${definition.name} worker: ${error.message}`));
      this.workers.push(worker);
    }
  }

  private queue(definition: QueueDefinition): Queue {
    const queue = this.queues.get(definition.name);
    if (queue === undefined) throw new Error(`queue ${definition.name} is not registered in this service`);
    return queue;
  }

  /** Adds a job after validating its data against the queue's schema; its id. */
  async add<Q extends QueueDefinition>(
    definition: Q,
    jobName: string,
    data: JobDataOf<Q>,
    options?: JobOptions,
  ): Promise<string> {
    const job = await this.queue(definition).add(jobName, definition.data.parse(data), bullmqOptions(options));
    return job.id ?? '';
  }

  /** Adds jobs in one round trip, each validated against the queue's schema. */
  async addBulk<Q extends QueueDefinition>(definition: Q, jobs: readonly NewJob<JobDataOf<Q>>[]): Promise<void> {
    if (jobs.length === 0) return;
    await this.queue(definition).addBulk(
      jobs.map((job) => ({ name: job.name, data: definition.data.parse(job.data), opts: bullmqOptions(job.options) })),
    );
  }

  /**
   * Creates or updates the scheduler `schedulerId`: a job like `job` repeated as `repeat`, once per
   * repetition whatever the number of replicas that schedule it.
   */
  async schedule<Q extends QueueDefinition>(
    definition: Q,
    schedulerId: string,
    repeat: Repeat,
    job: NewJob<JobDataOf<Q>>,
  ): Promise<void> {
    await this.queue(definition).upsertJobScheduler(schedulerId, repeat, {
      name: job.name,
      data: definition.data.parse(job.data),
      opts: bullmqOptions(job.options),
    });
  }

  /** Where the job `id` is (`missing` when there is none). */
  async state(definition: QueueDefinition, id: string): Promise<JobState> {
    const state = await this.queue(definition).getJobState(id);
    return state === 'unknown' ? 'missing' : state;
  }

  /** Removes the job `id`; one that is running (locked) stays. */
  async remove(definition: QueueDefinition, id: string): Promise<void> {
    await this.queue(definition).remove(id);
  }

  /** The job `id`, or undefined when there is none (never added, removed or expired). */
  async job(definition: QueueDefinition, id: string): Promise<JobView | undefined> {
    const job = await this.queue(definition).getJob(id);
    if (job === undefined) return undefined;
    const state = await job.getState();
    return {
      id: job.id ?? id,
      name: job.name,
      data: job.data,
      state: state === 'unknown' ? 'missing' : state,
      progress: job.progress,
      attemptsMade: job.attemptsMade,
      createdAt: job.timestamp,
      finishedAt: job.finishedOn ?? null,
      failedReason: job.failedReason ?? null,
    };
  }

  async check(): Promise<HealthResult> {
    if (this.probe === undefined) return { ok: false, detail: 'not started' };
    const answer = await this.probe.ping();
    return answer === 'PONG' ? { ok: true } : { ok: false, detail: `PING answered ${String(answer)}` };
  }

  /** Drains: workers finish their active jobs before the service stops. */
  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.close()));
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([...this.queues.values()].map((queue) => queue.close()));
    this.connection?.disconnect();
    this.probe?.disconnect();
  }
}
