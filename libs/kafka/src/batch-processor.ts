import type { DeadLetter, TopicDefinition } from '@tthc/contracts';
import { decodeMessage } from '@tthc/contracts';
import type { ConsumedMessage, TopicBatchHandler } from './topic-handler';

/** A raw Kafka message as kafkajs hands it over. */
export interface RawMessage {
  key: Buffer | null;
  value: Buffer | null;
  offset: string;
  timestamp: string;
}

export interface BatchOutcome {
  handled: number;
  deadLettered: DeadLetter[];
}

export interface BatchProcessorOptions<T extends TopicDefinition = TopicDefinition> {
  topic: T;
  partition: number;
  consumerGroup: string;
  maxAttempts: number;
  /** Waits between attempts; the runner heartbeats while waiting. */
  backoff: (attempt: number) => Promise<void>;
  now?: () => Date;
}

/**
 * Runs one batch through its handler with capped retries:
 * 1. messages that violate the topic's contract go straight to the dead letters (retrying cannot
 *    fix them);
 * 2. the valid ones are handed over as one batch, up to `maxAttempts` times;
 * 3. if the batch still fails, each message is tried alone (up to `maxAttempts` times) so one bad
 *    message cannot hold back the others, and the ones that still fail become dead letters.
 * Nothing is dropped silently: every message is either handled or returned as a dead letter.
 */
export async function processBatch<T extends TopicDefinition>(
  handler: TopicBatchHandler<T>,
  raw: readonly RawMessage[],
  options: BatchProcessorOptions<T>,
): Promise<BatchOutcome> {
  const now = options.now ?? (() => new Date());
  const deadLettered: DeadLetter[] = [];
  const valid: { raw: RawMessage; message: ConsumedMessage<T> }[] = [];
  const deadLetter = (message: RawMessage, error: unknown, attempts: number): DeadLetter => ({
    sourceTopic: options.topic.name,
    partition: options.partition,
    offset: message.offset,
    consumerGroup: options.consumerGroup,
    key: message.key === null ? null : message.key.toString(),
    value: message.value === null ? null : message.value.toString(),
    error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
    attempts,
    failedAt: now().toISOString(),
  });

  for (const message of raw) {
    try {
      const decoded = decodeMessage(options.topic, message.key, message.value);
      valid.push({
        raw: message,
        message: {
          key: decoded.key,
          value: decoded.value,
          partition: options.partition,
          offset: message.offset,
          timestamp: message.timestamp,
        },
      });
    } catch (error) {
      deadLettered.push(deadLetter(message, error, 0));
    }
  }
  if (valid.length === 0) return { handled: 0, deadLettered };

  const attempt = async (messages: readonly ConsumedMessage<T>[]): Promise<unknown> => {
    let lastError: unknown;
    for (let attemptNumber = 1; attemptNumber <= options.maxAttempts; attemptNumber++) {
      try {
        await handler.handleBatch(messages);
        return undefined;
      } catch (error) {
        lastError = error;
        if (attemptNumber < options.maxAttempts) await options.backoff(attemptNumber);
      }
    }
    return lastError ?? new Error('handler failed');
  };

  const batchError = await attempt(valid.map((item) => item.message));
  if (batchError === undefined) return { handled: valid.length, deadLettered };
  if (valid.length === 1) {
    const only = valid[0];
    if (only !== undefined) deadLettered.push(deadLetter(only.raw, batchError, options.maxAttempts));
    return { handled: 0, deadLettered };
  }

  let handled = 0;
  for (const item of valid) {
    const error = await attempt([item.message]);
    if (error === undefined) handled++;
    else deadLettered.push(deadLetter(item.raw, error, options.maxAttempts));
  }
  return { handled, deadLettered };
}
