import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import IORedis, { type Redis } from 'ioredis';
import { APP_CONFIG, type AppConfig } from '@tthc/config';
import { SharedTokenBuckets } from './shared-token-buckets';
import type { RateLimit } from './token-bucket';

/** How long a rate-limit decision may wait for Redis before the replica decides alone. */
export const THROTTLE_REDIS_TIMEOUT_MS = 250;

/**
 * The service's shared token buckets (docs/intake.md, "Limits"): one Redis client (REDIS_URL)
 * that fails fast — no offline queue, a short command timeout — so a Redis outage costs a request
 * at most {@link THROTTLE_REDIS_TIMEOUT_MS} and the buckets fall back to per-replica ones. Keys:
 * `<QUEUE_PREFIX>:throttle:<name>:<id>`.
 */
@Injectable()
export class ThrottleService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(ThrottleService.name);
  private readonly redis: Redis;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.redis = new IORedis(config.redisUrl, {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: THROTTLE_REDIS_TIMEOUT_MS,
      connectTimeout: 2000,
    });
    this.redis.on('error', (error: Error) => this.logger.debug(`redis: ${error.message}`));
  }

  /** Connects before the service listens, so its first requests are already limited in Redis. */
  async onModuleInit(): Promise<void> {
    await this.redis.connect().catch((error: unknown) => {
      this.logger.warn(`redis not reachable at start (${String(error)}); limits are per replica until it is`);
    });
  }

  /** Buckets named `name` (one per id) with `limit`, shared with every replica through Redis. */
  buckets(name: string, limit: RateLimit, what: string): SharedTokenBuckets {
    return new SharedTokenBuckets(this.redis, `${this.config.queuePrefix}:throttle:${name}:`, limit, this.logger, what);
  }

  onApplicationShutdown(): void {
    this.redis.disconnect();
  }
}
