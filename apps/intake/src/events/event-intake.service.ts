import { Injectable } from '@nestjs/common';
import {
  DOSSIER_EVENTS,
  validateDossierEvents,
  type DeskScope,
  type DossierEvent,
  type EventProblem,
} from '@tthc/contracts';
import type { Principal } from '@tthc/auth';
import { problem, ProblemException } from '@tthc/http';
import { TransactionalProducer } from '@tthc/kafka';
import { ReferenceData } from '@tthc/reference';
import { publishOr503 } from '../shared/publish';
import { acceptanceStamp, checkEventReferences, checkEventScope } from './event-checks';
import { IntakeMetrics } from './intake-metrics';

export const MAX_EVENTS_PER_REQUEST = 1000;
export { KAFKA_RETRY_AFTER_SECONDS } from '../shared/publish';

/**
 * Accepts a request's events all-or-nothing (docs/api.md §4): every event is validated first (schema,
 * known procedure / field / agencies, the desk's agency scope) and nothing is published unless all
 * are valid. The events are published in ONE Kafka transaction (`TransactionalProducer`): the answer
 * 202 is given only after it committed; any failure or `KAFKA_PRODUCE_TIMEOUT_MS` aborts it and
 * answers 503, and then no event of the request ever becomes visible to (read-committed) consumers.
 */
@Injectable()
export class EventIntakeService {
  constructor(
    private readonly producer: TransactionalProducer,
    private readonly reference: ReferenceData,
    private readonly metrics: IntakeMetrics,
  ) {}

  async accept(principal: Principal, items: readonly unknown[]): Promise<{ accepted: number }> {
    if (items.length === 0) throw new ProblemException(problem(400, 'the request carries no event'));
    if (items.length > MAX_EVENTS_PER_REQUEST) {
      this.metrics.countRejected('too_many', items.length);
      throw new ProblemException(
        problem(413, `at most ${MAX_EVENTS_PER_REQUEST} events per request (got ${items.length})`),
      );
    }
    const events = this.check(principal, items);
    await this.publish(principal, events);
    return { accepted: events.length };
  }

  /**
   * The checks of `POST /v1/events` (schema, known procedure / field / agencies, the desk's agency
   * scope) over `items`, all-or-nothing: the valid events, or a 400 / 403 problem listing every
   * problem by item index. Also used by the portal adapter (docs/desk-sync.md) on the events it derives.
   */
  check(principal: Principal, items: readonly unknown[]): DossierEvent[] {
    const valid: { index: number; event: DossierEvent }[] = [];
    const problems: EventProblem[] = [];
    items.forEach((item, index) => {
      const result = validateDossierEvents([item]);
      if (result.ok) valid.push({ index, event: result.events[0]! });
      else problems.push(...result.problems.map((p) => ({ ...p, index })));
    });
    const invalidSchema = problems.length > 0;
    problems.push(
      ...checkEventReferences(valid, {
        hasAgency: (code) => this.reference.agency(code) !== undefined,
        hasField: (code) => this.reference.field(code) !== undefined,
        hasProcedure: (code) => this.reference.procedure(code) !== undefined,
      }),
    );
    if (problems.length > 0) {
      this.metrics.countRejected(invalidSchema ? 'invalid' : 'unknown_reference', items.length);
      problems.sort((a, b) => a.index - b.index);
      throw new ProblemException(
        problem(
          400,
          `${new Set(problems.map((p) => p.index)).size} of ${items.length} events are invalid; nothing was accepted`,
          { errors: problems },
        ),
      );
    }
    if (principal.role !== 'admin') {
      const tree = this.reference.agencies();
      const outside = checkEventScope(valid, principal.agencyCodes, (code, roots) => tree.isWithinAny(code, roots));
      if (outside.length > 0) {
        this.metrics.countRejected('outside_scope', items.length);
        throw new ProblemException(
          problem(
            403,
            `${new Set(outside.map((v) => v.index)).size} of ${items.length} events name agencies outside this key's scope; nothing was accepted`,
            {
              errors: outside.map(({ index, path, code }) => ({
                index,
                path,
                message: `agency ${code} is outside this key's agencies`,
              })),
            },
          ),
        );
      }
    }
    return valid.map(({ event }) => event);
  }

  /** Publishes checked events in one Kafka transaction, stamped with the key's scope (503 when Kafka does not answer). */
  async publish(principal: Principal, events: readonly DossierEvent[]): Promise<void> {
    const scope = scopeOf(principal);
    await this.publishStamped(events.map((event) => ({ deskId: principal.id, scope, event })));
  }

  /**
   * Publishes checked events, each with the desk id and scope it was accepted under, in one Kafka
   * transaction (503 when Kafka does not answer). The agencies' ancestry is fixed now. Used by
   * `publish` and by the portal adapter's outbox sweep, which publishes what requests recorded
   * (docs/desk-sync.md); `countUnavailable: false` leaves a failed sweep out of the rejection counter
   * (nothing was refused: the events stay in their outbox).
   */
  async publishStamped(
    items: readonly { deskId: string; scope: DeskScope; event: DossierEvent }[],
    options: { countUnavailable?: boolean } = {},
  ): Promise<void> {
    if (items.length === 0) return;
    const acceptedAt = new Date().toISOString();
    const tree = this.reference.agencies();
    try {
      await publishOr503(
        this.producer,
        DOSSIER_EVENTS,
        items.map(({ deskId, scope, event }) => ({
          key: event.dossierCode,
          value: {
            deskId,
            acceptedAt,
            event,
            // The key's scope and the agencies' ancestry: dossier-tracking's desk-scope rule.
            ...acceptanceStamp(event, scope, (code) => tree.ancestry(code)),
          },
        })),
        'the event log',
      );
    } catch (error) {
      if (options.countUnavailable ?? true) this.metrics.countRejected('unavailable', items.length);
      throw error;
    }
    this.metrics.countAccepted(items.length);
  }
}

/** The scope an event accepted with `principal`'s key is stamped with: `admin`, or the desk key's agencies. */
export function scopeOf(principal: Principal): DeskScope {
  return principal.role === 'admin' ? 'admin' : [...principal.agencyCodes];
}
