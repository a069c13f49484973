import { Registry } from 'prom-client';
import { ProgressMetrics, progressMetricNames } from './progress-metrics';

async function values(registry: Registry): Promise<Record<string, number>> {
  const metrics = await registry.getMetricsAsJSON();
  return Object.fromEntries(metrics.map((metric) => [metric.name, metric.values[0]?.value ?? NaN]));
}

describe('ProgressMetrics', () => {
  it('names gauges without _total and the counter with it', () => {
    expect(progressMetricNames('import', 'rows')).toEqual({
      running: 'tthc_imports_running',
      processed: 'tthc_import_rows_processed',
      expected: 'tthc_import_rows_expected',
      processedTotal: 'tthc_import_rows_processed_total',
    });
  });

  it('sums the running jobs, counts only increases, and drops finished jobs', async () => {
    const registry = new Registry();
    const progress = new ProgressMetrics(registry, 'import', 'rows', 'Imports');
    expect(await values(registry)).toEqual({
      tthc_import_rows_processed_total: 0,
      tthc_imports_running: 0,
      tthc_import_rows_processed: 0,
      tthc_import_rows_expected: 0,
    });
    progress.start('a', 100, 40); // resumed past 40: not counted again
    progress.start('b', 10);
    progress.advance('a', 60);
    progress.advance('b', 5);
    progress.advance('b', 5);
    expect(await values(registry)).toEqual({
      tthc_import_rows_processed_total: 25,
      tthc_imports_running: 2,
      tthc_import_rows_processed: 65,
      tthc_import_rows_expected: 110,
    });
    progress.advance('a', 120); // more than announced: expected follows
    progress.finish('b');
    expect(await values(registry)).toEqual({
      tthc_import_rows_processed_total: 85,
      tthc_imports_running: 1,
      tthc_import_rows_processed: 120,
      tthc_import_rows_expected: 120,
    });
    progress.finish('a');
    expect((await values(registry)).tthc_imports_running).toBe(0);
  });

  it('shares the metrics between two instances on one registry', async () => {
    const registry = new Registry();
    const first = new ProgressMetrics(registry, 'rebuild', 'dossiers', 'Rebuilds');
    const second = new ProgressMetrics(registry, 'rebuild', 'dossiers', 'Rebuilds');
    first.advance('x', 3);
    second.advance('y', 4);
    expect((await values(registry)).tthc_rebuild_dossiers_processed_total).toBe(7);
  });
});
