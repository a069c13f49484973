import { retryAfterSeconds, TokenBuckets } from './token-bucket';

describe('TokenBuckets', () => {
  let now = 0;
  const clock = () => now;
  beforeEach(() => {
    now = 1_000_000;
  });

  it('lets a burst through, then refuses with a whole-second Retry-After', () => {
    const buckets = new TokenBuckets({ ratePerSecond: 2, burst: 3 }, clock);
    expect([1, 2, 3].map(() => buckets.take('desk-1').allowed)).toEqual([true, true, true]);
    expect(buckets.take('desk-1')).toEqual({ allowed: false, retryAfterSeconds: 1 });
  });

  it('refills at the rate, never above the burst', () => {
    const buckets = new TokenBuckets({ ratePerSecond: 2, burst: 3 }, clock);
    for (let i = 0; i < 3; i++) buckets.take('d');
    now += 500; // one token
    expect(buckets.take('d').allowed).toBe(true);
    expect(buckets.take('d').allowed).toBe(false);
    now += 60_000;
    expect([1, 2, 3, 4].map(() => buckets.take('d').allowed)).toEqual([true, true, true, false]);
  });

  it('keeps one bucket per principal', () => {
    const buckets = new TokenBuckets({ ratePerSecond: 1, burst: 1 }, clock);
    expect(buckets.take('a').allowed).toBe(true);
    expect(buckets.take('a').allowed).toBe(false);
    expect(buckets.take('b').allowed).toBe(true);
  });

  it('rounds Retry-After up and never below 1 s', () => {
    const slow = new TokenBuckets({ ratePerSecond: 0.25, burst: 1 }, clock);
    slow.take('d');
    expect(slow.take('d')).toEqual({ allowed: false, retryAfterSeconds: 4 });
    now += 3_500;
    expect(slow.take('d')).toEqual({ allowed: false, retryAfterSeconds: 1 });
    const fast = new TokenBuckets({ ratePerSecond: 1000, burst: 1 }, clock);
    fast.take('d');
    expect(fast.take('d')).toEqual({ allowed: false, retryAfterSeconds: 1 });
  });

  it('ignores a clock that goes backwards', () => {
    const buckets = new TokenBuckets({ ratePerSecond: 1, burst: 1 }, clock);
    buckets.take('d');
    now -= 10_000;
    expect(buckets.take('d').allowed).toBe(false);
  });

  it('forgets the least recently used buckets beyond its capacity', () => {
    const buckets = new TokenBuckets({ ratePerSecond: 1, burst: 1 }, clock, 2);
    buckets.take('a');
    buckets.take('b');
    buckets.take('c'); // evicts a, whose next bucket starts full
    expect(buckets.take('a').allowed).toBe(true);
  });

  it('rejects nonsense limits', () => {
    expect(() => new TokenBuckets({ ratePerSecond: 0, burst: 1 })).toThrow(RangeError);
    expect(() => new TokenBuckets({ ratePerSecond: 1, burst: 0 })).toThrow(RangeError);
    expect(() => new TokenBuckets({ ratePerSecond: Number.NaN, burst: 1 })).toThrow(RangeError);
  });

  it('takes a cost of several tokens at once, or nothing', () => {
    const buckets = new TokenBuckets({ ratePerSecond: 100, burst: 1000 }, clock);
    expect(buckets.take('desk', 600).allowed).toBe(true);
    // 400 left: 600 more needs 200 tokens, 2 s at 100/s; nothing is taken by the refusal.
    expect(buckets.take('desk', 600)).toEqual({ allowed: false, retryAfterSeconds: 2 });
    expect(buckets.take('desk', 400).allowed).toBe(true);
    expect(buckets.take('desk', 1).allowed).toBe(false);
    now += 6_000;
    expect(buckets.take('desk', 600).allowed).toBe(true);
  });

  it('peeks without taking', () => {
    const buckets = new TokenBuckets({ ratePerSecond: 1 / 3, burst: 2 }, clock);
    expect(buckets.peek('10.0.0.1').allowed).toBe(true);
    buckets.take('10.0.0.1');
    buckets.take('10.0.0.1');
    expect(buckets.peek('10.0.0.1')).toEqual({ allowed: false, retryAfterSeconds: 3 });
    expect(buckets.peek('10.0.0.1')).toEqual({ allowed: false, retryAfterSeconds: 3 });
    now += 3_000;
    expect(buckets.peek('10.0.0.1').allowed).toBe(true);
    expect(buckets.peek('10.0.0.1').allowed).toBe(true);
    expect(buckets.take('10.0.0.1').allowed).toBe(true);
    expect(buckets.peek('10.0.0.1').allowed).toBe(false);
  });

  it('computes Retry-After in whole seconds, at least 1', () => {
    expect(retryAfterSeconds({ ratePerSecond: 20 / 60, burst: 20 }, 0, 1)).toBe(3);
    expect(retryAfterSeconds({ ratePerSecond: 50, burst: 100 }, 0.99, 1)).toBe(1);
    expect(retryAfterSeconds({ ratePerSecond: 5000, burst: 20_000 }, 0, 1000)).toBe(1);
    expect(retryAfterSeconds({ ratePerSecond: 100, burst: 1000 }, 0, 1000)).toBe(10);
  });
});
