/** A token bucket's size and refill: `ratePerSecond` sustained, `burst` at once after a quiet period. */
export interface RateLimit {
  /** Tokens added per second (sustained requests, or events, per second). */
  ratePerSecond: number;
  /** Bucket size: what may arrive at once after a quiet period. */
  burst: number;
}

export type TakeResult = { allowed: true } | { allowed: false; retryAfterSeconds: number };

export function checkRateLimit(limit: RateLimit): void {
  if (!(limit.ratePerSecond > 0) || !(limit.burst >= 1)) {
    throw new RangeError('a rate limit needs ratePerSecond > 0 and burst >= 1');
  }
}

/** Whole seconds (≥ 1) until a bucket holding `tokens` holds `need`. */
export function retryAfterSeconds(limit: RateLimit, tokens: number, need: number): number {
  return Math.max(1, Math.ceil((need - tokens) / limit.ratePerSecond));
}

interface Bucket {
  tokens: number;
  updatedAt: number;
}

/**
 * In-memory token buckets, one per id: the reference of the arithmetic the shared Redis buckets
 * run (./shared-token-buckets.ts), and their stand-in on a replica while Redis does not answer.
 * `take(id, cost)` takes `cost` tokens when the bucket holds them (nothing otherwise); `peek(id)`
 * says whether one token is there without taking it.
 */
export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly limit: RateLimit,
    /** Milliseconds; injectable for tests. */
    private readonly now: () => number = () => Date.now(),
    /** Beyond this many ids the least recently used bucket is forgotten (it would be full soon anyway). */
    private readonly maxBuckets = 100_000,
  ) {
    checkRateLimit(limit);
  }

  take(id: string, cost = 1): TakeResult {
    const bucket = this.refilled(id);
    if (bucket.tokens >= cost) {
      bucket.tokens -= cost;
      return { allowed: true };
    }
    return { allowed: false, retryAfterSeconds: retryAfterSeconds(this.limit, bucket.tokens, cost) };
  }

  peek(id: string): TakeResult {
    const bucket = this.refilled(id);
    if (bucket.tokens >= 1) return { allowed: true };
    return { allowed: false, retryAfterSeconds: retryAfterSeconds(this.limit, bucket.tokens, 1) };
  }

  private refilled(id: string): Bucket {
    const now = this.now();
    const bucket = this.buckets.get(id) ?? { tokens: this.limit.burst, updatedAt: now };
    const elapsedSeconds = Math.max(0, now - bucket.updatedAt) / 1000;
    bucket.tokens = Math.min(this.limit.burst, bucket.tokens + elapsedSeconds * this.limit.ratePerSecond);
    bucket.updatedAt = Math.max(now, bucket.updatedAt);
    this.buckets.delete(id);
    this.buckets.set(id, bucket);
    if (this.buckets.size > this.maxBuckets) {
      const oldest = this.buckets.keys().next().value;
      if (oldest !== undefined) this.buckets.delete(oldest);
    }
    return bucket;
  }
}
