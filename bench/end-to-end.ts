/**
 * End-to-end benchmark ("province in a box", docs/performance.md): the four services from dist/
 * as separate processes, in a fresh namespace (topic prefix, database, queue prefix), on ports
 * 3201–3204, against the running local infrastructure.
 *
 *   npm run build && node dist/bench/end-to-end.js [--events 200000] [--rate 1000] [--seconds 60]
 *     [--hop 200000] [--hop-bytes 600] [--concurrency 4] [--seed 1] [--skip-hop] [--skip-throughput]
 *     [--skip-freshness]
 *
 * Phase 1, raw hop: kafkajs alone produces `--hop` messages of about `--hop-bytes` bytes (dossier
 *   events as intake publishes them, padded) to a fresh 6-partition topic — idempotent producer,
 *   acks = -1, one request in flight, sends of 1,000 messages, as intake does — while one consumer
 *   (eachBatch, the services' consumer settings) reads them: messages/s from the first produce to
 *   the last message consumed.
 * Phase 2, sustained throughput: `--events` simulated events (simulateProvince, `--seed`) are posted
 *   to intake in NDJSON batches of 1,000 (`--concurrency` requests in flight, admin key) as fast as
 *   intake accepts them. "Reflected" = the reporting summary of the simulated year(s) (admin scope,
 *   no filter) has received.new, resolved.total and pending.total equal to the oracle's
 *   (tools/oracle over exactly the posted events, desk `admin`). Events/s = events ÷ seconds from
 *   the first POST until the summary matches (polled every 250 ms once every POST is accepted).
 * Phase 3, freshness: `--rate` events/s for `--seconds` in batches every 100 ms (the simulation
 *   continues where phase 2 stopped); each batch carries a probe dossier received and resolved in
 *   the same batch. Freshness of a probe = time its batch was answered 202 → time reporting's
 *   drill-down (GET /v1/reports/dossiers/{code}) first answers 200 with status `resolved`
 *   (outstanding probes polled every ~50 ms, 8 requests in flight).
 * At the end: peak RSS (VmHWM) of each service. Output: one JSON line on stdout, a summary on stderr.
 * Cleanup (also on failure): the services are stopped, the namespace's database dropped, its
 * topics deleted and its BullMQ keys removed from Redis.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import IORedis from 'ioredis';
import { Kafka, logLevel } from 'kafkajs';
import mongoose from 'mongoose';
import { buildOracle, type Figures } from '../tools/oracle';
import { uploadReference } from '../tools/simulator/cli';
import { simulateProvince, type SimEvent, type SimPostedEvent, type Simulation } from '../tools/simulator/province';
import { benchArgs, benchMongoUrl, waitReady, peakRssMb } from './support';

// ---------------------------------------------------------------------------------------------
// Options and namespace
// ---------------------------------------------------------------------------------------------

const FLAGS = new Set(['skip-hop', 'skip-throughput', 'skip-freshness']);
const args = benchArgs([...FLAGS]);
const numberArg = (name: string, fallback: number): number => {
  const text = args.get(name);
  const value = text === undefined ? fallback : Number(text);
  if (!Number.isFinite(value) || value < 0) throw new Error(`--${name} must be a number ≥ 0, got ${text}`);
  return value;
};
const targetEvents = Math.floor(numberArg('events', 200_000));
const rate = numberArg('rate', 1000);
const seconds = numberArg('seconds', 60);
const hopMessages = Math.floor(numberArg('hop', 200_000));
const hopBytes = Math.floor(numberArg('hop-bytes', 600));
const concurrency = Math.max(1, Math.floor(numberArg('concurrency', 4)));
const seed = Math.floor(numberArg('seed', 1));
const skipHop = args.has('skip-hop');
const skipThroughput = args.has('skip-throughput');
const skipFreshness = args.has('skip-freshness');

const YEAR = 2017;
const BATCH = 1000;
const TICK_MS = 100;
const PROBE_POLL_MS = 50;
const PROBE_POLL_CONCURRENCY = 8;
const MAX_POSTS_IN_FLIGHT = 20;
/** After the last batch is accepted, probes not visible within this long count as missing. */
const PROBE_GIVE_UP_MS = 120_000;

