import type { IHeaders } from 'kafkajs';
import type { DeadLetter, TopicDefinition } from '@tthc/contracts';
import { decodeMessage } from '@tthc/contracts';
import { correlationIdOf, headersOf, runWithConsumedCorrelation } from './correlation';
import { classifyFailure, describeFailure } from './failure';
import type { ConsumedMessage, TopicBatchHandler } from './topic-handler';

/** A raw Kafka message as kafkajs hands it over. */
export interface RawMessage {
  key: Buffer | null;
  value: Buffer | null;
  offset: string;
  timestamp: string;
  headers?: IHeaders;
}

/** A message given up on: the dead letter, and the original bytes (for a byte-exact redrive). */
export interface DeadLetterEntry {
  letter: DeadLetter;
  raw: RawMessage;
}

export interface BatchOutcome {
  handled: number;
  deadLettered: DeadLetterEntry[];
  /**
   * The consumer stopped (shutdown, rebalance) while waiting for infrastructure: the slice is
   * neither handled nor dead-lettered and must not be committed (it is handed over again).
   */
  interrupted: boolean;
}

/** How the processor waits out infrastructure failures (the consumer pauses the partition meanwhile). */
export interface InfrastructureWaiter {
  /**
   * An attempt failed on infrastructure (the `waits`-th time in a row): wait before trying again.
   * Resolves false when the consumer stops or loses the partition; the processor then gives up
   * the slice without dead-lettering anything.
   */
  wait(error: unknown, waits: number): Promise<boolean>;
  /** An attempt after one or more waits got an answer (success or a deterministic failure). */
  recovered(): void;
}

export interface BatchProcessorOptions<T extends TopicDefinition = TopicDefinition> {
  topic: T;
  partition: number;
  consumerGroup: string;
  /** Attempts of a deterministic failure (KAFKA_MAX_ATTEMPTS); infrastructure waits never count. */
  maxAttempts: number;
  /** Waits between two attempts that failed deterministically; the runner heartbeats while waiting. */
  backoff: (attempt: number) => Promise<void>;
  infrastructure: InfrastructureWaiter;
  now?: () => Date;
}

type AttemptResult =
  { kind: 'handled' } | { kind: 'failed'; error: unknown; attempts: number } | { kind: 'interrupted' };

/**
 * Runs one batch through its handler:
 * 1. messages that violate the topic's contract go straight to the dead letters (retrying cannot
 *    fix them);
 * 2. the valid ones are handed over as one batch. A failure of the infrastructure (MongoDB,
 *    Redis or Kafka unreachable, contention; {@link classifyFailure}) is waited out for as long as
 *    it takes and never counts as an attempt; a deterministic failure is tried up to `maxAttempts`
 *    times;
 * 3. if the batch still fails deterministically, each message is tried alone the same way, so one
 *    bad message cannot hold back the others, and the ones that still fail become dead letters.
 * Nothing is dropped silently: every message is handled, returned as a dead letter, or (when the
 * consumer stops while waiting) the outcome says `interrupted` and nothing may be committed.
 */
export async function processBatch<T extends TopicDefinition>(
  handler: TopicBatchHandler<T>,
  raw: readonly RawMessage[],
  options: BatchProcessorOptions<T>,
): Promise<BatchOutcome> {
  const now = options.now ?? (() => new Date());
  const deadLettered: DeadLetterEntry[] = [];
  const valid: { raw: RawMessage; message: ConsumedMessage<T> }[] = [];
  const deadLetter = (message: RawMessage, error: unknown, attempts: number): DeadLetterEntry => ({
    letter: {
      sourceTopic: options.topic.name,
      partition: options.partition,
      offset: message.offset,
      consumerGroup: options.consumerGroup,
      key: message.key === null ? null : message.key.toString(),
      value: message.value === null ? null : message.value.toString(),
      error: describeFailure(error),
      attempts,
      failedAt: now().toISOString(),
    },
    raw: message,
  });

  for (const message of raw) {
    try {
      const decoded = decodeMessage(options.topic, message.key, message.value);
      const headers = headersOf(message.headers);
      valid.push({
        raw: message,
        message: {
          key: decoded.key,
          value: decoded.value,
          partition: options.partition,
          offset: message.offset,
          timestamp: message.timestamp,
          headers,
          correlationId: correlationIdOf(headers),
        },
      });
    } catch (error) {
      deadLettered.push(deadLetter(message, error, 0));
    }
  }
  if (valid.length === 0) return { handled: 0, deadLettered, interrupted: false };

  const attempt = async (messages: readonly ConsumedMessage<T>[]): Promise<AttemptResult> => {
    let failures = 0;
    let waits = 0;
    for (;;) {
      try {
        // What the handler produces carries the correlation id of the message with the same key.
        await runWithConsumedCorrelation(
          messages.map((message) => ({ rawKey: rawKeyOf(message.key), correlationId: message.correlationId })),
          () => handler.handleBatch(messages),
        );
        if (waits > 0) options.infrastructure.recovered();
        return { kind: 'handled' };
      } catch (error) {
        if (classifyFailure(error) === 'infrastructure') {
          waits++;
          if (!(await options.infrastructure.wait(error, waits))) return { kind: 'interrupted' };
          continue;
        }
        if (waits > 0) options.infrastructure.recovered();
        waits = 0;
        failures++;
        if (failures >= options.maxAttempts) return { kind: 'failed', error, attempts: failures };
        await options.backoff(failures);
      }
    }
  };

  const batch = await attempt(valid.map((item) => item.message));
  if (batch.kind === 'interrupted') return { handled: 0, deadLettered: [], interrupted: true };
  if (batch.kind === 'handled') return { handled: valid.length, deadLettered, interrupted: false };
  if (valid.length === 1) {
    const only = valid[0];
    if (only !== undefined) deadLettered.push(deadLetter(only.raw, batch.error, batch.attempts));
    return { handled: 0, deadLettered, interrupted: false };
  }

  let handled = 0;
  for (const item of valid) {
    const result = await attempt([item.message]);
    if (result.kind === 'interrupted') return { handled, deadLettered: [], interrupted: true };
    if (result.kind === 'handled') handled++;
    else deadLettered.push(deadLetter(item.raw, result.error, result.attempts));
  }
  return { handled, deadLettered, interrupted: false };
}

/** A decoded key as the producers encode it (`String(key)`), to match produced messages to consumed ones. */
function rawKeyOf(key: unknown): string | null {
  return typeof key === 'string' || typeof key === 'number' ? String(key) : null;
}
