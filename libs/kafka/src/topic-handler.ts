import type { KeyOf, TopicDefinition, ValueOf } from '@tthc/contracts';
import type { MessageHeaders } from './correlation';

/** One consumed message after its key and value passed the topic's contract. */
export interface ConsumedMessage<T extends TopicDefinition> {
  key: KeyOf<T>;
  /** Null only for tombstones of compacted topics. */
  value: ValueOf<T> | null;
  partition: number;
  offset: string;
  timestamp: string;
  /** The message's Kafka headers (transport metadata, outside the contract), as strings. */
  headers: MessageHeaders;
  /**
   * The correlation id of the request the message descends from (`x-correlation-id`, else the
   * trace id of `traceparent`); null for messages produced without one.
   */
  correlationId: string | null;
}

/**
 * What the batch processor runs a slice through: the transport adapts the topic's `@EventPattern`
 * handler to it. It must be idempotent: after a failure or a restart the same messages may be
 * handed over again.
 */
export interface TopicBatchHandler<T extends TopicDefinition> {
  handleBatch(messages: readonly ConsumedMessage<T>[]): Promise<void>;
}
