import type { Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { checkRateLimit, TokenBuckets, type RateLimit, type TakeResult } from './token-bucket';

/**
 * The token bucket of ./token-bucket.ts as one atomic Redis script, so every replica of every
 * service draws from the same bucket. Time is Redis's own clock (`TIME`), so replicas with skewed
 * clocks agree. State: a hash `{tokens, at}` per bucket, expiring once the bucket would be full
 * again (an absent bucket is a full one). Cost 0 = peek: is one token there? (nothing written).
 * Returns `{allowed 0|1, milliseconds until the tokens are there}`.
 */
export const TOKEN_BUCKET_SCRIPT = `
local rate = tonumber(ARGV[1]) / 1000
local burst = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1])
local at = tonumber(state[2])
if tokens == nil or at == nil then
  tokens = burst
  at = now
end
if now > at then
  tokens = math.min(burst, tokens + (now - at) * rate)
  at = now
end
local need = cost
if need < 1 then need = 1 end
if tokens < need then
  return {0, math.ceil((need - tokens) / rate)}
end
if cost > 0 then
  tokens = tokens - cost
  redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(at))
  redis.call('PEXPIRE', KEYS[1], math.ceil((burst - tokens) / rate) + 1000)
end
return {1, 0}
`;

type BucketCommand = (key: string, rate: number, burst: number, cost: number) => Promise<[number, number]>;

/** Registers the script on a client (ioredis sends EVALSHA, and the script itself when Redis lost it). */
export function withTokenBucketCommand(redis: Redis): Redis & { tthcTokenBucket: BucketCommand } {
  if (!('tthcTokenBucket' in redis)) {
    redis.defineCommand('tthcTokenBucket', { numberOfKeys: 1, lua: TOKEN_BUCKET_SCRIPT });
  }
  return redis as Redis & { tthcTokenBucket: BucketCommand };
}

/**
 * Token buckets shared by every replica through Redis, one per id, under `<keyPrefix><id>`.
 *
 * Redis unreachable or slow (the client fails fast: no offline queue, a command timeout): **fail
 * open to the replica's own buckets** — the same limit is enforced per replica in memory (as before
 * the buckets were shared, so a key may then reach the limit once per replica), a warning is logged
 * when that starts and when Redis answers again. Neither refusing every request nor dropping the
 * limit altogether because a cache is away.
 */
export class SharedTokenBuckets {
  private readonly local: TokenBuckets;
  private degraded = false;

  constructor(
    private readonly redis: Redis,
    private readonly keyPrefix: string,
    private readonly limit: RateLimit,
    private readonly logger: Logger,
    /** What is limited, for log lines ("requests per key"). */
    private readonly what: string,
  ) {
    checkRateLimit(limit);
    this.local = new TokenBuckets(limit);
  }

  /** Takes `cost` tokens from `id`'s bucket, or says in how many whole seconds they will be there. */
  take(id: string, cost = 1): Promise<TakeResult> {
    return this.run(id, cost, () => this.local.take(id, cost));
  }

  /** Whether `id`'s bucket holds a token, without taking it. */
  peek(id: string): Promise<TakeResult> {
    return this.run(id, 0, () => this.local.peek(id));
  }

  private async run(id: string, cost: number, fallback: () => TakeResult): Promise<TakeResult> {
    let answer: [number, number];
    try {
      answer = await withTokenBucketCommand(this.redis).tthcTokenBucket(
        `${this.keyPrefix}${id}`,
        this.limit.ratePerSecond,
        this.limit.burst,
        cost,
      );
    } catch (error) {
      if (!this.degraded) {
        this.degraded = true;
        this.logger.warn(
          `${this.what}: Redis did not answer (${(error as Error).message}); limiting per replica until it does`,
        );
      }
      return fallback();
    }
    if (this.degraded) {
      this.degraded = false;
      this.logger.log(`${this.what}: Redis answers again; the limit is shared by all replicas`);
    }
    const [allowed, waitMs] = answer;
    if (allowed === 1) return { allowed: true };
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) };
  }
}
