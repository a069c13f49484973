import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Poster, batchStartOffsetMs, batchesOf } from './load';

describe('batchesOf', () => {
  it('splits lines into NDJSON bodies of at most the size', () => {
    expect(batchesOf(['a', 'b', 'c', 'd', 'e'], 2)).toEqual(['a\nb', 'c\nd', 'e']);
    expect(batchesOf([], 2)).toEqual([]);
    expect(() => batchesOf(['a'], 0)).toThrow(/≥ 1/);
  });
});

describe('batchStartOffsetMs', () => {
  it('spreads batches evenly over the minimum duration', () => {
    expect(batchStartOffsetMs(0, 10, 60)).toBe(0);
    expect(batchStartOffsetMs(5, 10, 60)).toBe(30_000);
    expect(batchStartOffsetMs(9, 10, 60)).toBe(54_000);
  });

  it('does not pace without a duration or with one batch', () => {
    expect(batchStartOffsetMs(7, 10, 0)).toBe(0);
    expect(batchStartOffsetMs(0, 1, 60)).toBe(0);
  });
});

/** A stand-in intake: answers from a script of statuses, then 202. */
async function fakeIntake(script: number[]): Promise<{ server: Server; url: string; bodies: string[] }> {
  const bodies: string[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      const status = script.shift() ?? 202;
      if (status === 202) bodies.push(body);
      response.writeHead(status, status === 503 ? { 'retry-after': '0' } : {});
      response.end(status === 202 ? JSON.stringify({ accepted: body.split('\n').length }) : '{"title":"no"}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, bodies };
}

const options = { concurrency: 2, minSeconds: 0, batchDeadlineMs: 10_000, requestTimeoutMs: 5_000 };

describe('Poster', () => {
  const servers: Server[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
  });

  it('retries 503 and 500 until every batch is accepted, counting events and retries', async () => {
    const intake = await fakeIntake([503, 500]);
    servers.push(intake.server);
    const poster = new Poster(['a\nb', 'c', 'd\ne\nf'], { intakes: () => [intake.url], adminKey: 'k' }, options);
    await poster.run();
    expect(intake.bodies.sort()).toEqual(['a\nb', 'c', 'd\ne\nf']);
    expect(poster.progress).toMatchObject({ accepted: 3, events: 6, retries: 2 });
    expect(poster.fraction).toBe(1);
  });

  it('moves to another intake when one is unreachable', async () => {
    const intake = await fakeIntake([]);
    servers.push(intake.server);
    const poster = new Poster(
      ['a', 'b', 'c', 'd'],
      { intakes: () => ['http://127.0.0.1:1', intake.url], adminKey: 'k' },
      options,
    );
    await poster.run();
    expect(intake.bodies).toHaveLength(4);
    expect(poster.progress.retries).toBeGreaterThan(0);
    expect(poster.progress.lastErrors.network).toBeDefined();
  });

  it('fails at once on a refusal (4xx other than 429)', async () => {
    const intake = await fakeIntake([400]);
    servers.push(intake.server);
    const poster = new Poster(['a'], { intakes: () => [intake.url], adminKey: 'k' }, options);
    await expect(poster.run()).rejects.toThrow(/answered 400/);
  });

  it('gives up on a batch after its deadline', async () => {
    const poster = new Poster(['a'], { intakes: () => [], adminKey: 'k' }, { ...options, batchDeadlineMs: 600 });
    await expect(poster.run()).rejects.toThrow(/not accepted within 0.6 s/);
  });
});

describe('Poster.stop', () => {
  it('makes a run that is still retrying fail instead of posting on', async () => {
    const poster = new Poster(['a'], { intakes: () => [], adminKey: 'k' }, { ...options, batchDeadlineMs: 60_000 });
    const running = poster.run();
    setTimeout(() => poster.stop(), 300);
    await expect(running).rejects.toThrow(/posting stopped/);
  });
});
