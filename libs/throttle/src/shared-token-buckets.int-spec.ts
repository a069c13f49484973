import { randomBytes } from 'node:crypto';
import { createServer, type AddressInfo } from 'node:net';
import { Logger } from '@nestjs/common';
import IORedis, { type Redis } from 'ioredis';
import { SharedTokenBuckets } from './shared-token-buckets';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Records what the buckets log (a real Nest logger, quiet). */
class RecordingLogger extends Logger {
  readonly lines: string[] = [];
  override warn(message: string): void {
    this.lines.push(`warn ${message}`);
  }
  override log(message: string): void {
    this.lines.push(`log ${message}`);
  }
}

const fastClient = (url: string) =>
  new IORedis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 0, commandTimeout: 250, lazyConnect: true });

describe('SharedTokenBuckets (real Redis)', () => {
  const prefix = `tq.throttle${randomBytes(4).toString('hex')}:throttle:test:`;
  const clients: Redis[] = [];
  /** Two "replicas": separate connections, one bucket. */
  let a: Redis;
  let b: Redis;

  beforeAll(async () => {
    a = fastClient(REDIS_URL);
    b = fastClient(REDIS_URL);
    clients.push(a, b);
    await Promise.all([a.connect(), b.connect()]);
  });
  afterAll(async () => {
    const keys = await a.keys(`${prefix}*`);
    if (keys.length > 0) await a.del(...keys);
    for (const client of clients) client.disconnect();
  });

  it('shares one bucket between replicas: the burst is spent once, then 429 with a whole-second wait', async () => {
    const limit = { ratePerSecond: 0.2, burst: 3 };
    const onA = new SharedTokenBuckets(a, prefix, limit, new RecordingLogger(), 'requests');
    const onB = new SharedTokenBuckets(b, prefix, limit, new RecordingLogger(), 'requests');
    const answers = [await onA.take('desk-1'), await onB.take('desk-1'), await onA.take('desk-1')];
    expect(answers.every((answer) => answer.allowed)).toBe(true);
    const refused = await onB.take('desk-1');
    expect(refused).toEqual({ allowed: false, retryAfterSeconds: 5 });
    expect(await onA.take('desk-1')).toMatchObject({ allowed: false });
    // Another id has its own bucket.
    expect(await onB.take('desk-2')).toEqual({ allowed: true });
    // The bucket expires once it would be full again (no key is kept forever).
    const ttl = await a.pttl(`${prefix}desk-1`);
    expect(ttl).toBeGreaterThan(1000);
    expect(ttl).toBeLessThanOrEqual((3 / 0.2) * 1000 + 1000);
  });

  it('refills at the rate (Redis clock) and takes several tokens at once or none', async () => {
    const limit = { ratePerSecond: 1000, burst: 1000 };
    const onA = new SharedTokenBuckets(a, prefix, limit, new RecordingLogger(), 'events');
    const onB = new SharedTokenBuckets(b, prefix, limit, new RecordingLogger(), 'events');
    expect(await onA.take('desk-events', 800)).toEqual({ allowed: true });
    expect(await onB.take('desk-events', 800)).toEqual({ allowed: false, retryAfterSeconds: 1 });
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(await onB.take('desk-events', 800)).toEqual({ allowed: true });
  });

  it('peeks without taking', async () => {
    const limit = { ratePerSecond: 1 / 60, burst: 2 };
    const onA = new SharedTokenBuckets(a, prefix, limit, new RecordingLogger(), 'failures');
    const onB = new SharedTokenBuckets(b, prefix, limit, new RecordingLogger(), 'failures');
    expect(await onA.peek('10.1.2.3')).toEqual({ allowed: true });
    expect(await onA.peek('10.1.2.3')).toEqual({ allowed: true });
    expect(await a.exists(`${prefix}10.1.2.3`)).toBe(0);
    await onA.take('10.1.2.3');
    await onB.take('10.1.2.3');
    const blocked = await onB.peek('10.1.2.3');
    expect(blocked.allowed).toBe(false);
    expect(blocked.allowed === false && blocked.retryAfterSeconds).toBeGreaterThan(50);
    expect(await onA.peek('10.1.2.4')).toEqual({ allowed: true });
  });

  it('falls back to the replica’s own buckets while Redis does not answer, and says so once', async () => {
    // A port that accepts nothing: the client fails at once (no offline queue).
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const dead = fastClient(`redis://127.0.0.1:${port}`);
    dead.on('error', () => undefined);
    clients.push(dead);
    const logger = new RecordingLogger();
    const buckets = new SharedTokenBuckets(dead, prefix, { ratePerSecond: 0.1, burst: 2 }, logger, 'requests per key');
    const started = Date.now();
    const answers = [await buckets.take('d'), await buckets.take('d'), await buckets.take('d')];
    expect(Date.now() - started).toBeLessThan(2000);
    expect(answers.map((answer) => answer.allowed)).toEqual([true, true, false]);
    expect(logger.lines).toHaveLength(1);
    expect(logger.lines[0]).toMatch(/^warn requests per key: Redis did not answer .*limiting per replica/);
  });
});
