import type { TopicDefinition } from '@tthc/contracts';
import { problem, ProblemException } from '@tthc/http';
import { ContractProducer, KafkaUnavailableError, type OutgoingMessage } from '@tthc/kafka';

/** Seconds a caller is asked to wait after Kafka did not answer (CONTRACT §4: 503 + Retry-After). */
export const KAFKA_RETRY_AFTER_SECONDS = 5;

/**
 * Sends through the contract producer; Kafka being unavailable becomes a 503 problem with
 * `Retry-After` (nothing of the request is guaranteed stored).
 */
export async function publishOr503<T extends TopicDefinition>(
  producer: ContractProducer,
  topic: T,
  messages: readonly OutgoingMessage<T>[],
  what: string,
): Promise<void> {
  try {
    await producer.send(topic, messages);
  } catch (error) {
    if (error instanceof KafkaUnavailableError) {
      throw new ProblemException(
        problem(503, `${what} is unavailable; nothing of this request is guaranteed stored, please retry`),
        { 'Retry-After': String(KAFKA_RETRY_AFTER_SECONDS) },
      );
    }
    throw error;
  }
}

/** One problem of a request body: the item index (arrays), the field path and what is wrong. */
export interface ItemProblem {
  index?: number;
  path: string;
  message: string;
}

/** 400 problem+json listing every problem; nothing was stored or published. */
export function badRequest(detail: string, errors: readonly ItemProblem[]): ProblemException {
  return new ProblemException(problem(400, detail, { errors }));
}
