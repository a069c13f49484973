import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@tthc/config';
import { ThrottleService, type SharedTokenBuckets, type TakeResult } from '@tthc/throttle';

/**
 * Failed authentications per client address, shared by every replica of every service through
 * Redis (a token bucket of `AUTH_FAILURES_PER_MINUTE` tokens refilled at that rate per minute).
 * Once an address's bucket is empty, every request of it that needs a key is answered 429 before
 * its key is even looked at — otherwise a right guess would still show through the 429s.
 */
@Injectable()
export class AuthFailureThrottle {
  private readonly buckets: SharedTokenBuckets;

  constructor(throttle: ThrottleService, @Inject(APP_CONFIG) config: AppConfig) {
    const perMinute = config.authFailuresPerMinute;
    this.buckets = throttle.buckets(
      'auth-failures',
      { ratePerSecond: perMinute / 60, burst: perMinute },
      'failed authentications per address',
    );
  }

  /** Whether `address` may still try a key (its bucket holds a token). */
  admits(address: string): Promise<TakeResult> {
    return this.buckets.peek(address);
  }

  /** Counts a failed authentication of `address`. */
  async failed(address: string): Promise<void> {
    await this.buckets.take(address);
  }
}
