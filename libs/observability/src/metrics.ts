import { collectDefaultMetrics, Registry } from 'prom-client';

/** Injection token of the service's own Prometheus registry (one per app, so tests can host several). */
export const METRICS_REGISTRY = Symbol('METRICS_REGISTRY');

export function createMetricsRegistry(service: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  return registry;
}
