import { Inject, Injectable, Logger } from '@nestjs/common';
import { Gauge, type Registry } from 'prom-client';
import { ADMIN_PRINCIPAL_ID } from '@tthc/auth';
import { localDateOf } from '@tthc/calendar';
import { METRICS_REGISTRY } from '@tthc/observability';
import { ReportingMeta } from './persistence/reporting-meta';
import { ReportsService } from './reports/reports.service';

/** A scrape does not wait longer than this for MongoDB or the counter cache. */
const SCRAPE_TIMEOUT_MS = 2000;

async function within<T>(work: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      work,
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`${what}: no answer within ${SCRAPE_TIMEOUT_MS} ms`)),
          SCRAPE_TIMEOUT_MS,
        );
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Unix seconds of an ISO instant, or undefined. */
export function epochSecondsOf(instant: string | null): number | undefined {
  if (instant === null) return undefined;
  const ms = Date.parse(instant);
  return Number.isNaN(ms) ? undefined : ms / 1000;
}

/**
 * reporting's figures as metrics, read at each scrape: how fresh they are (`dataAsOf`, the newest
 * classified dossier applied, docs/reporting.md) and the headline of the current year — dossiers
 * resolved and the share resolved early or on time, for every agency (what the demo prints).
 */
@Injectable()
export class ReportingMetrics {
  private readonly logger = new Logger(ReportingMetrics.name);

  constructor(
    @Inject(METRICS_REGISTRY) registry: Registry,
    private readonly meta: ReportingMeta,
    private readonly reports: ReportsService,
  ) {
    const dataAsOf = () => within(this.meta.dataAsOf(), 'dataAsOf');
    const headline = () => within(this.headline(), 'headline');
    const logger = this.logger;
    new Gauge({
      name: 'tthc_reporting_data_as_of_timestamp_seconds',
      help: 'Unix time of the newest classified dossier reflected in the reports (dataAsOf); age = time() - this',
      registers: [registry],
      async collect() {
        try {
          const seconds = epochSecondsOf(await dataAsOf());
          if (seconds === undefined) this.reset();
          else this.set(seconds);
        } catch (error) {
          logger.debug(`dataAsOf not read: ${String(error)}`);
        }
      },
    });
    const resolved = new Gauge({
      name: 'tthc_reporting_resolved_dossiers',
      help: 'Dossiers resolved in the current year (Asia/Ho_Chi_Minh calendar), every agency',
      labelNames: ['period'],
      registers: [registry],
    });
    new Gauge({
      name: 'tthc_reporting_on_time_ratio',
      help: 'Share of the dossiers resolved in the current year that were resolved early or on time (0..1)',
      labelNames: ['period'],
      registers: [registry],
      async collect() {
        try {
          const figures = await headline();
          resolved.set({ period: 'year' }, figures.resolved);
          if (figures.onTimeRatio === null) this.reset();
          else this.set({ period: 'year' }, figures.onTimeRatio);
        } catch (error) {
          logger.debug(`headline not computed: ${String(error)}`);
        }
      },
    });
  }

  /** The current year's headline for every agency, as the summary report answers it. */
  async headline(): Promise<{ resolved: number; onTimeRatio: number | null }> {
    const today = localDateOf(Date.now());
    const scope = this.reports.scopeOf(
      { id: ADMIN_PRINCIPAL_ID, role: 'admin', name: 'metrics', agencyCodes: [] },
      { restate: false },
    );
    const summary = await this.reports.summary(scope, {
      from: `${today.slice(0, 4)}-01-01`,
      to: today,
      restate: false,
    });
    return { resolved: summary.resolved.total, onTimeRatio: summary.onTimeRate.resolved };
  }
}
