import {
  Inject,
  Injectable,
  Optional,
  type Type,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
  type OnModuleInit,
} from '@nestjs/common';
import { DiscoveryService, Reflector } from '@nestjs/core';
import { randomUUID } from 'node:crypto';
import type { Consumer, EachBatchPayload, IHeaders, Kafka } from 'kafkajs';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { APP_CONFIG, type AppConfig } from '@tthc/config';
import { deadLetterTopicOf, type TopicDefinition } from '@tthc/contracts';
import { METRICS_REGISTRY } from '@tthc/observability';
import { processBatch, type DeadLetterEntry, type InfrastructureWaiter } from './batch-processor';
import { assignedLag } from './consumer-lag';
import { batchLogLine, correlationIdOf, headersOf } from './correlation';
import { classifyFailure } from './failure';
import { ContractProducer } from './contract-producer';
import { DEAD_LETTER_SINK, type DeadLetterSink } from './dead-letter-sink';
import { describeFailure } from './failure';
import { infrastructureBackoffMs, PartitionWaits, pausePartition } from './infrastructure-wait';
import { KAFKA_CLIENT, topicName } from './kafka-client';
import { TopicAdmin } from './topic-admin';
import { TOPIC_HANDLER, type TopicBatchHandler } from './topic-handler';

export const CONSUMER_OPTIONS = Symbol('CONSUMER_OPTIONS');

export interface ConsumerOptions {
  /** Consumer group without prefix, e.g. `dossier-tracking`. */
  group: string;
  /**
   * Topics whose partitions are shared among the replicas of the service (one consumer group):
   * each message is handled by one replica. Each needs exactly one `@HandlesTopic` provider.
   */
  topics: readonly TopicDefinition[];
  /**
   * Topics every replica must read in full (the compacted reference and key topics): consumed by a
   * group of this process alone, from the beginning at every start.
   */
  broadcastTopics?: readonly TopicDefinition[];
  /** Most messages handed to a handler at once (a Kafka batch is cut into slices of this size). */
  maxBatchSize?: number;
}

export type ConsumerState = 'idle' | 'joining' | 'running' | 'restarting' | 'crashed' | 'stopped';

/** Thrown at boot when subscriptions and handlers do not match one to one. */
export class HandlerRegistrationError extends Error {
  constructor(problems: string[]) {
    super(`Kafka handlers do not match subscriptions: ${problems.join('; ')}`);
    this.name = 'HandlerRegistrationError';
  }
}

/** Pairs each subscribed topic with its handler; any gap or surplus is a boot error. */
export function matchHandlers(
  subscribed: readonly TopicDefinition[],
  handlers: readonly { topic: TopicDefinition; handler: TopicBatchHandler<TopicDefinition>; owner: string }[],
): Map<string, TopicBatchHandler<TopicDefinition>> {
  const problems: string[] = [];
  const byTopic = new Map<string, TopicBatchHandler<TopicDefinition>>();
  const subscribedNames = new Set(subscribed.map((topic) => topic.name));
  for (const { topic, handler, owner } of handlers) {
    if (!subscribedNames.has(topic.name)) problems.push(`${owner} handles ${topic.name}, which is not subscribed`);
    else if (byTopic.has(topic.name)) problems.push(`${topic.name} has more than one handler (${owner})`);
    else byTopic.set(topic.name, handler);
  }
  for (const topic of subscribed) {
    if (!byTopic.has(topic.name)) problems.push(`subscribed topic ${topic.name} has no handler`);
  }
  if (problems.length > 0) throw new HandlerRegistrationError(problems);
  return byTopic;
}

/** One kafkajs consumer: its group, its topics, and its own state for readiness. */
interface Subscription {
  label: 'shared' | 'broadcast';
  groupId: string;
  /**
   * The group named in dead letters: the group itself, or for the broadcast subscription the group
   * without its per-process suffix (so a letter re-recorded after a restart is the same letter).
   */
  deadLetterGroup: string;
  topics: string[];
  consumer?: Consumer;
  state: ConsumerState;
  lastError?: string;
  restartTimer?: NodeJS.Timeout;
  /** Partitions of each topic assigned to this replica at its last group join. */
  assigned: Map<string, number[]>;
}

/**
 * The service's consumers: batches from kafkajs `eachBatch`, validated against the contracts,
 * handed to the topic's handler. An infrastructure failure (MongoDB, Redis or Kafka not answering,
 * contention) pauses the partition and is retried with capped exponential backoff for as long as
 * it takes (readiness answers 503 meanwhile); a deterministic failure is retried
 * `KAFKA_MAX_ATTEMPTS` times, then the message is recorded by the {@link DeadLetterSink} (if the
 * service has one) and sent to the topic's dead-letter topic. Offsets are committed only after a
 * slice is handled or dead-lettered. The shared subscription uses the service's consumer group;
 * the broadcast one (reference data, keys) a group of this process.
 */
