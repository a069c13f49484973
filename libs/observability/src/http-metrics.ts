import type { IncomingMessage, ServerResponse } from 'node:http';
import { Counter, Histogram, type Registry } from 'prom-client';
import { requestIdOf, runWithRequestContext } from './request-context';

/** Route label of a request that matched no route (404s of unknown paths): keeps the label set bounded. */
export const UNMATCHED_ROUTE = 'unmatched';

/** The request as Express leaves it after routing (`route` set by the router that matched). */
export interface RoutedRequest extends IncomingMessage {
  method?: string;
  baseUrl?: string;
  route?: { path?: unknown };
  /** Set by the auth guard (libs/auth): the key's id only, never the key. */
  principal?: { id?: unknown };
}

/** The route template of a handled request (`/v1/dossiers/:code`), never its concrete path. */
export function routeTemplateOf(request: RoutedRequest): string {
  const path = request.route?.path;
  if (typeof path !== 'string') return UNMATCHED_ROUTE;
  const template = `${request.baseUrl ?? ''}${path}`;
  return template === '' ? '/' : template;
}

/** One access-log line's fields: method, route template, status, duration, key id (never the key). */
export interface AccessLogEntry {
  message: 'request';
  method: string;
  route: string;
  status: number;
  durationMs: number;
  keyId?: string;
}

export interface HttpObservabilityOptions {
  registry: Registry;
  /** Writes one access-log line per finished request. */
  log(entry: AccessLogEntry): void;
  /** Request-id factory (tests). */
  createRequestId?: () => string;
}

/** The HTTP metrics of a registry, created once per registry. */
function httpMetrics(registry: Registry) {
  const requests =
    (registry.getSingleMetric('tthc_http_requests_total') as Counter | undefined) ??
    new Counter({
      name: 'tthc_http_requests_total',
      help: 'HTTP requests answered, by method, route template and status',
      labelNames: ['method', 'route', 'status'],
      registers: [registry],
    });
  const duration =
    (registry.getSingleMetric('tthc_http_request_duration_seconds') as Histogram | undefined) ??
    new Histogram({
      name: 'tthc_http_request_duration_seconds',
      help: 'Time from a request arriving to its response being sent, by method, route template and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    });
  return { requests, duration };
}

/**
 * Express middleware, installed before every other one: takes or creates the request id (echoed
 * in `X-Request-Id`), runs the request in its context (so log lines carry it), and when the
 * response is finished counts it, times it and writes the access-log line. Requests whose client
 * went away before the answer count with status 499.
 */
export function httpObservability(options: HttpObservabilityOptions) {
  const { requests, duration } = httpMetrics(options.registry);
  return (request: RoutedRequest, response: ServerResponse, next: () => void): void => {
    const requestId = requestIdOf(request.headers, options.createRequestId);
    response.setHeader('X-Request-Id', requestId);
    const started = process.hrtime.bigint();
    let done = false;
    const finish = (aborted: boolean) => {
      if (done) return;
      done = true;
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const status = aborted && !response.writableFinished ? 499 : response.statusCode;
      const labels = { method: request.method ?? 'GET', route: routeTemplateOf(request), status: String(status) };
      requests.inc(labels);
      duration.observe(labels, seconds);
      const keyId = request.principal?.id;
      runWithRequestContext({ requestId }, () =>
        options.log({
          message: 'request',
          method: labels.method,
          route: labels.route,
          status,
          durationMs: Math.round(seconds * 1e4) / 10,
          ...(typeof keyId === 'string' ? { keyId } : {}),
        }),
      );
    };
    response.once('finish', () => finish(false));
    response.once('close', () => finish(true));
    runWithRequestContext({ requestId }, next);
  };
}
