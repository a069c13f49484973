import { Inject, Injectable } from '@nestjs/common';
import type { Principal } from '@tthc/auth';
import { APP_CONFIG, type AppConfig } from '@tthc/config';
import { problem, ProblemException } from '@tthc/http';
import { ThrottleService, type SharedTokenBuckets, type TakeResult } from '@tthc/throttle';

function refuse(result: TakeResult, what: string): void {
  if (result.allowed) return;
  throw new ProblemException(
    problem(429, `too many ${what} for this key; retry after ${result.retryAfterSeconds} s`, {
      retryAfterSeconds: result.retryAfterSeconds,
    }),
    { 'Retry-After': String(result.retryAfterSeconds) },
  );
}

/**
 * The limits of `POST /v1/events` per key, shared by every intake replica through Redis
 * (`INTAKE_RATE_*`, docs/intake.md "Limits"): requests per second for every key, checked before
 * the body is read; events per second for desk keys, charged once the body is parsed and before
 * it is validated. Over a limit: 429 with Retry-After.
 */
@Injectable()
export class EventRateLimiter {
  private readonly requests: SharedTokenBuckets;
  private readonly events: SharedTokenBuckets;

  constructor(throttle: ThrottleService, @Inject(APP_CONFIG) config: AppConfig) {
    this.requests = throttle.buckets('event-requests', config.intakeLimits.requests, 'event requests per key');
    this.events = throttle.buckets('events', config.intakeLimits.events, 'events per desk key');
  }

  /** One request of `principal` (every role); before its body is read. */
  async admitRequest(principal: Principal): Promise<void> {
    refuse(await this.requests.take(principal.id), 'requests');
  }

  /**
   * `count` events of `principal`. Desk keys only: the bootstrap admin key is the operator's
   * (demo, simulator, benchmarks) and may create desk keys at will, so an event budget on it would
   * protect nothing.
   */
  async admitEvents(principal: Principal, count: number): Promise<void> {
    if (principal.role !== 'desk' || count === 0) return;
    refuse(await this.events.take(principal.id, count), 'events');
  }
}
