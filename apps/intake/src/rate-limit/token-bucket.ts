/** Requests per second and burst of one principal's bucket. */
export interface RateLimit {
  /** Tokens added per second (sustained requests per second). */
  ratePerSecond: number;
  /** Bucket size: requests that may arrive at once after a quiet period. */
  burst: number;
}

/** Default per-desk limit of `POST /v1/events`: 50 requests/s sustained, bursts of 100. */
export const DEFAULT_RATE_LIMIT: RateLimit = { ratePerSecond: 50, burst: 100 };

export type TakeResult = { allowed: true } | { allowed: false; retryAfterSeconds: number };

interface Bucket {
  tokens: number;
  updatedAt: number;
}

/**
 * In-memory token buckets, one per principal id. Each replica keeps its own buckets, so the
 * effective limit of a desk is the per-replica limit times the number of replicas it reaches.
 */
export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly limit: RateLimit,
    /** Milliseconds; injectable for tests. */
    private readonly now: () => number = () => Date.now(),
    /** Buckets not touched for this long are forgotten (they would be full anyway). */
    private readonly maxBuckets = 100_000,
  ) {
    if (!(limit.ratePerSecond > 0) || !(limit.burst >= 1)) {
      throw new RangeError('a rate limit needs ratePerSecond > 0 and burst >= 1');
    }
  }

  /** Takes one token from `id`'s bucket, or says how many whole seconds until one is available. */
  take(id: string): TakeResult {
    const now = this.now();
    const bucket = this.buckets.get(id) ?? { tokens: this.limit.burst, updatedAt: now };
    const elapsedSeconds = Math.max(0, now - bucket.updatedAt) / 1000;
    bucket.tokens = Math.min(this.limit.burst, bucket.tokens + elapsedSeconds * this.limit.ratePerSecond);
    bucket.updatedAt = now;
    this.remember(id, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true };
    }
    const waitSeconds = (1 - bucket.tokens) / this.limit.ratePerSecond;
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(waitSeconds)) };
  }

  private remember(id: string, bucket: Bucket): void {
    this.buckets.delete(id);
    this.buckets.set(id, bucket);
    if (this.buckets.size > this.maxBuckets) {
      const oldest = this.buckets.keys().next().value;
      if (oldest !== undefined) this.buckets.delete(oldest);
    }
  }
}
