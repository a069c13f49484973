import type { TopicDefinition } from '@tthc/contracts';
import { problem, ProblemException } from '@tthc/http';
import { KafkaUnavailableError, type OutgoingMessage, type TopicSender } from '@tthc/kafka';

/** Seconds a caller is asked to wait after Kafka did not answer (docs/api.md §4: 503 + Retry-After). */
export const KAFKA_RETRY_AFTER_SECONDS = 5;

/**
 * Sends the request's messages (intake: in one Kafka transaction); Kafka being unavailable becomes
 * a 503 problem with `Retry-After`. An aborted transaction (`outcome: none`) published nothing;
 * the rare `unknown` (a commit whose answer was lost) is said so, and a retry is still safe.
 */
export async function publishOr503<T extends TopicDefinition>(
  producer: TopicSender,
  topic: T,
  messages: readonly OutgoingMessage<T>[],
  what: string,
): Promise<void> {
  try {
    await producer.send(topic, messages);
  } catch (error) {
    if (error instanceof KafkaUnavailableError) {
      const detail =
        error.outcome === 'none'
          ? `${what} is unavailable; nothing of this request was published, please retry the same request`
          : `${what} did not confirm in time whether this request was published; please retry the same request (a repeated event counts once)`;
      throw new ProblemException(problem(503, detail), { 'Retry-After': String(KAFKA_RETRY_AFTER_SECONDS) });
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
