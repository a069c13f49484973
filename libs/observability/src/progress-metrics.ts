import { Counter, Gauge, type Registry } from 'prom-client';

/** Names of the progress metrics of one kind of long-running job (an import, a rebuild). */
export interface ProgressMetricNames {
  /** Gauge: jobs of this kind running on this replica now. */
  running: string;
  /** Gauge: units done so far by the running jobs of this replica (0 when none runs). */
  processed: string;
  /** Gauge: units the running jobs of this replica have in all. */
  expected: string;
  /** Counter: units done, ever, by this replica (rate() of it is the throughput). */
  processedTotal: string;
}

/** The metric names for a job `subject` (`import`) counting `unit`s (`rows`). */
export function progressMetricNames(subject: string, unit: string): ProgressMetricNames {
  return {
    running: `tthc_${subject}s_running`,
    processed: `tthc_${subject}_${unit}_processed`,
    expected: `tthc_${subject}_${unit}_expected`,
    processedTotal: `tthc_${subject}_${unit}_processed_total`,
  };
}

const RUNNING = new WeakMap<Registry, Map<string, Map<string, { processed: number; expected: number }>>>();

/**
 * Progress gauges of long-running jobs of one kind on one replica (docs/operations.md, "Import and
 * rebuild progress"): which run, how far they are, and a counter of the work done. A job reports
 * `start`, `advance` (absolute progress, so a resumed job that starts past 0 is right at once; the
 * counter moves by the increase only) and `finish` (in a `finally`). Progress is the sum over the
 * running jobs: `processed / expected` is the fraction done.
 */
export class ProgressMetrics {
  private readonly jobs: Map<string, { processed: number; expected: number }>;
  private readonly counter: Counter;

  constructor(registry: Registry, subject: string, unit: string, what: string) {
    const names = progressMetricNames(subject, unit);
    // One set of running jobs per registry and kind: instances on one registry share the metrics.
    const kinds = RUNNING.get(registry) ?? new Map<string, Map<string, { processed: number; expected: number }>>();
    RUNNING.set(registry, kinds);
    const jobs = kinds.get(names.running) ?? new Map<string, { processed: number; expected: number }>();
    kinds.set(names.running, jobs);
    this.jobs = jobs;
    const sum = (field: 'processed' | 'expected') => [...jobs.values()].reduce((total, job) => total + job[field], 0);
    const existing = registry.getSingleMetric(names.processedTotal) as Counter | undefined;
    this.counter =
      existing ??
      new Counter({ name: names.processedTotal, help: `${what}: ${unit} processed, ever`, registers: [registry] });
    if (existing !== undefined) return;
    new Gauge({
      name: names.running,
      help: `${what}: jobs running on this replica`,
      registers: [registry],
      collect() {
        this.set(jobs.size);
      },
    });
    new Gauge({
      name: names.processed,
      help: `${what}: ${unit} processed so far by the jobs running on this replica`,
      registers: [registry],
      collect() {
        this.set(sum('processed'));
      },
    });
    new Gauge({
      name: names.expected,
      help: `${what}: ${unit} the jobs running on this replica have in all`,
      registers: [registry],
      collect() {
        this.set(sum('expected'));
      },
    });
  }

  /** A job starts (or resumes) with `processed` of `expected` units done. */
  start(id: string, expected: number, processed = 0): void {
    this.jobs.set(id, { processed, expected: Math.max(expected, processed) });
  }

  /** A running job has done `processed` units (absolute); the counter moves by the increase. */
  advance(id: string, processed: number, expected?: number): void {
    const job = this.jobs.get(id) ?? { processed: 0, expected: expected ?? processed };
    const increase = processed - job.processed;
    if (increase > 0) this.counter.inc(increase);
    job.processed = processed;
    job.expected = Math.max(expected ?? job.expected, processed);
    this.jobs.set(id, job);
  }

  /** The job ended (completed, failed or interrupted). */
  finish(id: string): void {
    this.jobs.delete(id);
  }
}
