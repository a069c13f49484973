import { SetMetadata } from '@nestjs/common';
import type { KeyOf, TopicDefinition, ValueOf } from '@tthc/contracts';

export const TOPIC_HANDLER = Symbol('TOPIC_HANDLER');

/** One consumed message after its key and value passed the topic's contract. */
export interface ConsumedMessage<T extends TopicDefinition> {
  key: KeyOf<T>;
  /** Null only for tombstones of compacted topics. */
  value: ValueOf<T> | null;
  partition: number;
  offset: string;
  timestamp: string;
}

/**
 * A batch handler of one topic. It must be idempotent: after a failure or a restart the same
 * messages may be handed over again.
 */
export interface TopicBatchHandler<T extends TopicDefinition> {
  handleBatch(messages: readonly ConsumedMessage<T>[]): Promise<void>;
}

/** Marks a provider as the handler of a topic; the consumer refuses to start without one. */
export const HandlesTopic = (topic: TopicDefinition): ClassDecorator => SetMetadata(TOPIC_HANDLER, topic);
