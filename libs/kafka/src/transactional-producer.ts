import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { Partitioners, type Kafka, type Producer, type Transaction } from 'kafkajs';
import { APP_CONFIG, type AppConfig } from '@tthc/config';
import type { TopicDefinition } from '@tthc/contracts';
import { encodeOutgoing, requestsOf, type OutgoingMessage } from './contract-producer';
import type { MessageHeaders } from './correlation';
import { KafkaUnavailableError } from './errors';
import { KAFKA_CLIENT, topicName } from './kafka-client';

/** Messages of one topic, part of an all-or-nothing send. */
export interface TopicBatch<T extends TopicDefinition = TopicDefinition> {
  topic: T;
  messages: readonly OutgoingMessage<T>[];
  /** Headers of every message of the batch without its own (default: the correlation id in scope). */
  headers?: MessageHeaders;
}

/** What the services call to publish: {@link ContractProducer} and {@link TransactionalProducer}. */
export interface TopicSender {
  send<T extends TopicDefinition>(
    topic: T,
    messages: readonly OutgoingMessage<T>[],
    headers?: MessageHeaders,
  ): Promise<void>;
}

/** One member of the pool: a transactional kafkajs producer and its fixed transactional id. */
interface Slot {
  transactionalId: string;
  producer: Producer;
  /** Connected, producer id initialised (which fences and aborts what an earlier epoch left open). */
  ready: Promise<void> | undefined;
}

/**
 * Publishes each call in ONE Kafka transaction (docs/intake.md, "All or nothing"): either every
 * message becomes visible to read-committed consumers, or none does. A call that fails, or does not
 * commit within `KAFKA_PRODUCE_TIMEOUT_MS` (waiting for a free producer included), rejects with
 * {@link KafkaUnavailableError} and its transaction is aborted: by `EndTxn(abort)` after a failure,
 * and in every case by replacing the producer with a new one under the same transactional id,
 * whose initialisation bumps the epoch, fences the old producer (a send still in flight included)
 * and makes the coordinator abort whatever it left open. `outcome` on the error is `none`, except when the deadline
 * passed while the commit itself was in flight and it did not answer within a second deadline:
 * then it is `unknown` (the retry is absorbed by the (desk, eventId) idempotency downstream).
 *
 * A pool of `KAFKA_TRANSACTIONAL_PRODUCERS` producers lets concurrent requests publish in
 * parallel (one producer holds one open transaction at a time); their transactional ids are
 * `<KafkaConfig.transactions.idPrefix>.<n>`, unique per process.
 */
@Injectable()
export class TransactionalProducer implements TopicSender, OnApplicationShutdown {
  private readonly logger = new Logger(TransactionalProducer.name);
  private readonly free: Slot[] = [];
  private readonly waiting: ((slot: Slot) => void)[] = [];
  private readonly slots: Slot[];
  private closed = false;

  constructor(
    @Inject(KAFKA_CLIENT) private readonly kafka: Kafka,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    const { producers, idPrefix } = config.kafka.transactions;
    this.slots = Array.from({ length: producers }, (_, n) => {
      const transactionalId = `${idPrefix}.${n}`;
      return { transactionalId, producer: this.createProducer(transactionalId), ready: undefined };
    });
    this.free.push(...this.slots);
  }

  /** The transactional ids of the pool (for logs and tests). */
  get transactionalIds(): string[] {
    return this.slots.map((slot) => slot.transactionalId);
  }

  send<T extends TopicDefinition>(
    topic: T,
    messages: readonly OutgoingMessage<T>[],
    headers?: MessageHeaders,
  ): Promise<void> {
    return this.sendAll([{ topic, messages, ...(headers === undefined ? {} : { headers }) }]);
  }

  /** Publishes the batches (in order, in produce requests under the broker's limit) in one transaction. */
  async sendAll(batches: readonly TopicBatch[]): Promise<void> {
    const requests = batches.flatMap(({ topic, messages, headers }) => {
      const name = topicName(this.config.kafka, topic);
      const encoded = encodeOutgoing(topic, messages, headers);
      return requestsOf(encoded).map((chunk) => ({ topic: name, messages: chunk }));
    });
    if (requests.length === 0) return;
    const count = requests.reduce((sum, request) => sum + request.messages.length, 0);
    const what = `${count} message(s) for ${[...new Set(requests.map((r) => r.topic))].join(', ')}`;
    const timeoutMs = this.config.kafka.produceTimeoutMs;
    const deadline = Date.now() + timeoutMs;

    const slot = await this.acquire(deadline, what);
    let abandoned = false;
    let committing = false;
    let transaction: Transaction | undefined;
    const work = (async () => {
      slot.ready ??= this.prepare(slot);
      try {
        await slot.ready;
      } catch (error) {
        slot.ready = undefined;
        throw error;
      }
      transaction = await slot.producer.transaction();
      for (const request of requests) {
        if (abandoned) throw new KafkaUnavailableError('abandoned after the deadline');
        await transaction.send({ ...request, acks: -1 });
      }
      if (abandoned) throw new KafkaUnavailableError('abandoned after the deadline');
      committing = true;
      await transaction.commit();
    })();

    const first = await settleWithin(work, deadline - Date.now());
    if (first.state === 'fulfilled') {
      this.release(slot);
      return;
    }
    if (first.state === 'rejected') {
      if (committing) {
        // EndTxn(commit) failed: the coordinator may or may not have taken it.
        this.replace(slot, 'the commit failed');
        throw new KafkaUnavailableError(`Kafka did not confirm the commit of ${what}: ${String(first.reason)}`, {
          cause: first.reason,
          outcome: 'unknown',
        });
      }
      await this.abortAfterFailure(slot, transaction);
      throw new KafkaUnavailableError(`Kafka did not accept ${what}: ${String(first.reason)}`, {
        cause: first.reason,
        outcome: 'none',
      });
    }
    // The deadline passed with work in flight: never commit it.
    abandoned = true;
    if (!committing) {
      this.replace(slot, `no answer within ${timeoutMs} ms`);
      void work.catch(() => undefined);
      throw new KafkaUnavailableError(`${what} were not published within ${timeoutMs} ms (aborted)`, {
        outcome: 'none',
      });
    }
    // The commit is in flight: its answer decides, so wait for it a while longer.
    const late = await settleWithin(work, timeoutMs);
    if (late.state === 'fulfilled') {
      this.release(slot);
      return;
    }
    this.replace(slot, 'the commit did not answer');
    void work.catch(() => undefined);
    throw new KafkaUnavailableError(`Kafka did not confirm the commit of ${what} within ${2 * timeoutMs} ms`, {
      cause: late.state === 'rejected' ? late.reason : undefined,
      outcome: 'unknown',
    });
  }

