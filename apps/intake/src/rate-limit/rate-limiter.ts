import { Inject, Injectable } from '@nestjs/common';
import { problem, ProblemException } from '@tthc/http';
import { DEFAULT_RATE_LIMIT, TokenBuckets, type RateLimit } from './token-bucket';

/** The per-principal limit of `POST /v1/events`; `IntakeModule.forRoot(config, { rateLimit })` overrides it. */
export const EVENT_RATE_LIMIT = Symbol('EVENT_RATE_LIMIT');
export { DEFAULT_RATE_LIMIT };

/** Answers 429 with `Retry-After` when a principal is over its limit (per replica, in memory). */
@Injectable()
export class EventRateLimiter {
  private readonly buckets: TokenBuckets;

  constructor(@Inject(EVENT_RATE_LIMIT) limit: RateLimit) {
    this.buckets = new TokenBuckets(limit);
  }

  check(principalId: string): void {
    const result = this.buckets.take(principalId);
    if (result.allowed) return;
    throw new ProblemException(
      problem(429, `too many requests for this key; retry after ${result.retryAfterSeconds} s`),
      { 'Retry-After': String(result.retryAfterSeconds) },
    );
  }
}
