import { z } from 'zod';
import { defineQueue, type JobOptions } from '@tthc/queue';
import { MONTH } from './plan';

/** Produces the II.06a files of every province for a month (and its quarter when the month ends one). */
export const SCHEDULED_REPORTS = defineQueue({
  name: 'reporting-scheduled-reports',
  description: 'Monthly and quarterly Biểu II.06a of each province as xlsx and csv, stored in GridFS',
  data: z.object({
    /** `YYYY-MM`; absent for the scheduler's runs: the month before the run's scheduled local date. */
    month: z.string().regex(MONTH, 'must be a month YYYY-MM').optional(),
    trigger: z.enum(['schedule', 'manual']),
  }),
});

/** The Job Scheduler id (one per deployment: upserting it from every replica is idempotent). */
export const SCHEDULED_REPORTS_SCHEDULER_ID = 'reporting-scheduled-reports-monthly';

/** Completed and failed runs kept in Redis (for `GET /v1/admin/scheduled-reports/runs/{jobId}`). */
export const SCHEDULED_RUN_JOB_OPTIONS: JobOptions = {
  attempts: 3,
  backoff: { type: 'exponential', delay: 30_000 },
  removeOnComplete: { count: 200 },
  removeOnFail: { count: 200 },
};
