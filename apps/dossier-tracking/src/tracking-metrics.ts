import { Inject, Injectable } from '@nestjs/common';
import { Counter, type Registry } from 'prom-client';
import { METRICS_REGISTRY } from '@tthc/observability';
import { REFUSAL_KINDS } from './domain/fold';

/** dossier-tracking's own Prometheus metrics (on the service's registry, served at `/metrics`). */
@Injectable()
export class TrackingMetrics {
  /** Events kept out of every fold because their desk may not act on the dossier (issue 11), by reason. */
  private readonly refused: Counter<'reason'>;

  constructor(@Inject(METRICS_REGISTRY) registry: Registry) {
    this.refused = new Counter({
      name: 'tthc_tracking_events_refused_total',
      help: 'Desk events kept out of the fold (listed in the data-quality report), counted once per event, by reason',
      labelNames: ['reason'],
      registers: [registry],
    });
    for (const reason of REFUSAL_KINDS) this.refused.inc({ reason }, 0);
  }

  /** Counts newly recorded findings that are refusals (a finding found again is not counted again). */
  countRefused(kinds: readonly string[]): void {
    for (const kind of kinds) {
      if ((REFUSAL_KINDS as readonly string[]).includes(kind)) this.refused.inc({ reason: kind });
    }
  }
}
