import { Inject, Injectable, Optional } from '@nestjs/common';
import { Counter, Gauge, Registry } from 'prom-client';
import { METRICS_REGISTRY } from '@tthc/observability';

/** The portal adapter's outbox metrics (docs/desk-sync.md, "The outbox sweep"). */
@Injectable()
export class SyncMetrics {
  private readonly outboxEvents: Gauge;
  private readonly swept: Counter;

  constructor(@Optional() @Inject(METRICS_REGISTRY) registry: Registry = new Registry()) {
    this.outboxEvents = new Gauge({
      name: 'tthc_sync_outbox_events',
      help: 'Recorded but unpublished events of synced dossiers (outboxes) found by the last outbox sweep of this replica',
      registers: [registry],
    });
    this.swept = new Counter({
      name: 'tthc_sync_outbox_swept_events_total',
      help: 'Outbox events published by the outbox sweep (a request recorded them but did not publish them)',
      registers: [registry],
    });
  }

  setOutboxEvents(events: number): void {
    this.outboxEvents.set(events);
  }

  countSwept(events: number): void {
    this.swept.inc(events);
  }
}
