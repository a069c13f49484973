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
import { Queue, Worker, type JobsOptions } from 'bullmq';
import IORedis, { type Redis } from 'ioredis';
import { Counter, Gauge, type Registry } from 'prom-client';
import { APP_CONFIG, type AppConfig } from '@tthc/config';
import { HealthRegistry, METRICS_REGISTRY, type HealthResult } from '@tthc/observability';
import type { JobDataOf, QueueDefinition } from './queue-definition';
import { matchQueueHandlers, QUEUE_HANDLER, type QueueJobHandler } from './queue-handler';

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
 * BullMQ queues and workers of one service on Redis (REDIS_URL). Job data is validated when added
 * and when processed; each registered queue needs exactly one `@ProcessesQueue` worker; shutdown
 * waits for active jobs to finish. Also the Redis readiness check.
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
      const worker = new Worker(definition.name, async (job) => handler.process(definition.data.parse(job.data), job), {
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

  queue(definition: QueueDefinition): Queue {
    const queue = this.queues.get(definition.name);
    if (queue === undefined) throw new Error(`queue ${definition.name} is not registered in this service`);
    return queue;
  }

  /** Adds a job after validating its data against the queue's schema. */
  async add<Q extends QueueDefinition>(definition: Q, jobName: string, data: JobDataOf<Q>, options?: JobsOptions) {
    return this.queue(definition).add(jobName, definition.data.parse(data), options);
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
