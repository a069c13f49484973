import { Logger, type INestApplication } from '@nestjs/common';
import { Registry } from 'prom-client';
import { httpObservability, type AccessLogEntry } from './http-metrics';
import { METRICS_REGISTRY } from './metrics';

/** Probe and scrape routes: their access lines are debug, or every scrape would log a line. */
const QUIET_ROUTES = new Set(['/health/live', '/health/ready', '/metrics']);

/** `log` for a request, `debug` for a successful probe or scrape. */
export function accessLogLevel(entry: Pick<AccessLogEntry, 'route' | 'status'>): 'log' | 'debug' {
  return QUIET_ROUTES.has(entry.route) && entry.status < 500 ? 'debug' : 'log';
}

/**
 * Installs request ids, HTTP metrics and the access log on a service's application (libs/http's
 * `createService` calls it first, so it sees every request, including refused bodies and 404s).
 */
export function installHttpObservability(app: INestApplication): void {
  let registry: Registry;
  try {
    registry = app.get<Registry>(METRICS_REGISTRY, { strict: false });
  } catch {
    // A module without ObservabilityModule (none of the four services): request ids and the access
    // log still work; the metrics go to a registry nobody scrapes.
    registry = new Registry();
  }
  const logger = new Logger('http');
  app.use(
    httpObservability({
      registry,
      log: (entry) => (accessLogLevel(entry) === 'debug' ? logger.debug(entry) : logger.log(entry)),
    }),
  );
}
