import {
  Catch,
  Inject,
  Injectable,
  Optional,
  Logger,
  type BeforeApplicationShutdown,
  type INestApplication,
  type RpcExceptionFilter,
} from '@nestjs/common';
import {
  BaseRpcContext,
  NestMicroservice,
  Server,
  type CustomTransportStrategy,
  type MessageHandler,
  type MicroserviceOptions,
} from '@nestjs/microservices';
import { randomUUID } from 'node:crypto';
import type { Consumer, ConsumerEvents, EachBatchPayload, IHeaders, InstrumentationEvent, Kafka } from 'kafkajs';
import { isObservable, lastValueFrom, throwError, type Observable } from 'rxjs';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { APP_CONFIG, type AppConfig } from '@tthc/config';
import { deadLetterTopicOf, type TopicDefinition } from '@tthc/contracts';
import type { MessageTransport } from '@tthc/http';
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
import type { ConsumedMessage } from './topic-handler';

export const CONSUMER_OPTIONS = Symbol('CONSUMER_OPTIONS');

export interface ConsumerOptions {
  /** Consumer group without prefix, e.g. `dossier-tracking`. */
  group: string;
  /**
   * Topics whose partitions are shared among the replicas of the service (one consumer group):
   * each message is handled by one replica. Each needs exactly one `@EventPattern(topic.name)`
   * handler on a controller.
   */
  topics: readonly TopicDefinition[];
  /**
   * Topics every replica must read in full (the compacted reference and key topics): consumed by a
   * group of this process alone, from the beginning at every start. Each needs exactly one
   * `@EventPattern(topic.name)` handler too.
   */
  broadcastTopics?: readonly TopicDefinition[];
  /** Most messages handed to a handler at once (a Kafka batch is cut into slices of this size). */
  maxBatchSize?: number;
}

export type ConsumerState = 'idle' | 'joining' | 'running' | 'restarting' | 'crashed' | 'stopped';

/** Thrown at start when subscriptions and `@EventPattern` handlers do not match one to one. */
export class HandlerRegistrationError extends Error {
  constructor(problems: string[]) {
    super(`Kafka handlers do not match subscriptions: ${problems.join('; ')}`);
    this.name = 'HandlerRegistrationError';
  }
}

/** What the transport knows of a handler Nest registered (`Server.addHandler`). */
export interface RegisteredHandler {
  /** True for `@EventPattern`, false for `@MessagePattern` (request/response, not served here). */
  isEventHandler?: boolean;
  /** Set when a second `@EventPattern` handler of the same pattern was chained behind this one. */
  next?: unknown;
}

/**
 * Pairs each subscribed topic with its `@EventPattern` handler; the pattern is the contract's
 * logical topic name (`DOSSIER_EVENTS.name`), the deployed name adds the configured prefix. A
 * subscribed topic without a handler, a handler of a topic not subscribed, two handlers of one
 * topic or a `@MessagePattern` handler is a boot error, every one listed.
 */