const id = `be2e${randomBytes(3).toString('hex')}`;
const adminKey = 'bench-admin-key-0123456789';
const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const mongoUrl = benchMongoUrl(id);
const SERVICES = [
  { name: 'intake', port: 3201 },
  { name: 'dossier-tracking', port: 3202 },
  { name: 'on-time-rate', port: 3203 },
  { name: 'reporting', port: 3204 },
] as const;
const INTAKE = 'http://127.0.0.1:3201';
const REPORTING = 'http://127.0.0.1:3204';
const AUTH = { authorization: `Bearer ${adminKey}` };

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const log = (text: string) => process.stderr.write(`${text}\n`);
const round = (value: number, digits = 0) => +value.toFixed(digits);

// ---------------------------------------------------------------------------------------------
// Services
// ---------------------------------------------------------------------------------------------

function startService(name: string, port: number): ChildProcess {
  return spawn(process.execPath, [resolve(__dirname, `../apps/${name}/src/main.js`)], {
    env: {
      ...process.env,
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      PORT: String(port),
      KAFKA_TOPIC_PREFIX: `${id}.`,
      MONGO_URL: mongoUrl,
      QUEUE_PREFIX: id,
      TTHC_ADMIN_KEY: adminKey,
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  await Promise.race([exited, sleep(30_000)]);
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

/** POST with 429/503 retried after Retry-After; resolves with the time the 202 arrived. */
async function postEvents(body: string): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    const answer = await fetch(`${INTAKE}/v1/events`, {
      method: 'POST',
      headers: { ...AUTH, 'content-type': 'application/x-ndjson' },
      body,
    });
    if (answer.status === 202) {
      await answer.arrayBuffer();
      return performance.now();
    }
    const text = await answer.text();
    if ((answer.status !== 429 && answer.status !== 503) || attempt >= 30) {
      throw new Error(`POST /v1/events: ${answer.status} ${text.slice(0, 1000)}`);
    }
    const retryAfter = Number(answer.headers.get('retry-after'));
    await sleep(Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : 500);
  }
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0;
}

// ---------------------------------------------------------------------------------------------
// Phase 1: one produce → consume hop with kafkajs
// ---------------------------------------------------------------------------------------------

async function rawHop(sample: readonly SimEvent[]): Promise<Record<string, number>> {
  const kafka = new Kafka({ clientId: `${id}-hop`, brokers, logLevel: logLevel.NOTHING });
  const topic = `${id}.bench-hop`;
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 6, replicationFactor: 1 }], waitForLeaders: true });
  await admin.disconnect();

  // Messages as intake publishes them ({deskId, acceptedAt, event}, keyed by dossier code), padded.
  const acceptedAt = new Date().toISOString();
  const messages = Array.from({ length: hopMessages }, (_, index) => {
    const event = sample[index % sample.length] as SimEvent;
    const value = { deskId: 'admin', acceptedAt, event: { ...event, eventId: `${event.eventId}:${index}` } };
    let text = JSON.stringify(value);
    const missing = hopBytes - Buffer.byteLength(text) - 10;
    if (missing > 0) text = JSON.stringify({ ...value, pad: 'x'.repeat(missing) });
    return { key: `${event.dossierCode}:${index}`, value: text };
  });
  const meanBytes = messages.reduce((sum, m) => sum + Buffer.byteLength(m.value), 0) / Math.max(1, messages.length);

  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  const consumer = kafka.consumer({
    groupId: `${id}.bench-hop`,
    sessionTimeout: 30000,
    heartbeatInterval: 3000,
    allowAutoTopicCreation: false,
    maxBytesPerPartition: 4 * 1024 * 1024,
  });
  let consumed = 0;
  let lastConsumedAt = 0;
  let done: () => void = () => undefined;
  const allConsumed = new Promise<void>((r) => (done = r));
  try {
    await producer.connect();
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    const joined = new Promise<void>((r) => consumer.on(consumer.events.GROUP_JOIN, () => r()));
    await consumer.run({
      partitionsConsumedConcurrently: 3,
      eachBatch: async (payload) => {
        for (const message of payload.batch.messages) {
          if (message.value !== null) consumed++;
          payload.resolveOffset(message.offset);
        }
        await payload.heartbeat();
        if (consumed >= hopMessages) {
          lastConsumedAt = performance.now();
          done();
        }
      },
    });
    await Promise.race([joined, sleep(30_000)]);
    const started = performance.now();
    for (let start = 0; start < messages.length; start += BATCH) {
      await producer.send({ topic, acks: -1, messages: messages.slice(start, start + BATCH) });
    }
    const produced = performance.now();
    const timeout = sleep(Math.max(60_000, hopMessages / 50)).then(() => {
      throw new Error(`raw hop: only ${consumed}/${hopMessages} consumed`);
    });
    await Promise.race([allConsumed, timeout]);
    const hopSeconds = (lastConsumedAt - started) / 1000;
    const produceSeconds = (produced - started) / 1000;
    return {
      messages: hopMessages,
      meanBytes: Math.round(meanBytes),
      produceSeconds: round(produceSeconds, 2),
      producePerSecond: Math.round(hopMessages / produceSeconds),
      seconds: round(hopSeconds, 2),
      messagesPerSecond: Math.round(hopMessages / hopSeconds),
    };
  } finally {
    await consumer.disconnect().catch(() => undefined);
    await producer.disconnect().catch(() => undefined);
  }
}

