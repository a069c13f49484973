import { describeFailure } from './failure';

/** First pause after an infrastructure failure; it doubles up to {@link MAX_INFRASTRUCTURE_BACKOFF_MS}. */
export const FIRST_INFRASTRUCTURE_BACKOFF_MS = 500;
export const MAX_INFRASTRUCTURE_BACKOFF_MS = 30_000;
/** While a partition keeps waiting, at most one log line per partition this often. */
export const WAIT_LOG_INTERVAL_MS = 30_000;

/** Pause before the next attempt after the `waits`-th infrastructure failure in a row (capped exponential). */
export function infrastructureBackoffMs(waits: number): number {
  const exponent = Math.max(0, Math.min(30, waits - 1));
  return Math.min(MAX_INFRASTRUCTURE_BACKOFF_MS, FIRST_INFRASTRUCTURE_BACKOFF_MS * 2 ** exponent);
}

export interface PartitionWait {
  topic: string;
  partition: number;
  since: number;
  waits: number;
  lastError: string;
  lastLoggedAt: number;
}

/** What a failure changed: whether to log it now (rate-limited per partition). */
export interface WaitNote {
  log: boolean;
  wait: PartitionWait;
}

/**
 * The partitions of this process that are waiting for MongoDB, Redis or Kafka to answer: what
 * readiness reports, what the gauge counts, and the rate limit of the warn lines. Pure (the clock
 * is passed in).
 */
export class PartitionWaits {
  private readonly waiting = new Map<string, PartitionWait>();

  static keyOf(topic: string, partition: number): string {
    return `${topic}[${partition}]`;
  }

  /** Notes an infrastructure failure of a partition's attempt. */
  failed(topic: string, partition: number, error: unknown, now: number): WaitNote {
    const key = PartitionWaits.keyOf(topic, partition);
    const existing = this.waiting.get(key);
    const lastError = describeFailure(error);
    if (existing === undefined) {
      const wait = { topic, partition, since: now, waits: 1, lastError, lastLoggedAt: now };
      this.waiting.set(key, wait);
      return { log: true, wait };
    }
    existing.waits += 1;
    existing.lastError = lastError;
    const log = now - existing.lastLoggedAt >= WAIT_LOG_INTERVAL_MS;
    if (log) existing.lastLoggedAt = now;
    return { log, wait: existing };
  }

  /** The partition got an answer again (or stopped waiting); returns the wait it ended, if any. */
  cleared(topic: string, partition: number): PartitionWait | undefined {
    const key = PartitionWaits.keyOf(topic, partition);
    const wait = this.waiting.get(key);
    this.waiting.delete(key);
    return wait;
  }

  get size(): number {
    return this.waiting.size;
  }

  /** Waiting partitions per topic (for the gauge). */
  countsByTopic(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const wait of this.waiting.values()) counts.set(wait.topic, (counts.get(wait.topic) ?? 0) + 1);
    return counts;
  }

  /** One readiness line, or undefined when nothing waits. */
  describe(now: number): string | undefined {
    if (this.waiting.size === 0) return undefined;
    const parts = [...this.waiting.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(
        ([key, wait]) =>
          `${key} for ${Math.round((now - wait.since) / 1000)} s after ${wait.waits} attempt(s) (${wait.lastError})`,
      );
    return `waiting on infrastructure (MongoDB, Redis or Kafka not answering): ${parts.join('; ')}`;
  }
}

export interface PauseControl {
  /** False once the consumer stops or loses the partition. */
  active: () => boolean;
  /** Heartbeats the group; resolves false when the group is rebalancing (stop waiting). */
  heartbeat: () => Promise<boolean>;
  sleep?: (ms: number) => Promise<void>;
  /** Longest single sleep between two heartbeats and checks. */
  stepMs?: number;
}

/**
 * Sleeps `ms` in steps, heartbeating and checking between them; resolves true when the pause ran
 * out with the consumer still active, false as soon as it stops or the group rebalances.
 */
export async function pausePartition(ms: number, control: PauseControl): Promise<boolean> {
  const sleep = control.sleep ?? ((step: number) => new Promise<void>((resolve) => setTimeout(resolve, step)));
  const step = control.stepMs ?? 1000;
  let left = ms;
  while (left > 0) {
    if (!control.active()) return false;
    const now = Math.min(step, left);
    await sleep(now);
    left -= now;
    if (!(await control.heartbeat())) return false;
  }
  return control.active();
}
