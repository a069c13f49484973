import type { Job, JobsOptions } from 'bullmq';
import { DelayedError } from 'bullmq';

/**
 * The queue port: what services see of their background jobs. Apps add, schedule and inspect jobs
 * and write workers with these types only; BullMQ (the adapter, `QueueService`) stays inside
 * libs/queue.
 */

/** How long finished jobs are kept: `true` removes at once, a number keeps that many, or by age (s) / count. */
export type JobRetention = boolean | number | { count: number } | { age: number; count?: number };

/** Options of a job. */
export interface JobOptions {
  /** A job id: adding a job whose id exists (and was not removed) adds nothing. */
  id?: string;
  /** Milliseconds before the job may run. */
  delay?: number;
  /** Attempts before the job fails for good (default 1). */
  attempts?: number;
  /** Wait between attempts. */
  backoff?: { type: 'exponential' | 'fixed'; delay: number };
  removeOnComplete?: JobRetention;
  removeOnFail?: JobRetention;
}

/** A job to add in bulk. */
export interface NewJob<D> {
  name: string;
  data: D;
  options?: JobOptions;
}

/** When a scheduled job repeats: every `every` ms, or by a cron `pattern` read in time zone `tz`. */
export type Repeat = { every: number } | { pattern: string; tz?: string };

/** Where a job is: `missing` when there is no job of that id (never added, or removed). */
export type JobState =
  'waiting' | 'prioritized' | 'delayed' | 'active' | 'waiting-children' | 'completed' | 'failed' | 'missing';

/** States in which a job will still run. */
export const PENDING_JOB_STATES: ReadonlySet<JobState> = new Set(['waiting', 'prioritized', 'delayed', 'active']);

/** A job as seen from outside its worker (progress pages, tests). */
export interface JobView {
  id: string;
  name: string;
  data: unknown;
  state: JobState;
  progress: unknown;
  attemptsMade: number;
  /** When the job was added (ms since the epoch). */
  createdAt: number;
  finishedAt: number | null;
  failedReason: string | null;
}

/** The job a worker runs. */
export interface RunningJob {
  readonly id: string | undefined;
  /** Attempts made before this one. */
  readonly attemptsMade: number;
  /** Attempts the job has in all. */
  readonly attempts: number;
  /** This is the job's last attempt: failing now fails it for good. */
  readonly lastAttempt: boolean;
  /** When the job was meant to run: its planned time for a scheduled job, else when it was added. */
  readonly plannedAt: number;
  updateProgress(progress: object): Promise<void>;
  /**
   * Runs the job again at `at` without spending an attempt. Returns a promise that rejects with
   * the adapter's signal: the worker returns (or awaits) it and does nothing after.
   */
  retryAt(at: number): Promise<never>;
}

/** BullMQ options of a {@link JobOptions}. */
export function bullmqOptions(options: JobOptions | undefined): JobsOptions | undefined {
  if (options === undefined) return undefined;
  const { id, ...rest } = options;
  return id === undefined ? rest : { ...rest, jobId: id };
}

/** The {@link RunningJob} of a BullMQ job, run by a worker holding `token`. */
export function runningJob(job: Job, token: string | undefined): RunningJob {
  const attempts = job.opts.attempts ?? 1;
  const planned = job.opts.prevMillis;
  return {
    id: job.id,
    attemptsMade: job.attemptsMade,
    attempts,
    lastAttempt: job.attemptsMade + 1 >= attempts,
    plannedAt: typeof planned === 'number' && planned > 0 ? planned : job.timestamp,
    updateProgress: async (progress) => {
      await job.updateProgress(progress);
    },
    retryAt: async (at) => {
      // BullMQ's step-job pattern: moved back to delayed, the attempt is not counted.
      await job.moveToDelayed(at, token);
      throw new DelayedError();
    },
  };
}
