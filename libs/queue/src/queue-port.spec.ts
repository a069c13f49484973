import { DelayedError, type Job } from 'bullmq';
import { bullmqOptions, PENDING_JOB_STATES, runningJob } from './queue-port';

/** The parts of a BullMQ job the port reads, with what the worker did to it. */
function fakeJob(fields: { attemptsMade?: number; attempts?: number; timestamp?: number; prevMillis?: number }) {
  const calls: { progress: object[]; delayedTo: [number, string | undefined][] } = { progress: [], delayedTo: [] };
  const job = {
    id: 'job-1',
    attemptsMade: fields.attemptsMade ?? 0,
    timestamp: fields.timestamp ?? 5,
    opts: { attempts: fields.attempts, prevMillis: fields.prevMillis },
    updateProgress: (progress: object) => {
      calls.progress.push(progress);
      return Promise.resolve();
    },
    moveToDelayed: (at: number, token?: string) => {
      calls.delayedTo.push([at, token]);
      return Promise.resolve();
    },
  };
  return { job: job as unknown as Job, calls };
}

describe('the queue port (BullMQ adapter)', () => {
  it('takes the planned time of a scheduled job, else the time it was added', () => {
    expect(runningJob(fakeJob({ timestamp: 5, prevMillis: 10 }).job, 't').plannedAt).toBe(10);
    expect(runningJob(fakeJob({ timestamp: 5 }).job, 't').plannedAt).toBe(5);
  });

  it('knows the last attempt (a job added without attempts has one)', () => {
    expect(runningJob(fakeJob({ attemptsMade: 0, attempts: 3 }).job, 't').lastAttempt).toBe(false);
    expect(runningJob(fakeJob({ attemptsMade: 2, attempts: 3 }).job, 't').lastAttempt).toBe(true);
    const single = runningJob(fakeJob({ attemptsMade: 0 }).job, 't');
    expect([single.attempts, single.lastAttempt]).toEqual([1, true]);
  });

  it('retries later without spending an attempt: moved to delayed with the worker token, then the delay signal', async () => {
    const { job, calls } = fakeJob({});
    await expect(runningJob(job, 'token-7').retryAt(1234)).rejects.toBeInstanceOf(DelayedError);
    expect(calls.delayedTo).toEqual([[1234, 'token-7']]);
  });

  it('passes progress through', async () => {
    const { job, calls } = fakeJob({});
    await runningJob(job, 't').updateProgress({ produced: 1 });
    expect(calls.progress).toEqual([{ produced: 1 }]);
  });

  it('maps the job id option onto BullMQ’s jobId and leaves the rest alone', () => {
    expect(bullmqOptions(undefined)).toBeUndefined();
    expect(bullmqOptions({ id: 'due:X:1', delay: 5, attempts: 2, removeOnComplete: true })).toEqual({
      jobId: 'due:X:1',
      delay: 5,
      attempts: 2,
      removeOnComplete: true,
    });
    expect(bullmqOptions({ removeOnFail: { age: 60 } })).toEqual({ removeOnFail: { age: 60 } });
  });

  it('counts waiting, prioritized, delayed and active jobs as pending, nothing else', () => {
    expect([...PENDING_JOB_STATES].sort()).toEqual(['active', 'delayed', 'prioritized', 'waiting']);
  });
});
