import { Injectable } from '@nestjs/common';
import { DOSSIER_EVENTS, validateDossierEvents, type DossierEvent } from '@tthc/contracts';
import type { Principal } from '@tthc/auth';
import { problem, ProblemException } from '@tthc/http';
import { ContractProducer, KafkaUnavailableError } from '@tthc/kafka';

export const MAX_EVENTS_PER_REQUEST = 1000;
export const KAFKA_RETRY_AFTER_SECONDS = 5;

/**
 * Accepts a request's events all-or-nothing (CONTRACT §4): every event is validated first and
 * nothing is published unless all are valid; the answer is given only after Kafka acknowledged
 * every event.
 */
@Injectable()
export class EventIntakeService {
  constructor(private readonly producer: ContractProducer) {}

  async accept(principal: Principal, items: readonly unknown[]): Promise<{ accepted: number }> {
    if (items.length === 0) throw new ProblemException(problem(400, 'the request carries no event'));
    if (items.length > MAX_EVENTS_PER_REQUEST) {
      throw new ProblemException(
        problem(413, `at most ${MAX_EVENTS_PER_REQUEST} events per request (got ${items.length})`),
      );
    }
    const result = validateDossierEvents(items);
    if (!result.ok) {
      throw new ProblemException(
        problem(
          400,
          `${new Set(result.problems.map((p) => p.index)).size} of ${items.length} events are invalid; nothing was accepted`,
          {
            errors: result.problems,
          },
        ),
      );
    }
    await this.publish(principal.id, result.events);
    return { accepted: result.events.length };
  }

  private async publish(deskId: string, events: readonly DossierEvent[]): Promise<void> {
    const acceptedAt = new Date().toISOString();
    try {
      await this.producer.send(
        DOSSIER_EVENTS,
        events.map((event) => ({ key: event.dossierCode, value: { deskId, acceptedAt, event } })),
      );
    } catch (error) {
      if (error instanceof KafkaUnavailableError) {
        throw new ProblemException(
          problem(503, 'the event log is unavailable; nothing of this request is guaranteed stored, please retry'),
          { 'Retry-After': String(KAFKA_RETRY_AFTER_SECONDS) },
        );
      }
      throw error;
    }
  }
}