// ---------------------------------------------------------------------------------------------
// Phase 2: sustained throughput, accepted by intake → reflected in reporting
// ---------------------------------------------------------------------------------------------

interface Summary {
  received: { new: number };
  resolved: { total: number };
  pending: { total: number };
}

async function summary(from: string, to: string): Promise<Summary | undefined> {
  const answer = await fetch(`${REPORTING}/v1/reports/summary?from=${from}&to=${to}`, { headers: AUTH }).catch(
    () => undefined,
  );
  if (answer === undefined) return undefined;
  if (answer.status !== 200) {
    await answer.arrayBuffer();
    return undefined;
  }
  return (await answer.json()) as Summary;
}

async function throughput(
  simulation: Simulation,
  stream: Iterator<SimPostedEvent>,
  db: mongoose.Connection,
): Promise<Record<string, unknown>> {
  const posted: SimPostedEvent[] = [];
  const batches: string[] = [];
  while (posted.length < targetEvents) {
    const next = stream.next();
    if (next.done === true) break;
    posted.push({ desk: 'admin', event: next.value.event });
  }
  for (let start = 0; start < posted.length; start += BATCH) {
    batches.push(
      posted
        .slice(start, start + BATCH)
        .map((item) => JSON.stringify(item.event))
        .join('\n'),
    );
  }
  const oracleStarted = performance.now();
  const oracle = buildOracle({
    agencies: simulation.reference.agencies,
    fields: simulation.reference.fields,
    procedures: simulation.reference.procedures,
    events: posted,
  });
  const { startDate: from, endDate: to } = simulation.options;
  const expected: Figures = oracle.figures({ from, to, now: Date.now() });
  const dossiers = new Set(posted.map((item) => item.event.dossierCode)).size;
  log(
    `throughput: ${posted.length} events (${dossiers} dossiers) ready, oracle ${round((performance.now() - oracleStarted) / 1000, 1)} s; ` +
      `expecting received.new ${expected.received.new}, resolved ${expected.resolved.total}, pending ${expected.pending.total}`,
  );

  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < batches.length) await postEvents(batches[next++] ?? '');
    }),
  );
  const acceptedSeconds = (performance.now() - started) / 1000;
  log(`throughput: intake accepted everything in ${round(acceptedSeconds, 1)} s`);

  const deadline = performance.now() + Math.max(180_000, posted.length * 2);
  let last: Summary | undefined;
  let polls = 0;
  for (;;) {
    last = await summary(from, to);
    polls++;
    if (
      last !== undefined &&
      last.received.new === expected.received.new &&
      last.resolved.total === expected.resolved.total &&
      last.pending.total === expected.pending.total
    ) {
      break;
    }
    if (performance.now() > deadline) {
      throw new Error(
        `throughput: not reflected after ${round((performance.now() - started) / 1000)} s: ` +
          `summary ${JSON.stringify(last === undefined ? null : { received: last.received.new, resolved: last.resolved.total, pending: last.pending.total })}, ` +
          `expected ${JSON.stringify({ received: expected.received.new, resolved: expected.resolved.total, pending: expected.pending.total })}`,
      );
    }
    if (polls % 8 === 0) {
      const classified = await db.collection('rpt_dossiers').estimatedDocumentCount();
      process.stderr.write(
        `\r  ${round((performance.now() - started) / 1000)} s: ${classified}/${dossiers} classified dossiers in reporting   `,
      );
    }
    await sleep(250);
  }
  const reflectedSeconds = (performance.now() - started) / 1000;
  process.stderr.write('\n');
  return {
    events: posted.length,
    dossiers,
    intakeAcceptedSeconds: round(acceptedSeconds, 2),
    intakeEventsPerSecond: Math.round(posted.length / acceptedSeconds),
    reflectedSeconds: round(reflectedSeconds, 2),
    eventsPerSecond: Math.round(posted.length / reflectedSeconds),
    expected: {
      receivedNew: expected.received.new,
      resolvedTotal: expected.resolved.total,
      pendingTotal: expected.pending.total,
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Phase 3: freshness at a fixed offered load
// ---------------------------------------------------------------------------------------------

interface Probe {
  code: string;
  sentAt: number;
  acceptedAt?: number;
  visibleAt?: number;
}

async function probeVisible(code: string): Promise<boolean> {
  const answer = await fetch(`${REPORTING}/v1/reports/dossiers/${encodeURIComponent(code)}`, { headers: AUTH }).catch(
    () => undefined,
  );
  if (answer === undefined) return false;
  if (answer.status !== 200) {
    await answer.arrayBuffer();
    return false;
  }
  const body = (await answer.json()) as { status?: string };
  return body.status === 'resolved';
}

async function freshness(simulation: Simulation, stream: Iterator<SimPostedEvent>): Promise<Record<string, unknown>> {
  const perBatch = Math.max(3, Math.round((rate * TICK_MS) / 1000));
  const ticks = Math.max(1, Math.round((seconds * 1000) / TICK_MS));
  // A probe valid for the reference: a commune (or any non-root) agency, a procedure with a due.
  const agencies = simulation.reference.agencies;
  const agency = (agencies.find((a) => a.level === 'commune') ?? agencies.find((a) => a.parentCode !== null))?.code;
  const procedure = simulation.reference.procedures.find((p) => p.processingTime?.unit === 'working_days')?.code;
  if (agency === undefined || procedure === undefined) throw new Error('freshness: no agency/procedure for probes');

  // Pre-build every batch: simulated events (continuing the stream) plus the probe's two events.
  const bodies: string[] = [];
  const probes: Probe[] = [];
  let simulated = 0;
  for (let tick = 0; tick < ticks; tick++) {
    const code = `PROBE-${id}-${tick}`;
    const lines: string[] = [];
    for (let index = 0; index < perBatch - 2; index++) {
      const next = stream.next();
      if (next.done === true) break;
      lines.push(JSON.stringify(next.value.event));
      simulated++;
    }
    lines.push(
      JSON.stringify({
        eventId: `${code}:1`,
        type: 'dossier.received',
        occurredAt: `${YEAR}-06-01T08:00:00+07:00`,
        dossierCode: code,
        data: { procedureCode: procedure, agencyCode: agency, channel: 'in_person' },
      }),
      JSON.stringify({
        eventId: `${code}:2`,
        type: 'dossier.resolved',
        occurredAt: `${YEAR}-06-01T09:00:00+07:00`,
        dossierCode: code,
        data: { outcome: 'approved' },
      }),
    );
    bodies.push(lines.join('\n'));
    probes.push({ code, sentAt: 0 });
  }
  const totalEvents = simulated + 2 * ticks;
  log(`freshness: ${ticks} batches of ${perBatch} events every ${TICK_MS} ms (${totalEvents} events, ${ticks} probes)`);

  // Poller: every PROBE_POLL_MS, every accepted and not yet visible probe, bounded concurrency.
  let posting = true;
  let pollRequests = 0;
  let pollRounds = 0;
  let pollRoundMs = 0;
  const poller = (async () => {
    let stoppedAt: number | undefined;
    for (;;) {
      const roundStart = performance.now();
      if (!posting) stoppedAt ??= roundStart;
      const outstanding = probes.filter((p) => p.acceptedAt !== undefined && p.visibleAt === undefined);
      if (stoppedAt !== undefined && (outstanding.length === 0 || roundStart - stoppedAt > PROBE_GIVE_UP_MS)) return;
      let cursor = 0;
      await Promise.all(
        Array.from({ length: Math.min(PROBE_POLL_CONCURRENCY, outstanding.length) }, async () => {
          while (cursor < outstanding.length) {
            const probe = outstanding[cursor++] as Probe;
            pollRequests++;
            if (await probeVisible(probe.code)) probe.visibleAt = performance.now();
          }
        }),
      );
      pollRounds++;
      pollRoundMs += performance.now() - roundStart;
      await sleep(Math.max(0, PROBE_POLL_MS - (performance.now() - roundStart)));
    }
  })();

  const inFlight = new Set<Promise<void>>();
  let failure: Error | undefined;
  let postLatencyTotal = 0;
  const started = performance.now();
  for (let tick = 0; tick < ticks && failure === undefined; tick++) {
    const due = started + tick * TICK_MS;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    while (inFlight.size >= MAX_POSTS_IN_FLIGHT) await Promise.race(inFlight);
    const probe = probes[tick] as Probe;
    probe.sentAt = performance.now();
    const task: Promise<void> = postEvents(bodies[tick] ?? '')
      .then((acceptedAt) => {
        probe.acceptedAt = acceptedAt;
        postLatencyTotal += acceptedAt - probe.sentAt;
      })
      .catch((error: unknown) => {
        failure ??= error instanceof Error ? error : new Error(String(error));
      })
      .finally(() => inFlight.delete(task));
    inFlight.add(task);
  }
  const lastSent = performance.now();
  await Promise.all(inFlight);
  posting = false;
  const postSeconds = (lastSent - started) / 1000;
  if (failure !== undefined) throw failure;
  await poller;

  const latencies = probes
    .filter((p) => p.acceptedAt !== undefined && p.visibleAt !== undefined)
    .map((p) => ((p.visibleAt as number) - (p.acceptedAt as number)) / 1000)
    .sort((a, b) => a - b);
  const accepted = probes.filter((p) => p.acceptedAt !== undefined).length;
  // Offered rate: events sent ÷ time from the first send to the start of the last tick's interval end.
  const offeredSeconds = postSeconds + TICK_MS / 1000;
  return {
    targetRate: rate,
    seconds,
    events: totalEvents,
    batches: ticks,
    eventsPerBatch: perBatch,
    offeredEventsPerSecond: Math.round(totalEvents / offeredSeconds),
    meanPostMs: round(postLatencyTotal / Math.max(1, accepted), 1),
    probes: ticks,
    probesSeen: latencies.length,
    probesMissing: ticks - latencies.length,
    freshnessSeconds: {
      p50: round(percentile(latencies, 50), 3),
      p90: round(percentile(latencies, 90), 3),
      p99: round(percentile(latencies, 99), 3),
      max: round(latencies[latencies.length - 1] ?? 0, 3),
      min: round(latencies[0] ?? 0, 3),
    },
    polling: {
      requests: pollRequests,
      rounds: pollRounds,
      meanRoundMs: round(pollRoundMs / Math.max(1, pollRounds), 1),
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const loadAtStart = loadavg().map((value) => round(value, 2));
  const result: Record<string, unknown> = {
    namespace: id,
    options: { events: targetEvents, rate, seconds, hop: hopMessages, hopBytes, concurrency, seed },
    loadAverageStart: loadAtStart,
  };
  // Enough simulated dossiers in one year for phase 2 and phase 3 (≈ 3.2 events a dossier).
  const needed = (skipThroughput ? 0 : targetEvents) + (skipFreshness ? 0 : rate * seconds) + 10_000;
  const simulation = simulateProvince({ seed, years: [YEAR], dossiers: Math.ceil(needed / 2.5) });
  const children = new Map<string, ChildProcess>();
  const db = await mongoose.createConnection(mongoUrl).asPromise();
  try {
    if (!skipHop && hopMessages > 0) {
      const sample: SimEvent[] = [];
      for (const item of simulation.events) {
        sample.push(item.event);
        if (sample.length >= 10_000) break;
      }
      log(`raw hop: ${hopMessages} messages`);
      result.rawHop = await rawHop(sample);
      log(`raw hop: ${JSON.stringify(result.rawHop)}`);
    }
    const stream = simulation.events[Symbol.iterator]();
    if (!skipThroughput || !skipFreshness) {
      for (const { name, port } of SERVICES) children.set(name, startService(name, port));
      await Promise.all(SERVICES.map(({ name, port }) => waitReady(port, children.get(name))));
      await uploadReference(INTAKE, adminKey, simulation);
      // Let every service's broadcast consumer read the reference topics before posting.
      await sleep(3000);
      log(`services ready on ${SERVICES.map((s) => s.port).join(', ')} (namespace ${id})`);
    }
    if (!skipThroughput && targetEvents > 0) result.throughput = await throughput(simulation, stream, db);
    if (!skipFreshness && seconds > 0 && rate > 0) result.freshness = await freshness(simulation, stream);

    const hop = result.rawHop as { messagesPerSecond?: number } | undefined;
    const sustained = result.throughput as { eventsPerSecond?: number } | undefined;
    if (hop?.messagesPerSecond !== undefined && sustained?.eventsPerSecond !== undefined) {
      result.ratioToRawHop = round(sustained.eventsPerSecond / hop.messagesPerSecond, 3);
    }
    result.peakRssMb = Object.fromEntries([...children].map(([name, child]) => [name, peakRssMb(child.pid)]));
    result.loadAverageEnd = loadavg().map((value) => round(value, 2));
    console.log(JSON.stringify(result));
    printSummary(result);
  } finally {
    await Promise.all([...children.values()].map((child) => stop(child)));
    await db.dropDatabase().catch(() => undefined);
    await db.close().catch(() => undefined);
    await deleteTopics().catch((error: unknown) => log(`cleanup: topics not deleted: ${String(error)}`));
    await deleteQueueKeys().catch((error: unknown) => log(`cleanup: Redis keys not deleted: ${String(error)}`));
  }
}

/** The namespace's BullMQ keys (`<QUEUE_PREFIX>:*`), so that no job scheduler is left behind. */
async function deleteQueueKeys(): Promise<void> {
  const redis = new IORedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { lazyConnect: true });
  await redis.connect();
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${id}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

async function deleteTopics(): Promise<void> {
  const admin = new Kafka({ clientId: `${id}-cleanup`, brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const topics = (await admin.listTopics()).filter((topic) => topic.startsWith(`${id}.`));
    if (topics.length > 0) await admin.deleteTopics({ topics, timeout: 30_000 });
  } finally {
    await admin.disconnect();
  }
}

function printSummary(result: Record<string, unknown>): void {
  const lines = [
    `end-to-end (${id}), load average ${JSON.stringify(result.loadAverageStart)} → ${JSON.stringify(result.loadAverageEnd)}`,
  ];
  const hop = result.rawHop as Record<string, number> | undefined;
  if (hop !== undefined) {
    lines.push(
      `  raw kafkajs hop: ${hop.messages} × ${hop.meanBytes} B in ${hop.seconds} s = ${hop.messagesPerSecond} msg/s (produce alone ${hop.producePerSecond}/s)`,
    );
  }
  const tp = result.throughput as Record<string, number> | undefined;
  if (tp !== undefined) {
    lines.push(
      `  sustained: ${tp.events} events (${tp.dossiers} dossiers) reflected in reporting after ${tp.reflectedSeconds} s = ${tp.eventsPerSecond} events/s` +
        ` (intake accepted them in ${tp.intakeAcceptedSeconds} s = ${tp.intakeEventsPerSecond}/s)` +
        (typeof result.ratioToRawHop === 'number' ? `; ratio to the raw hop ${result.ratioToRawHop}` : ''),
    );
  }
  const fr = result.freshness as
    ({ offeredEventsPerSecond: number; freshnessSeconds: Record<string, number> } & Record<string, number>) | undefined;
  if (fr !== undefined) {
    const f = fr.freshnessSeconds;
    lines.push(
      `  freshness at ${fr.offeredEventsPerSecond} events/s offered (target ${fr.targetRate}) for ${fr.seconds} s: ` +
        `p50 ${f.p50} s, p90 ${f.p90} s, p99 ${f.p99} s, max ${f.max} s (${fr.probesSeen}/${fr.probes} probes seen, mean POST ${fr.meanPostMs} ms)`,
    );
  }
  lines.push(`  peak RSS MB: ${JSON.stringify(result.peakRssMb)}`);
  log(lines.join('\n'));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