export function matchHandlers<H extends RegisteredHandler>(
  subscribed: readonly TopicDefinition[],
  handlers: ReadonlyMap<string, H>,
): Map<string, H> {
  const problems: string[] = [];
  const byTopic = new Map<string, H>();
  const subscribedNames = new Set(subscribed.map((topic) => topic.name));
  for (const [pattern, handler] of handlers) {
    const shown = pattern.length > 80 ? `${pattern.slice(0, 77)}...` : pattern;
    if (!subscribedNames.has(pattern)) {
      problems.push(
        `a handler of pattern ${shown} matches no subscribed topic (a pattern is the logical topic name, e.g. ` +
          `@EventPattern(DOSSIER_EVENTS.name); subscribed: ${[...subscribedNames].join(', ') || 'none'})`,
      );
    } else if (handler.isEventHandler !== true) {
      problems.push(`${pattern} has a @MessagePattern handler; Kafka topics take @EventPattern handlers only`);
    } else if (handler.next !== undefined) {
      problems.push(`${pattern} has more than one @EventPattern handler`);
    } else {
      byTopic.set(pattern, handler);
    }
  }
  for (const topic of subscribed) {
    if (!handlers.has(topic.name)) problems.push(`subscribed topic ${topic.name} has no @EventPattern handler`);
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
 * The context of a batch handler (`@Ctx() context: KafkaBatchContext`): the logical topic and the
 * partition the batch was read from.
 */
export class KafkaBatchContext extends BaseRpcContext<[topic: string, partition: number]> {
  /** The contract's logical topic name (the `@EventPattern`), without the deployment prefix. */
  getTopic(): string {
    return this.args[0];
  }

  getPartition(): number {
    return this.args[1];
  }
}

/**
 * Hands every error of an `@EventPattern` handler back to the transport unchanged. Nest's default
 * RPC exception handling would log it and replace it with `{ status: 'error', message: 'Internal
 * server error' }`, and the failure classifier needs the original (a MongoDB outage is waited out,
 * a deterministic failure retried then dead-lettered). Installed on the Kafka microservice by
 * {@link KafkaTransport.connect}.
 */
@Catch()
export class HandlerErrorPassThrough implements RpcExceptionFilter {
  catch(exception: unknown): Observable<never> {
    return throwError(() => exception);
  }
}

/**
 * Runs a slice through a topic's `@EventPattern` handler as Nest registered it. Nest's wrapper
 * resolves to the method's value or observable, or (through {@link HandlerErrorPassThrough}) to an
 * observable of its error; an observable is awaited to its end. So the slice counts as handled
 * only once the method finished, and its error — unchanged — reaches the failure classifier.
 */
export async function runEventHandler(
  handler: MessageHandler,
  messages: readonly ConsumedMessage<TopicDefinition>[],
  context: KafkaBatchContext,
): Promise<void> {
  const result: unknown = await handler(messages, context);
  if (isObservable(result)) await lastValueFrom(result, { defaultValue: undefined });
}

/** How the transport reports its state (`status` of the microservice). */
export type KafkaTransportStatus = ConsumerState;

/** kafkajs' consumer instrumentation events (`consumer.events`), by name, as the transport's `on` takes them. */
export type KafkaTransportEvents = Record<
  ConsumerEvents[keyof ConsumerEvents],
  (event: InstrumentationEvent<unknown>) => void
>;

/**
 * The service's Kafka consumers as an `@nestjs/microservices` custom transport strategy. Handlers
 * are `@EventPattern(TOPIC.name)` methods of controllers; each receives a whole validated batch
 * (`readonly ConsumedMessage<typeof TOPIC>[]`) and must be idempotent (after a failure or a restart
 * the same messages may come again). Batches come from kafkajs `eachBatch` (read committed),
 * cut into slices of `maxBatchSize`, validated against the contracts and handed to the topic's
 * handler, whose promise or observable is awaited. An infrastructure failure (MongoDB, Redis or
 * Kafka not answering, contention) pauses the partition and is retried with capped exponential
 * backoff for as long as it takes (readiness answers 503 meanwhile); a deterministic failure is
 * retried `KAFKA_MAX_ATTEMPTS` times, then the message is recorded by the {@link DeadLetterSink}
 * (if the service has one) and sent to the topic's dead-letter topic. Offsets are committed only
 * after a slice is handled or dead-lettered. The shared subscription uses the service's consumer
 * group; the broadcast one (reference data, keys) a group of this process.
 *
 * `createService` (libs/http) connects it with {@link KafkaTransport.connect} and starts it with
 * `app.startAllMicroservices()`; `listen` refuses to start when subscriptions and handlers do not
 * match ({@link matchHandlers}).
 */
@Injectable()
export class KafkaTransport
  extends Server<KafkaTransportEvents, KafkaTransportStatus>
  implements CustomTransportStrategy, MessageTransport, BeforeApplicationShutdown
{
  protected override readonly logger = new Logger(KafkaTransport.name);
  private readonly subscriptions: Subscription[] = [];
  private handlers = new Map<string, MessageHandler>();
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
  private stopping: Promise<void> | undefined;
  /** Set by {@link connect}: handler errors reach the transport unchanged. */
  private connected = false;
  private readonly listeners: {
    event: keyof KafkaTransportEvents;
    listener: (event: InstrumentationEvent<unknown>) => void;
  }[] = [];
  private readonly processId = randomUUID().slice(0, 8);

  constructor(
    @Inject(KAFKA_CLIENT) private readonly kafka: Kafka,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CONSUMER_OPTIONS) private readonly options: ConsumerOptions,
    @Inject(METRICS_REGISTRY) registry: Registry,
    private readonly topicAdmin: TopicAdmin,
    private readonly producer: ContractProducer,
    @Optional() @Inject(DEAD_LETTER_SINK) private readonly sink?: DeadLetterSink,
  ) {
    super();
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

  /**
   * Connects this strategy to the application as a microservice (`app.connectMicroservice`) whose
   * only exception filter is {@link HandlerErrorPassThrough}, then registers the `@EventPattern`
   * handlers of the controllers. Initialisation is deferred only to install the filter before
   * the handlers are registered (Nest builds each handler's exception handling then); the rest is
   * what `connectMicroservice` does itself: the application's lifecycle hooks are not run twice.
   */
  connect(app: INestApplication): void {
    const microservice = app.connectMicroservice<MicroserviceOptions>(
      { strategy: this },
      { inheritAppConfig: false, deferInitialization: true },
    );
    if (!(microservice instanceof NestMicroservice)) {
      throw new Error('the Kafka transport needs the NestMicroservice of @nestjs/microservices');
    }
    microservice.useGlobalFilters(new HandlerErrorPassThrough());
    microservice.registerListeners();
    microservice.setIsInitialized(true);
    microservice.setIsInitHookCalled(true);
    this.connected = true;
  }

  /**
   * Starts consuming (`app.startAllMicroservices()`): matches subscriptions and handlers (a gap
   * refuses to start), creates the missing topics and their dead-letter topics, then starts one
   * consumer per subscription. The callback gets the error of a refused start.
   */
  listen(callback: (error?: unknown) => void): void {
    this.start().then(
      () => callback(),
      (error: unknown) => callback(error),
    );
  }

  private async start(): Promise<void> {
    if (!this.connected) {
      throw new Error(
        'the Kafka transport was not connected with KafkaTransport.connect(app) (createService does it): ' +
          "without its exception filter a handler's errors would not reach the failure classifier",
      );
    }
    this.handlers = matchHandlers(this.allTopics, this.getHandlers());
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
    this.publishStatus();
    await this.topicAdmin.ensureTopics([...this.allTopics, ...this.allTopics.map(deadLetterTopicOf)]);
    for (const subscription of this.subscriptions) {
      if (this.shuttingDown) return;
      await this.startConsumer(subscription);
      // Closed while this consumer was starting: leave the group now rather than at exit.
      if (this.shuttingDown) await subscription.consumer?.disconnect();
    }
    if (this.shuttingDown) return;
    this.lagTimer = setInterval(() => void this.measureLag(), 15000);
    this.lagTimer.unref();
  }

  /**
   * Listens to a kafkajs instrumentation event (`consumer.events`, e.g. `consumer.crash`) of every
   * consumer of this transport, including those started after a crash.
   */
  on<
    EventKey extends keyof KafkaTransportEvents = keyof KafkaTransportEvents,
    EventCallback extends KafkaTransportEvents[EventKey] = KafkaTransportEvents[EventKey],
  >(event: EventKey, listener: EventCallback): void {
    this.listeners.push({ event, listener });
    for (const subscription of this.subscriptions) subscription.consumer?.on(event, listener as never);
  }

  /** The kafkajs consumers currently running (the shared one first, then the broadcast one). */
  unwrap<T>(): T {
    return this.subscriptions.flatMap((subscription) =>
      subscription.consumer === undefined ? [] : [subscription.consumer],
    ) as T;
  }

  private publishStatus(): void {
    this._status$.next(this.state);
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
    for (const { event, listener } of this.listeners) consumer.on(event, listener as never);
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
      this.publishStatus();
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
      this.publishStatus();
      this.scheduleRestart(subscription, consumer);
    });
    subscription.state = 'joining';
    this.publishStatus();
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
    const context = new KafkaBatchContext([topic.name, batch.partition]);
    const batchHandler = {
      handleBatch: (messages: readonly ConsumedMessage<TopicDefinition>[]) =>
        runEventHandler(handler, messages, context),
    };
    const sliceSize = this.options.maxBatchSize ?? 2000;
    const waiter = this.waiterFor(payload, topic.name, batch.partition);
    try {
      for (let start = 0; start < batch.messages.length; start += sliceSize) {
        if (!payload.isRunning() || payload.isStale()) return;
        const slice = batch.messages.slice(start, start + sliceSize);
        const stopTimer = this.batchSeconds.startTimer({ topic: topic.name });
        const started = process.hrtime.bigint();
        this.batchMessages.observe({ topic: topic.name }, slice.length);
        const outcome = await processBatch(batchHandler, slice, {
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

  /**
   * Drain at shutdown, where the consumer always drained: before the queues, producers and
   * connections close (Nest closes the microservices themselves only after `beforeApplicationShutdown`).
   */
  async beforeApplicationShutdown(): Promise<void> {
    await this.close();
  }

  /** Stops fetching and waits for the batch in flight to finish (drain), then leaves the group. Idempotent. */
  close(): Promise<void> {
    this.stopping ??= this.stop();
    return this.stopping;
  }

  private async stop(): Promise<void> {
    this.shuttingDown = true;
    clearInterval(this.lagTimer);
    await Promise.all(
      this.subscriptions.map(async (subscription) => {
        clearTimeout(subscription.restartTimer);
        await subscription.consumer?.disconnect();
        subscription.state = 'stopped';
      }),
    );
    this.publishStatus();
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
