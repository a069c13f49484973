import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import {
  call,
  freePort,
  newNamespace,
  spawnServiceProcess,
  startService,
  testConfig,
  testEnvironment,
  waitFor,
  type RunningService,
  type ServiceProcess,
} from '@tthc/testing';
import { IntakeModule } from './intake.module';

const PROVINCE = '000.00.00.H56';
const PROCEDURE = '1.001612';

const received = (eventId: string) => ({
  eventId,
  type: 'dossier.received',
  occurredAt: '2026-03-16T09:12:00+07:00',
  dossierCode: `D-${eventId}`,
  data: { procedureCode: PROCEDURE, agencyCode: PROVINCE, channel: 'online' },
});

interface RawAnswer {
  status?: number;
  headers?: IncomingHttpHeaders;
  text?: string;
  /** A socket error (the server closed the connection while the body was still being sent). */
  error?: string;
}

/**
 * One HTTP request from a chosen local address (127.0.0.x: each is another client address for
 * the failed-authentication throttle). `chunked`: no Content-Length, so the server can only count
 * the bytes as they arrive.
 */
function rawRequest(
  base: string,
  options: {
    method?: string;
    path: string;
    key?: string;
    body?: Buffer;
    chunked?: boolean;
    contentType?: string;
    localAddress?: string;
  },
): Promise<RawAnswer> {
  const url = new URL(options.path, base);
  const headers: Record<string, string> = { 'content-type': options.contentType ?? 'application/x-ndjson' };
  if (options.key !== undefined) headers.authorization = `Bearer ${options.key}`;
  if (options.body !== undefined && options.chunked !== true) headers['content-length'] = String(options.body.length);
  return new Promise((resolve) => {
    let settled = false;
    const finish = (answer: RawAnswer) => {
      if (!settled) {
        settled = true;
        resolve(answer);
      }
    };
    const request = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname + url.search,
        method: options.method ?? 'POST',
        headers,
        localAddress: options.localAddress,
        agent: false,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          finish({ status: response.statusCode, headers: response.headers, text: Buffer.concat(chunks).toString() }),
        );
        response.on('error', () =>
          finish({ status: response.statusCode, headers: response.headers, text: Buffer.concat(chunks).toString() }),
        );
      },
    );
    request.on('error', (error: NodeJS.ErrnoException) => finish({ error: error.code ?? error.message }));
    if (options.body !== undefined) request.write(options.body);
    request.end();
  });
}

const MB = 1024 * 1024;