@Injectable()
export class TopicConsumer implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(TopicConsumer.name);
  private readonly subscriptions: Subscription[] = [];
  private handlers = new Map<string, TopicBatchHandler<TopicDefinition>>();
  private readonly topicsByDeployedName = new Map<string, TopicDefinition>();
  private readonly consumed: Counter;
  private readonly deadLetters: Counter;
  private readonly batchSeconds: Histogram;
  private readonly batchMessages: Histogram;
  private readonly lag: Gauge;
  private readonly assignedPartitions: Gauge;
  /** `topic|partition` of the lag entries this replica exports. */
  private exportedLag = new Set<string>();
  private readonly infrastructureWaits: Counter;
  private readonly waits = new PartitionWaits();
  private lagTimer: NodeJS.Timeout | undefined;
  private shuttingDown = false;
  private readonly processId = randomUUID().slice(0, 8);

  constructor(
    @Inject(KAFKA_CLIENT) private readonly kafka: Kafka,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CONSUMER_OPTIONS) private readonly options: ConsumerOptions,
    @Inject(METRICS_REGISTRY) registry: Registry,
    private readonly discovery: DiscoveryService,
    private readonly reflector: Reflector,
    private readonly topicAdmin: TopicAdmin,
    private readonly producer: ContractProducer,
    @Optional() @Inject(DEAD_LETTER_SINK) private readonly sink?: DeadLetterSink,
  ) {
    this.consumed = new Counter({
      name: 'tthc_kafka_messages_handled_total',
      help: 'Messages handled by the service consumer',
      labelNames: ['topic'],
      registers: [registry],
    });
    this.deadLetters = new Counter({
      name: 'tthc_kafka_dead_letters_total',
      help: 'Messages sent to a dead-letter topic after capped retries of a deterministic failure or a contract violation',
      labelNames: ['topic'],
      registers: [registry],
    });
    this.batchSeconds = new Histogram({
      name: 'tthc_kafka_batch_seconds',
      help: 'Time to handle one slice of a batch',
      labelNames: ['topic'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    });
    this.batchMessages = new Histogram({
      name: 'tthc_kafka_batch_messages',
      help: 'Messages in one slice of a batch handed to the handler',
      labelNames: ['topic'],
      buckets: [1, 5, 10, 50, 100, 250, 500, 1000, 2000],
      registers: [registry],
    });
    this.assignedPartitions = new Gauge({
      name: 'tthc_kafka_consumer_assigned_partitions',
      help: "Partitions of the service's shared consumer group assigned to this replica, per topic",
      labelNames: ['topic'],
      registers: [registry],
    });
    this.lag = new Gauge({
      name: 'tthc_kafka_consumer_lag',
      help: 'Messages not yet consumed by this service, per topic and partition',
      labelNames: ['topic', 'partition'],
      registers: [registry],
    });
    this.infrastructureWaits = new Counter({
      name: 'tthc_kafka_infrastructure_waits_total',
      help: 'Attempts that failed on infrastructure (MongoDB, Redis, Kafka, contention) and were waited out, never dead-lettered',
      labelNames: ['topic'],
      registers: [registry],
    });
    const waits = this.waits;
    new Gauge({
      name: 'tthc_kafka_partitions_waiting',
      help: 'Partitions of this process currently paused, waiting for infrastructure to answer',
      labelNames: ['topic'],
      registers: [registry],
      collect() {
        this.reset();
        for (const [topic, count] of waits.countsByTopic()) this.set({ topic }, count);
      },
    });
  }

  get state(): ConsumerState {
    const states = this.subscriptions.map((subscription) => subscription.state);
    if (states.length === 0) return 'idle';
    return states.find((state) => state !== 'running') ?? 'running';
  }

  private get allTopics(): TopicDefinition[] {
    return [...this.options.topics, ...(this.options.broadcastTopics ?? [])];
  }

  get groupId(): string {
    return `${this.config.kafka.topicPrefix}tthc.${this.options.group}`;
  }

  onModuleInit(): void {
    const found = this.discovery
      .getProviders()
      .filter((wrapper) => wrapper.metatype !== null && wrapper.metatype !== undefined && wrapper.instance)
      .flatMap((wrapper) => {
        const topic = this.reflector.get<TopicDefinition | undefined>(TOPIC_HANDLER, wrapper.metatype as Type);
        const handler: unknown = wrapper.instance;
        return topic === undefined
          ? []
          : [{ topic, handler: handler as TopicBatchHandler<TopicDefinition>, owner: String(wrapper.name) }];
      });
    this.handlers = matchHandlers(this.allTopics, found);
    for (const topic of this.allTopics) this.topicsByDeployedName.set(topicName(this.config.kafka, topic), topic);
    const names = (topics: readonly TopicDefinition[]) => topics.map((topic) => topicName(this.config.kafka, topic));
    if (this.options.topics.length > 0) {
      this.subscriptions.push({
        label: 'shared',
        groupId: this.groupId,
        deadLetterGroup: this.groupId,
        topics: names(this.options.topics),
        state: 'idle',
        assigned: new Map(),
      });
    }
    const broadcast = this.options.broadcastTopics ?? [];
    if (broadcast.length > 0) {
      this.subscriptions.push({
        label: 'broadcast',
        groupId: `${this.groupId}.broadcast.${this.processId}`,
        deadLetterGroup: `${this.groupId}.broadcast`,
        topics: names(broadcast),
        state: 'idle',
        assigned: new Map(),
      });
    }
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.topicAdmin.ensureTopics([...this.allTopics, ...this.allTopics.map(deadLetterTopicOf)]);
    for (const subscription of this.subscriptions) await this.startConsumer(subscription);
    this.lagTimer = setInterval(() => void this.measureLag(), 15000);
    this.lagTimer.unref();
  }

  /**
   * Creates, subscribes and runs a fresh consumer. kafkajs' own restart after a crash leaves the
   * crashed consumer's sockets open, so a crash is handled here instead: the crashed consumer is
   * disconnected and a new one takes its place after a pause.
   */
  private async startConsumer(subscription: Subscription): Promise<void> {
    const consumer = this.kafka.consumer({
      groupId: subscription.groupId,
      // Read committed only: intake publishes each request in a transaction, and an aborted one
      // (a request answered 503) must never be handled (docs/intake.md, "All or nothing").
      readUncommitted: false,
      sessionTimeout: 30000,
      heartbeatInterval: 3000,
      allowAutoTopicCreation: false,
      maxBytesPerPartition: 4 * 1024 * 1024,
      retry: { retries: 5, initialRetryTime: 300, maxRetryTime: 5000, restartOnFailure: () => Promise.resolve(false) },
    });
    subscription.consumer = consumer;
    const { CRASH, GROUP_JOIN } = consumer.events;
    consumer.on(GROUP_JOIN, (event) => {
      if (subscription.consumer !== consumer) return;
      subscription.state = 'running';
      subscription.lastError = undefined;
      subscription.assigned = new Map(
        Object.entries(event.payload.memberAssignment).map(([topic, partitions]) => [topic, [...partitions]]),
      );
      if (subscription.label === 'shared') {
        for (const topic of subscription.topics) {
          this.assignedPartitions.set({ topic }, subscription.assigned.get(topic)?.length ?? 0);
        }
      }
    });
    consumer.on(CRASH, (event) => {
      if (subscription.consumer !== consumer || this.shuttingDown) return;
      subscription.lastError = String(event.payload.error);
      subscription.state = 'restarting';
      subscription.assigned = new Map();
      if (subscription.label === 'shared') {
        for (const topic of subscription.topics) this.assignedPartitions.set({ topic }, 0);
      }
      // An unreachable broker is an outage the consumer waits out (readiness says so): a warning.
      const outage = classifyFailure(event.payload.error) === 'infrastructure';
      this.logger[outage ? 'warn' : 'error'](
        `consumer ${subscription.groupId} crashed, restarting: ${subscription.lastError}`,
      );
      this.scheduleRestart(subscription, consumer);
    });
    subscription.state = 'joining';
    await consumer.connect();
    await consumer.subscribe({ topics: subscription.topics, fromBeginning: true });
    await consumer.run({
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: 3,
      eachBatch: (payload) => this.eachBatch(payload, subscription.deadLetterGroup),
    });
  }

  private scheduleRestart(subscription: Subscription, crashed: Consumer, delayMs = 2000): void {
    subscription.restartTimer = setTimeout(() => {
      void (async () => {
        await crashed.disconnect().catch(() => undefined);
        if (this.shuttingDown) return;
        try {
          await this.startConsumer(subscription);
        } catch (error) {
          subscription.lastError = String(error);
          const failed = subscription.consumer;
          if (failed !== undefined && !this.shuttingDown) {
            this.scheduleRestart(subscription, failed, Math.min(30000, delayMs * 2));
          }
        }
      })();
    }, delayMs);
  }

  private async eachBatch(payload: EachBatchPayload, deadLetterGroup: string): Promise<void> {
    const { batch } = payload;
    const topic = this.topicsByDeployedName.get(batch.topic);
    const handler = topic === undefined ? undefined : this.handlers.get(topic.name);
    if (topic === undefined || handler === undefined) throw new Error(`no handler for ${batch.topic}`);
    const sliceSize = this.options.maxBatchSize ?? 2000;
    const waiter = this.waiterFor(payload, topic.name, batch.partition);
    try {
      for (let start = 0; start < batch.messages.length; start += sliceSize) {
        if (!payload.isRunning() || payload.isStale()) return;
        const slice = batch.messages.slice(start, start + sliceSize);
        const stopTimer = this.batchSeconds.startTimer({ topic: topic.name });
        const started = process.hrtime.bigint();
        this.batchMessages.observe({ topic: topic.name }, slice.length);
        const outcome = await processBatch(handler, slice, {
          topic,
          partition: batch.partition,
          consumerGroup: deadLetterGroup,
          maxAttempts: this.config.kafka.maxAttempts,
          backoff: async (attempt) => {
            await new Promise((resolve) => setTimeout(resolve, Math.min(5000, 100 * 2 ** attempt)));
            await payload.heartbeat();
          },
          infrastructure: waiter,
        });
        stopTimer();
        if (!outcome.interrupted) this.logSlice(topic.name, batch.partition, slice, outcome, started);
        // Stopped while waiting for infrastructure: nothing of this slice is committed; it comes again.
        if (outcome.interrupted) return;
        if (outcome.deadLettered.length > 0) {
          if (!(await this.deliverDeadLetters(topic, batch.partition, outcome.deadLettered, waiter))) return;
        }
        this.consumed.inc({ topic: topic.name }, outcome.handled);
        const last = slice[slice.length - 1];
        if (last !== undefined) payload.resolveOffset(last.offset);
        await payload.commitOffsetsIfNecessary();
        await payload.heartbeat();
      }
    } finally {
      this.waits.cleared(topic.name, batch.partition);
    }
  }

  /**
   * One info line per handled slice, listing its correlation ids (docs/operations.md, "Correlation
   * ids"); with `LOG_LEVEL=debug` also one line per message.
   */
  private logSlice(
    topic: string,
    partition: number,
    slice: readonly { offset: string; key: Buffer | null; headers?: IHeaders }[],
    outcome: { handled: number; deadLettered: readonly unknown[] },
    started: bigint,
  ): void {
    this.logger.log(
      batchLogLine({
        topic,
        partition,
        messages: slice,
        handled: outcome.handled,
        deadLettered: outcome.deadLettered.length,
        durationMs: Number(process.hrtime.bigint() - started) / 1e6,
      }),
    );
    if (this.config.logLevel !== 'debug' && this.config.logLevel !== 'verbose') return;
    for (const message of slice) {
      this.logger.debug({
        message: 'message handled',
        topic,
        partition,
        offset: message.offset,
        key: message.key?.toString() ?? null,
        correlationId: correlationIdOf(headersOf(message.headers)),
      });
    }
  }

  /**
   * Waiting out an infrastructure failure of one partition: a warn line (at most one per partition
   * every 30 s), the metrics, readiness 503, and a pause with capped exponential backoff that keeps
   * heartbeating and ends early when the consumer stops or the group rebalances.
   */
  private waiterFor(payload: EachBatchPayload, topic: string, partition: number): InfrastructureWaiter {
    return {
      wait: async (error, waits) => {
        const note = this.waits.failed(topic, partition, error, Date.now());
        this.infrastructureWaits.inc({ topic });
        const pauseMs = infrastructureBackoffMs(waits);
        if (note.log) {
          this.logger.warn(
            `${topic}[${partition}] waits for infrastructure (attempt ${note.wait.waits}, ` +
              `${Math.round((Date.now() - note.wait.since) / 1000)} s so far, next in ${pauseMs} ms): ${note.wait.lastError}`,
          );
        }
        return pausePartition(pauseMs, {
          active: () => payload.isRunning() && !payload.isStale(),
          heartbeat: () => this.heartbeat(payload),
        });
      },
      recovered: () => {
        const ended = this.waits.cleared(topic, partition);
        if (ended !== undefined) {
          this.logger.log(
            `${topic}[${partition}] infrastructure answers again after ${Math.round((Date.now() - ended.since) / 1000)} s (${ended.waits} attempt(s) waited out)`,
          );
        }
      },
    };
  }

  /**
   * Heartbeats while a partition waits. False when the group is rebalancing or this member was
   * fenced (a broker protocol error): the wait stops and the partition is handed over. When Kafka
   * itself does not answer, the wait goes on (it is one of the outages being waited out).
   */
  private async heartbeat(payload: EachBatchPayload): Promise<boolean> {
    try {
      await payload.heartbeat();
      return true;
    } catch (error) {
      if ((error as { name?: unknown }).name === 'KafkaJSProtocolError') return false;
      this.logger.debug(`heartbeat while waiting failed: ${describeFailure(error)}`);
      return true;
    }
  }

  /**
   * Records a slice's dead letters (the sink, then the dead-letter topic) before its offsets are
   * committed. Any failure here is treated as infrastructure: waited out and retried, never
   * committed past. False when the consumer stopped meanwhile (nothing is committed then).
   */
  private async deliverDeadLetters(
    topic: TopicDefinition,
    partition: number,
    entries: readonly DeadLetterEntry[],
    waiter: InfrastructureWaiter,
  ): Promise<boolean> {
    for (const { letter } of entries) {
      this.logger.warn(
        `dead-lettering ${topic.name}[${letter.partition}]@${letter.offset} after ${letter.attempts} attempt(s): ${letter.error}`,
      );
    }
    for (let waits = 0; ;) {
      try {
        await this.sink?.record(entries);
        await this.producer.send(
          deadLetterTopicOf(topic),
          // A dead letter keeps the original's headers (its correlation id among them).
          entries.map(({ letter, raw }) => ({ key: letter.key, value: letter, headers: headersOf(raw.headers) })),
        );
        if (waits > 0) waiter.recovered();
        this.deadLetters.inc({ topic: topic.name }, entries.length);
        return true;
      } catch (error) {
        waits++;
        if (!(await waiter.wait(error, waits))) return false;
      }
    }
  }

  /**
   * Lag of the partitions of the shared group assigned to this replica (each partition exported
   * by one replica; the broadcast topics are read in full by every replica and not exported). The
   * committed offsets are read before the high-water marks, so the lag is never negative.
   */
  private async measureLag(): Promise<void> {
    const admin = this.kafka.admin();
    try {
      await admin.connect();
      const seen = new Set<string>();
      for (const subscription of this.subscriptions) {
        if (subscription.label !== 'shared') continue;
        for (const deployed of subscription.topics) {
          const assigned = subscription.assigned.get(deployed) ?? [];
          if (assigned.length === 0) continue;
          const committed = await admin.fetchOffsets({ groupId: subscription.groupId, topics: [deployed] });
          const offsets = await admin.fetchTopicOffsets(deployed);
          const committedByPartition = new Map(
            (committed[0]?.partitions ?? []).map((entry) => [entry.partition, Number(entry.offset)]),
          );
          for (const { labels, lag } of assignedLag(deployed, assigned, committedByPartition, offsets)) {
            this.lag.set(labels, lag);
            seen.add(`${labels.topic}|${labels.partition}`);
          }
        }
      }
      // Partitions no longer assigned here are exported by their new owner.
      for (const key of this.exportedLag) {
        if (seen.has(key)) continue;
        const [topic = '', partition = ''] = key.split('|');
        this.lag.remove({ topic, partition });
      }
      this.exportedLag = seen;
    } catch (error) {
      this.logger.debug(`lag not measured: ${String(error)}`);
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }

  /** Stops fetching and waits for the batch in flight to finish (drain), then leaves the group. */
  async beforeApplicationShutdown(): Promise<void> {
    this.shuttingDown = true;
    clearInterval(this.lagTimer);
    await Promise.all(
      this.subscriptions.map(async (subscription) => {
        clearTimeout(subscription.restartTimer);
        await subscription.consumer?.disconnect();
        subscription.state = 'stopped';
      }),
    );
  }

  health(): { ok: boolean; detail?: string } {
    const waiting = this.waits.describe(Date.now());
    if (waiting !== undefined) return { ok: false, detail: waiting };
    const notRunning = this.subscriptions.filter((subscription) => subscription.state !== 'running');
    if (this.subscriptions.length > 0 && notRunning.length === 0) return { ok: true };
    return {
      ok: false,
      detail:
        notRunning
          .map((s) => `${s.label} consumer ${s.state}${s.lastError === undefined ? '' : `: ${s.lastError}`}`)
          .join('; ') || 'no consumer',
    };
  }
}
