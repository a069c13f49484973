import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { Partitioners, type Kafka, type Producer } from 'kafkajs';
import { APP_CONFIG, type AppConfig } from '@tthc/config';
import { decodeMessage, encodeMessage, type KeyOf, type TopicDefinition, type ValueOf } from '@tthc/contracts';
import { outgoingHeaders, type MessageHeaders } from './correlation';
import { KafkaUnavailableError, withTimeout } from './errors';
import { KAFKA_CLIENT, topicName } from './kafka-client';

/** Upper bound of one produce request's payload (keys and values), well under the broker's 1 MB batch limit. */
export const MAX_REQUEST_BYTES = 512 * 1024;

/** Splits encoded messages, in order, into requests of at most {@link MAX_REQUEST_BYTES} (a larger single message alone). */
export function requestsOf<
  M extends { key: Buffer | string | null; value: Buffer | string | null; headers?: Record<string, string> },
>(messages: readonly M[], maxBytes = MAX_REQUEST_BYTES): M[][] {
  const requests: M[][] = [];
  let current: M[] = [];
  let bytes = 0;
  for (const message of messages) {
    const headers = Object.entries(message.headers ?? {}).reduce(
      (sum, [name, value]) => sum + Buffer.byteLength(name) + Buffer.byteLength(value) + 8,
      0,
    );
    const size = byteLength(message.key) + byteLength(message.value) + headers + 64;
    if (current.length > 0 && bytes + size > maxBytes) {
      requests.push(current);
      current = [];
      bytes = 0;
    }
    current.push(message);
    bytes += size;
  }
  if (current.length > 0) requests.push(current);
  return requests;
}

function byteLength(part: Buffer | string | null): number {
  if (part === null) return 0;
  return typeof part === 'string' ? Buffer.byteLength(part) : part.length;
}

export interface OutgoingMessage<T extends TopicDefinition> {
  key: KeyOf<T>;
  value: ValueOf<T> | null;
  /**
   * Kafka headers of this message (transport metadata, outside the contract). Without them, the
   * message carries the correlation id in scope ({@link outgoingHeaders}).
   */
  headers?: MessageHeaders;
}

/** Encodes messages against the topic's contract and attaches their headers (kafkajs' message shape). */
export function encodeOutgoing<T extends TopicDefinition>(
  topic: T,
  messages: readonly OutgoingMessage<T>[],
  headers: MessageHeaders | undefined,
): { key: string; value: string | null; headers?: MessageHeaders }[] {
  return messages.map((message) => {
    const encoded = encodeMessage(topic, message.key, message.value);
    const attached = outgoingHeaders(encoded.key, message.headers, headers);
    return attached === undefined ? encoded : { ...encoded, headers: attached };
  });
}

/**
 * The only way the services write to Kafka: every message is validated against its topic's
 * contract, the idempotent producer is on, and `send` resolves only when all in-sync replicas
 * acknowledged (acks = -1). A send that cannot complete in `KAFKA_PRODUCE_TIMEOUT_MS` rejects with
 * {@link KafkaUnavailableError}.
 */
@Injectable()
export class ContractProducer implements OnApplicationShutdown {
  private readonly logger = new Logger(ContractProducer.name);
  private readonly producer: Producer;
  private connected: Promise<void> | undefined;

  constructor(
    @Inject(KAFKA_CLIENT) kafka: Kafka,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.producer = kafka.producer({
      idempotent: true,
      // kafkajs keeps idempotent sequence numbers reliably only with one request in flight.
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
      // Bounded so that a desk gets a 503 instead of a hanging request; duplicates a retry may
      // cause are removed downstream by the (desk, eventId) idempotency of docs/api.md §4.
      retry: { retries: 5, initialRetryTime: 200, maxRetryTime: 2000 },
    });
  }

  private async ensureConnected(): Promise<void> {
    this.connected ??= this.producer.connect();
    try {
      await this.connected;
    } catch (error) {
      this.connected = undefined;
      throw error;
    }
  }

  /**
   * Sends the messages in order, in requests of at most {@link MAX_REQUEST_BYTES} (the broker
   * refuses a record batch over `message.max.bytes`, 1 MB by default); each request is bounded by
   * `KAFKA_PRODUCE_TIMEOUT_MS`. Resolves when every message is acknowledged. `headers` go on every
   * message without headers of its own (default: the correlation id in scope).
   */
  async send<T extends TopicDefinition>(
    topic: T,
    messages: readonly OutgoingMessage<T>[],
    headers?: MessageHeaders,
  ): Promise<void> {
    if (messages.length === 0) return;
    const encoded = encodeOutgoing(topic, messages, headers);
    const name = topicName(this.config.kafka, topic);
    try {
      for (const chunk of requestsOf(encoded)) {
        await withTimeout(
          (async () => {
            await this.ensureConnected();
            await this.producer.send({ topic: name, acks: -1, messages: chunk });
          })(),
          this.config.kafka.produceTimeoutMs,
          `producing ${chunk.length} message(s) to ${name}`,
        );
      }
    } catch (error) {
      if (error instanceof KafkaUnavailableError) throw error;
      throw new KafkaUnavailableError(
        `Kafka did not accept ${messages.length} message(s) for ${name}: ${String(error)}`,
        {
          cause: error,
        },
      );
    }
  }

  /**
   * Publishes one message's original bytes, unchanged (a dead letter's redrive): the key and value
   * must still pass the topic's contract (a {@link ContractViolation} is thrown before anything is
   * sent). Same guarantees and timeout as {@link send}; resolves with where the message landed.
   */
  async publishOriginal(
    topic: TopicDefinition,
    key: Buffer | null,
    value: Buffer | null,
  ): Promise<{ topic: string; partition: number; offset: string }> {
    decodeMessage(topic, key, value);
    const name = topicName(this.config.kafka, topic);
    try {
      const [metadata] = await withTimeout(
        (async () => {
          await this.ensureConnected();
          // Carries the id of the admin request redriving it (docs/operations.md, "Correlation ids").
          const headers = outgoingHeaders(key === null ? null : key.toString(), undefined, undefined);
          return this.producer.send({
            topic: name,
            acks: -1,
            messages: [headers === undefined ? { key, value } : { key, value, headers }],
          });
        })(),
        this.config.kafka.produceTimeoutMs,
        `producing 1 message to ${name}`,
      );
      if (metadata === undefined) throw new Error(`Kafka returned no metadata for ${name}`);
      return {
        topic: name,
        partition: metadata.partition,
        offset: metadata.baseOffset ?? metadata.offset ?? 'unknown',
      };
    } catch (error) {
      if (error instanceof KafkaUnavailableError) throw error;
      throw new KafkaUnavailableError(`Kafka did not accept 1 message for ${name}: ${String(error)}`, { cause: error });
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.producer
      .disconnect()
      .catch((error: unknown) => this.logger.warn(`producer disconnect: ${String(error)}`));
  }
}