describe('intake under hostile bodies: auth before the body, per-route caps, memory (real servers)', () => {
  const namespace = newNamespace('intakehard');
  /** intake in a process of its own, so its memory is its own (the attacking clients live here). */
  let intake: ServiceProcess;
  let deskKey = '';
  let greedyKey = '';

  beforeAll(async () => {
    intake = await spawnServiceProcess('intake', await freePort(), testEnvironment(namespace));
    const put = (path: string, body: unknown) => call(`${intake.url}/v1/reference/${path}`, { method: 'PUT', body });
    expect(
      (await put('agencies', [{ code: PROVINCE, name: 'Tỉnh', parentCode: null, level: 'province' }])).status,
    ).toBe(200);
    expect((await put('fields', [{ code: 'G03-GD10', name: 'Giáo dục' }])).status).toBe(200);
    expect(
      (await put('procedures', [{ code: PROCEDURE, name: 'Thủ tục', fieldCode: 'G03-GD10', processingTime: null }]))
        .status,
    ).toBe(200);
    const desk = async (name: string) => {
      const created = await call(`${intake.url}/v1/admin/desks`, { body: { name, agencyCodes: [PROVINCE] } });
      expect(created.status).toBe(201);
      return (created.body as { key: string }).key;
    };
    deskKey = await desk('Một cửa tỉnh');
    greedyKey = await desk('Một cửa tham lam');
  });
  afterAll(async () => {
    await intake?.stop();
  });

  it('answers 413 for a desk body over INTAKE_EVENTS_MAX_BYTES, declared or streamed, and 413 at NDJSON line 1,001', async () => {
    // Declared: refused before reading. Streamed: refused once 2 MiB arrived; the remaining
    // half MiB is read and discarded after the answer, so the client gets its 413 cleanly.
    const declared = await rawRequest(intake.url, {
      path: '/v1/events',
      key: deskKey,
      body: Buffer.alloc(3 * MB, 'x'),
    });
    expect(declared.status).toBe(413);
    const streamed = await rawRequest(intake.url, {
      path: '/v1/events',
      key: deskKey,
      body: Buffer.alloc(2.5 * MB, 'x'),
      chunked: true,
    });
    expect(streamed.status).toBe(413);
    expect(JSON.parse(streamed.text ?? '{}')).toMatchObject({ detail: 'request body larger than 2097152 bytes' });
    const lines = Array.from({ length: 1500 }, (_, index) => JSON.stringify(received(`many-${index}`))).join('\n');
    const tooMany = await call(`${intake.url}/v1/events`, {
      raw: lines,
      contentType: 'application/x-ndjson',
      key: deskKey,
    });
    expect(tooMany.status).toBe(413);
    expect(tooMany.body).toMatchObject({ detail: 'at most 1000 events per request (line 1001 holds item 1001)' });
    // The desk can still post.
    expect((await call(`${intake.url}/v1/events`, { body: received('after-413'), key: deskKey })).status).toBe(202);
  });

  it('refuses anonymous bodies before reading them: 401 for every body-taking route', async () => {
    for (const [method, path] of [
      ['POST', '/v1/events'],
      ['PUT', '/v1/reference/agencies'],
      ['POST', '/v1/admin/desks'],
      ['POST', '/v1/admin/imports'],
    ] as const) {
      const answer = await rawRequest(intake.url, {
        method,
        path,
        body: Buffer.from('[]'),
        contentType: 'application/json',
        localAddress: '127.0.0.4',
      });
      expect([path, answer.status]).toEqual([path, 401]);
    }
  });

  it('keeps its memory under 50 concurrent anonymous 8 MB bodies and answers every desk request meanwhile', async () => {
    const body = Buffer.alloc(8 * MB, 'x'); // one buffer shared by every attacking request
    const baselineRss = intake.memory().rss;
    let peakRss = baselineRss;
    const sampler = setInterval(() => {
      peakRss = Math.max(peakRss, intake.memory().rss);
    }, 10);
    const attackAnswers: RawAnswer[] = [];
    // First 50 at once, each from its own address 127.0.1.x, half with Content-Length, half chunked.
    attackAnswers.push(
      ...(await Promise.all(
        Array.from({ length: 50 }, (_, index) =>
          rawRequest(intake.url, {
            path: '/v1/events',
            body,
            chunked: index % 2 === 0,
            localAddress: `127.0.1.${index + 1}`,
          }),
        ),
      )),
    );
    const afterBurstRss = peakRss;
    const until = Date.now() + 4000;
    // Then for 4 s: 40 anonymous attackers from 10 addresses (Content-Length declared or chunked,
    // events and reference routes) and 10 streams of a greedy desk over its byte cap, repeating.
    const attackers = Array.from({ length: 50 }, async (_, index) => {
      while (Date.now() < until) {
        const greedy = index >= 40;
        attackAnswers.push(
          await rawRequest(intake.url, {
            path: !greedy && index % 5 === 0 ? '/v1/reference/agencies' : '/v1/events',
            method: !greedy && index % 5 === 0 ? 'PUT' : 'POST',
            body,
            chunked: greedy || index % 2 === 0,
            localAddress: greedy ? '127.0.0.1' : `127.0.1.${(index % 10) + 1}`,
            ...(greedy ? { key: greedyKey } : {}),
          }),
        );
      }
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const deskAnswers: number[] = [];
    const desks = Array.from({ length: 4 }, async (_, worker) => {
      for (let i = 0; i < 6; i++) {
        const answer = await call(`${intake.url}/v1/events`, {
          body: received(`meanwhile-${worker}-${i}`),
          key: deskKey,
        });
        deskAnswers.push(answer.status);
      }
    });
    await Promise.all(desks);
    const desksDoneBeforeAttackEnded = Date.now() < until;
    await Promise.all(attackers);
    clearInterval(sampler);
    const highWater = intake.memory().peak; // VmHWM: the process's peak since it started

    const statuses = attackAnswers.map((answer) => answer.status ?? answer.error);
    const count = (value: unknown) => statuses.filter((status) => status === value).length;
    const mb = (bytes: number) => Math.round(bytes / MB);
    // Visible in the test output: what the attack did and what intake's process held (VmRSS, VmHWM).
    process.stdout.write(
      `attack: ${attackAnswers.length} requests of 8 MB: 401 ×${count(401)}, 429 ×${count(429)}, 413 ×${count(413)}, ` +
        `socket closed ×${statuses.filter((s) => typeof s === 'string').length}; ` +
        `intake RSS ${mb(baselineRss)} MB → ${mb(afterBurstRss)} MB peak after the first 50 → ${mb(peakRss)} MB peak; ` +
        `VmHWM ${mb(highWater)} MB\n`,
    );
    expect(desksDoneBeforeAttackEnded).toBe(true);
    expect(deskAnswers).toEqual(Array.from({ length: 24 }, () => 202));
    expect(attackAnswers.length).toBeGreaterThanOrEqual(50);
    // Anonymous: 401 until each address's failures ran out (20), then 429; nothing else was answered.
    expect(count(401)).toBeGreaterThan(0);
    expect(count(429)).toBeGreaterThan(0);
    const unexpected = statuses.filter(
      (status) => ![401, 413, 429].includes(status as number) && typeof status !== 'string',
    );
    expect(unexpected).toEqual([]);
    // 50 bodies of 8 MB buffered would add 400 MB; refused before reading, they add what the
    // sockets, the 401/413/429 answers and a young process's JIT and heap growth take (seen: 3 to
    // 120 MB on this machine, more on a fresh process under load).
    expect(highWater).toBeLessThan(512 * MB);
    expect(peakRss - baselineRss).toBeLessThan(200 * MB);
    expect((await call(`${intake.url}/health/live`)).status).toBe(200);
  });
});

describe('limits shared by intake replicas through Redis (real servers)', () => {
  const namespace = newNamespace('intakeshare');
  let a: RunningService;
  let b: RunningService;
  let deskKey = '';

  beforeAll(async () => {
    const env = {
      INTAKE_RATE_REQUESTS_PER_SECOND: '0.1',
      INTAKE_RATE_REQUESTS_BURST: '8',
      INTAKE_RATE_EVENTS_PER_SECOND: '1',
      INTAKE_RATE_EVENTS_BURST: '1000',
      AUTH_FAILURES_PER_MINUTE: '5',
    };
    const configA = testConfig('intake', namespace, env);
    const configB = testConfig('intake', namespace, env);
    a = await startService(configA, IntakeModule.forRoot(configA));
    b = await startService(configB, IntakeModule.forRoot(configB));
    const agencies = [{ code: PROVINCE, name: 'Tỉnh', parentCode: null, level: 'province' }];
    expect((await call(`${a.url}/v1/reference/agencies`, { method: 'PUT', body: agencies })).status).toBe(200);
    const created = await call(`${a.url}/v1/admin/desks`, { body: { name: 'Desk', agencyCodes: [PROVINCE] } });
    deskKey = (created.body as { key: string }).key;
    // Replica b learns the key from Kafka. Each probe from another address: the 401s before
    // must not count against 127.0.0.1's failed authentications (5 per minute here).
    let probe = 10;
    await waitFor(
      async () => {
        probe += 1;
        const answer = await rawRequest(b.url, {
          path: '/v1/events',
          key: deskKey,
          body: Buffer.from('[]'),
          contentType: 'application/json',
          localAddress: `127.0.0.${probe}`,
        });
        return answer.status === 400 ? true : undefined;
      },
      { what: 'replica b to know the desk key' },
    );
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
  });

  it('spends one desk event budget across replicas: 429 with Retry-After on the other replica', async () => {
    // Burst 1000 events at 1/s. Events of an unknown procedure: 400, but counted.
    const events = (count: number, prefix: string) =>
      Array.from({ length: count }, (_, index) => JSON.stringify(received(`${prefix}-${index}`))).join('\n');
    const first = await call(`${a.url}/v1/events`, {
      raw: events(600, 'x'),
      contentType: 'application/x-ndjson',
      key: deskKey,
    });
    expect(first.status).toBe(400);
    const second = await call(`${b.url}/v1/events`, {
      raw: events(600, 'y'),
      contentType: 'application/x-ndjson',
      key: deskKey,
    });
    expect(second.status).toBe(429);
    expect(second.headers.get('content-type')).toMatch(/problem\+json/);
    expect(second.body).toMatchObject({ detail: expect.stringMatching(/^too many events for this key/) as string });
    // 200 more events at 1/s: about 200 s.
    expect(Number(second.headers.get('retry-after'))).toBeGreaterThan(150);
  });

  it('spends one request budget across replicas', async () => {
    // Burst 8, 3 spent above (the last probe and the two posts): about 5 more, whichever replica.
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) {
      const replica = i % 2 === 0 ? a : b;
      statuses.push((await call(`${replica.url}/v1/events`, { body: [], key: deskKey })).status);
    }
    const refused = statuses.indexOf(429);
    expect(refused).toBeGreaterThanOrEqual(4);
    expect(refused).toBeLessThanOrEqual(6);
    expect(statuses.slice(refused).every((status) => status === 429)).toBe(true);
    const limited = await call(`${a.url}/v1/events`, { body: [], key: deskKey });
    expect(limited.body).toMatchObject({ detail: expect.stringMatching(/^too many requests for this key/) as string });
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  });

  it('throttles failed authentications per address across replicas, also for a right key then', async () => {
    const from = (replica: RunningService, key: string) =>
      rawRequest(replica.url, { method: 'GET', path: '/v1/reference/agencies', key, localAddress: '127.0.0.3' });
    const failures = [
      await from(a, 'wrong-1'),
      await from(b, 'wrong-2'),
      await from(a, 'wrong-3'),
      await from(b, 'wrong-4'),
      await from(a, 'wrong-5'),
    ];
    expect(failures.map((answer) => answer.status)).toEqual([401, 401, 401, 401, 401]);
    const blocked = await from(b, 'wrong-6');
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers?.['retry-after'])).toBeGreaterThanOrEqual(1);
    // The right key from that address is refused too (a right guess must not show through).
    expect((await from(a, a.config.adminKey)).status).toBe(429);
    // Other addresses are not affected.
    const other = await rawRequest(b.url, {
      method: 'GET',
      path: '/v1/reference/agencies',
      key: a.config.adminKey,
      localAddress: '127.0.0.1',
    });
    expect(other.status).toBe(200);
  });
});
