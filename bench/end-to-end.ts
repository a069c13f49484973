/**
 * End-to-end benchmark ("province in a box", docs/performance.md): the four services from dist/
 * as separate processes, in a fresh namespace (topic prefix, database, queue prefix), on ports
 * 3201–3204, against the running local infrastructure.
 *
 *   npm run build && node dist/bench/end-to-end.js [--events 200000] [--rate 1000] [--seconds 60]
 *     [--hop 200000] [--hop-bytes 600] [--concurrency 4] [--seed 1] [--skip-hop] [--skip-throughput]
 *     [--skip-freshness] [--keep]
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
 * Also the MongoDB data size (collStats of every collection). Cleanup (also on failure): the
 * services are stopped, the namespace's database dropped, its topics deleted and its BullMQ keys
 * removed from Redis — all left in place with `--keep`.
 */
import { loadavg } from 'node:os';
import { Kafka, logLevel } from 'kafkajs';
import type mongoose from 'mongoose';
import { buildOracle, type Figures } from '../tools/oracle';
import { uploadReference } from '../tools/simulator/cli';
import { simulateProvince, type SimEvent, type SimPostedEvent, type Simulation } from '../tools/simulator/province';
import { BenchPipeline, INTAKE, REPORTING, log, mongoSize, round, sleep } from './pipeline';
import { benchArgs } from './support';

// ---------------------------------------------------------------------------------------------
// Options and namespace
// ---------------------------------------------------------------------------------------------

const FLAGS = new Set(['skip-hop', 'skip-throughput', 'skip-freshness', 'keep']);
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
const keep = args.has('keep');

const YEAR = 2017;
const BATCH = 1000;
const TICK_MS = 100;
const PROBE_POLL_MS = 50;
const PROBE_POLL_CONCURRENCY = 8;
const MAX_POSTS_IN_FLIGHT = 20;
/** After the last batch is accepted, probes not visible within this long count as missing. */
const PROBE_GIVE_UP_MS = 120_000;

const pipeline = new BenchPipeline('be2e');
const { id, brokers } = pipeline;
const AUTH = pipeline.auth;

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
    readUncommitted: false, // like the services: committed transactions only
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
      while (next < batches.length) await pipeline.postEvents(batches[next++] ?? '');
    }),
  );
  const acceptedSeconds = (performance.now() - started) / 1000;
  log(`throughput: intake accepted everything in ${round(acceptedSeconds, 1)} s`);

  const deadline = performance.now() + Math.max(180_000, posted.length * 2);
  let last: Awaited<ReturnType<BenchPipeline['summary']>>;
  let polls = 0;
  for (;;) {
    last = await pipeline.summary(from, to);
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
    const task: Promise<void> = pipeline
      .postEvents(bodies[tick] ?? '')
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
  const db = await pipeline.connectDatabase();
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
      await pipeline.start();
      await uploadReference(INTAKE, pipeline.adminKey, simulation);
      // Let every service's broadcast consumer read the reference topics before posting.
      await sleep(3000);
      log(`services ready on 3201–3204 (namespace ${id})`);
    }
    if (!skipThroughput && targetEvents > 0) result.throughput = await throughput(simulation, stream, db);
    if (!skipFreshness && seconds > 0 && rate > 0) result.freshness = await freshness(simulation, stream);

    const hop = result.rawHop as { messagesPerSecond?: number } | undefined;
    const sustained = result.throughput as { eventsPerSecond?: number } | undefined;
    if (hop?.messagesPerSecond !== undefined && sustained?.eventsPerSecond !== undefined) {
      result.ratioToRawHop = round(sustained.eventsPerSecond / hop.messagesPerSecond, 3);
    }
    result.peakRssMb = pipeline.peakRssMb();
    result.loadAverageEnd = loadavg().map((value) => round(value, 2));
    result.mongo = await mongoSize(db);
    console.log(JSON.stringify(result));
    printSummary(result);
  } finally {
    await pipeline.cleanup(db, keep);
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
  const mongo = result.mongo as { dataMegabytes: number } | undefined;
  if (mongo !== undefined) lines.push(`  MongoDB data: ${mongo.dataMegabytes} MB (BSON, collStats)`);
  log(lines.join('\n'));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