  private createProducer(transactionalId: string): Producer {
    return this.kafka.producer({
      transactionalId,
      transactionTimeout: this.config.kafka.transactions.timeoutMs,
      idempotent: true,
      // kafkajs keeps idempotent sequence numbers reliably only with one request in flight.
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
      retry: { retries: 5, initialRetryTime: 200, maxRetryTime: 2000 },
    });
  }

  /**
   * Connects and initialises the producer id with an empty transaction (no request but
   * InitProducerId): the coordinator aborts whatever an earlier producer with this id left open.
   */
  private async prepare(slot: Slot): Promise<void> {
    await slot.producer.connect();
    const empty = await slot.producer.transaction();
    await empty.abort();
  }

  private acquire(deadline: number, what: string): Promise<Slot> {
    if (this.closed) {
      return Promise.reject(new KafkaUnavailableError('the service is shutting down', { outcome: 'none' }));
    }
    const slot = this.free.pop();
    if (slot !== undefined) return Promise.resolve(slot);
    return new Promise<Slot>((resolve, reject) => {
      const waiter = (given: Slot) => {
        clearTimeout(timer);
        resolve(given);
      };
      const timer = setTimeout(
        () => {
          const index = this.waiting.indexOf(waiter);
          if (index >= 0) this.waiting.splice(index, 1);
          reject(
            new KafkaUnavailableError(
              `no transactional producer became free within ${this.config.kafka.produceTimeoutMs} ms for ${what}`,
              { outcome: 'none' },
            ),
          );
        },
        Math.max(0, deadline - Date.now()),
      );
      this.waiting.push(waiter);
    });
  }

  private release(slot: Slot): void {
    const next = this.waiting.shift();
    if (next !== undefined) next(slot);
    else this.free.push(slot);
  }

  /**
   * After a failed send: abort, then replace the producer in any case. Reusing it would lose
   * events: when one produce request is refused for one partition but appended for another,
   * kafkajs rolls back the sequence numbers of every partition of the request, so the retry of the
   * appended (and now aborted) batch would carry the same producer epoch and sequence and the
   * broker would drop it as a duplicate. A new producer gets a new epoch and fresh sequences.
   */
  private async abortAfterFailure(slot: Slot, transaction: Transaction | undefined): Promise<void> {
    if (transaction === undefined) {
      // Never got as far as beginning the transaction: nothing was sent.
      this.release(slot);
      return;
    }
    const aborted = await settleWithin(
      (async () => {
        if (transaction.isActive()) await transaction.abort();
      })(),
      this.config.kafka.produceTimeoutMs,
    );
    this.replace(
      slot,
      aborted.state === 'fulfilled'
        ? 'a send failed; aborted'
        : `a send failed; abort failed: ${aborted.state === 'rejected' ? String(aborted.reason) : 'no answer'}`,
    );
  }

  /**
   * Puts a new producer with the same transactional id in the slot and initialises it at once in
   * the background: its InitProducerId fences the old producer and aborts the open transaction
   * (so read-committed consumers are not held back until the transaction timeout). Until that
   * succeeds, the next user of the slot retries the initialisation.
   */
  private replace(slot: Slot, reason: string): void {
    const old = slot.producer;
    void old.disconnect().catch(() => undefined);
    this.logger.warn(`transactional producer ${slot.transactionalId} replaced (${reason}); its transaction is aborted`);
    slot.producer = this.createProducer(slot.transactionalId);
    const ready = this.prepare(slot);
    slot.ready = ready;
    ready.catch((error: unknown) => {
      if (slot.ready === ready) slot.ready = undefined;
      this.logger.warn(`transactional producer ${slot.transactionalId} not initialised yet: ${String(error)}`);
    });
    this.release(slot);
  }

  async onApplicationShutdown(): Promise<void> {
    this.closed = true;
    await Promise.all(
      this.slots.map((slot) =>
        slot.producer
          .disconnect()
          .catch((error: unknown) => this.logger.warn(`producer ${slot.transactionalId} disconnect: ${String(error)}`)),
      ),
    );
  }
}

type Settled<T> = { state: 'fulfilled'; value: T } | { state: 'rejected'; reason: unknown } | { state: 'pending' };

/** Waits for a promise at most `ms` (≤ 0: only what has already settled). */
async function settleWithin<T>(promise: Promise<T>, ms: number): Promise<Settled<T>> {
  let timer: NodeJS.Timeout | undefined;
  const pending = new Promise<Settled<T>>((resolve) => {
    timer = setTimeout(() => resolve({ state: 'pending' }), Math.max(0, ms));
  });
  try {
    return await Promise.race([
      promise.then(
        (value): Settled<T> => ({ state: 'fulfilled', value }),
        (reason: unknown): Settled<T> => ({ state: 'rejected', reason }),
      ),
      pending,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
