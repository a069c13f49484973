import { Inject, Injectable, Optional } from '@nestjs/common';
import { Counter, Registry } from 'prom-client';
import { METRICS_REGISTRY } from '@tthc/observability';

/** Why the events of a request were not accepted (all or nothing: every event of the request counts). */
export const EVENT_REJECTION_REASONS = [
  /** Not a docs/api.md §4 event (schema). */
  'invalid',
  /** Names an agency, field or procedure the reference data does not know. */
  'unknown_reference',
  /** Names an agency outside the desk key's agencies (403). */
  'outside_scope',
  /** More events than one request may carry (413). */
  'too_many',
  /** Kafka did not take them (503; the desk retries). */
  'unavailable',
] as const;
export type EventRejectionReason = (typeof EVENT_REJECTION_REASONS)[number];

/** intake's event counters (`tthc_intake_events_accepted_total`, `tthc_intake_events_rejected_total{reason}`). */
@Injectable()
export class IntakeMetrics {
  private readonly accepted: Counter;
  private readonly rejected: Counter<'reason'>;

  constructor(@Optional() @Inject(METRICS_REGISTRY) registry: Registry = new Registry()) {
    this.accepted = new Counter({
      name: 'tthc_intake_events_accepted_total',
      help: 'Desk events accepted (published to the event log) by POST /v1/events',
      registers: [registry],
    });
    this.rejected = new Counter({
      name: 'tthc_intake_events_rejected_total',
      help: 'Desk events of refused POST /v1/events requests (every event of the request), by reason',
      labelNames: ['reason'],
      registers: [registry],
    });
    for (const reason of EVENT_REJECTION_REASONS) this.rejected.inc({ reason }, 0);
  }

  countAccepted(events: number): void {
    this.accepted.inc(events);
  }

  countRejected(reason: EventRejectionReason, events: number): void {
    this.rejected.inc({ reason }, events);
  }
}
