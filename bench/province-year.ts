/**
 * Province-year benchmark (docs/performance.md): a whole simulated province-year — by default the
 * seed's 2.1 million dossiers — through the four services (bench/pipeline.ts: from dist/, a fresh
 * namespace, ports 3201–3204) against the running local infrastructure, to completion.
 *
 *   npm run build
 *   node --max-old-space-size=12000 dist/bench/province-year.js --dossiers 2100000 --oracle-only \
 *     --expected /tmp/province-2100000.json
 *   node dist/bench/province-year.js --dossiers 2100000 --expected /tmp/province-2100000.json \
 *     [--year 2017] [--seed 1] [--duplicates r] [--shuffle-rate r] [--concurrency 4] [--mongo-pid PID]
 *     [--verify] [--keep]
 *
 * 1. Expected figures: tools/oracle over the simulated events (desk `admin`, as posted) gives the
 *    year's summary (received.new, resolved.total, pending.total). The oracle holds every distinct
 *    event, so for millions of dossiers it runs alone first (`--oracle-only`, with a large Node heap)
 *    and writes `--expected`; a later run reads that file (it is checked against the options).
 * 2. The run: the simulator streams the events (generated day by day, never all in memory), posted
 *    to intake in NDJSON batches of 1,000 with `--concurrency` requests in flight, with a progress
 *    line (events posted, rate, ETA, dossiers classified in reporting). Completion = the reporting
 *    summary of the year equals the oracle's figures (polled every 2 s once everything is
 *    accepted; gives up after 30 minutes without progress).
 * 3. `--verify` (sizes whose oracle fits in memory next to the run): the oracle is kept and
 *    tools/verify compares the live report API with it (months, quarters, the year, random ranges,
 *    agencies, field and channel filters, summary and II.06a) and prints the differences.
 * Recorded: wall time from the first POST until completion, events/s, intake's own rate, peak RSS
 * (VmHWM) of each service and of the MongoDB stand-in (`--mongo-pid`), MongoDB data size (collStats
 * of every collection). One JSON line on stdout, a summary on stderr. Cleanup as the end-to-end
 * benchmark (all left in place with `--keep`).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { buildOracle, type Oracle } from '../tools/oracle';
import { formatTable, planQueries, verifyAgainst } from '../tools/verify/verify';
import { uploadReference } from '../tools/simulator/cli';
import { simulateProvince, type SimPostedEvent } from '../tools/simulator/province';
import { BenchPipeline, INTAKE, REPORTING, log, mongoSize, round, sleep, type SummaryTotals } from './pipeline';
import { benchArgs, peakRssMb } from './support';

const args = benchArgs(['oracle-only', 'keep', 'verify']);
const numberArg = (name: string, fallback: number): number => {
  const text = args.get(name);
  const value = text === undefined ? fallback : Number(text);
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a whole number ≥ 1, got ${text}`);
  return value;
};
const dossiers = numberArg('dossiers', 2_100_000);
const year = numberArg('year', 2017);
const seed = numberArg('seed', 1);
const concurrency = numberArg('concurrency', 4);
const mongoPid = args.has('mongo-pid') ? numberArg('mongo-pid', 1) : undefined;
const shareArg = (name: string): number => {
  const value = Number(args.get(name) ?? '0');
  if (!(value >= 0 && value <= 1)) throw new Error(`--${name} must be between 0 and 1, got ${args.get(name)}`);
  return value;
};
const duplicates = shareArg('duplicates');
const shuffleRate = shareArg('shuffle-rate');
const verify = args.has('verify');
const expectedFile = args.get('expected');
const oracleOnly = args.has('oracle-only');
const keep = args.has('keep');
const BATCH = 1000;
const STALL_MS = 30 * 60_000;

interface Expected {
  dossiers: number;
  year: number;
  seed: number;
  duplicates: number;
  shuffleRate: number;
  events: number;
  totals: SummaryTotals;
}

const simulate = () =>
  simulateProvince({ seed, years: [year], dossiers, duplicateRate: duplicates, shuffle: shuffleRate });
const period = { from: `${year}-01-01`, to: `${year}-12-31` };
const asPosted = (item: SimPostedEvent): SimPostedEvent => ({ desk: 'admin', event: item.event });

function computeExpected(): { expected: Expected; oracle: Oracle } {
  const started = performance.now();
  const simulation = simulate();
  let events = 0;
  const counted = (function* () {
    for (const item of simulation.events) {
      events++;
      if (events % 500_000 === 0) log(`oracle: ${events} events read`);
      yield asPosted(item);
    }
  })();
  const oracle = buildOracle({ ...simulation.reference, events: counted });
  const figures = oracle.figures({ ...period, now: Date.now() });
  log(`oracle: ${events} events, ${round((performance.now() - started) / 1000)} s`);
  const totals = {
    received: { new: figures.received.new },
    resolved: { total: figures.resolved.total },
    pending: { total: figures.pending.total },
  };
  return { expected: { dossiers, year, seed, duplicates, shuffleRate, events, totals }, oracle };
}

/** The expected figures, from `--expected` when it exists (not with `--verify`, which needs the oracle). */
function loadExpected(): { expected: Expected; oracle?: Oracle } {
  if (!verify && expectedFile !== undefined && existsSync(expectedFile)) {
    const expected = JSON.parse(readFileSync(expectedFile, 'utf8')) as Expected;
    const options = { dossiers, year, seed, duplicates, shuffleRate };
    for (const [name, value] of Object.entries(options)) {
      if ((expected as unknown as Record<string, unknown>)[name] !== value) {
        throw new Error(`${expectedFile} was computed for other options (${name}): ${JSON.stringify(expected)}`);
      }
    }
    return { expected };
  }
  const computed = computeExpected();
  if (expectedFile !== undefined) writeFileSync(expectedFile, JSON.stringify(computed.expected));
  return computed;
}

const same = (a: SummaryTotals | undefined, b: SummaryTotals) =>
  a !== undefined &&
  a.received.new === b.received.new &&
  a.resolved.total === b.resolved.total &&
  a.pending.total === b.pending.total;
const brief = (s: SummaryTotals | undefined) =>
  s === undefined ? 'none' : `received ${s.received.new}, resolved ${s.resolved.total}, pending ${s.pending.total}`;

async function main(): Promise<void> {
  const { expected, oracle } = loadExpected();
  log(`expected (${expected.events} events): ${brief(expected.totals)}`);
  if (oracleOnly) return;

  const pipeline = new BenchPipeline('bpy');
  const simulation = simulate();
  const db = await pipeline.connectDatabase();
  const result: Record<string, unknown> = {
    namespace: pipeline.id,
    options: { dossiers, year, seed, duplicates, shuffleRate, concurrency },
    expected: expected.totals,
    loadAverageStart: loadavg().map((value) => round(value, 2)),
  };
  try {
    await pipeline.start();
    await uploadReference(INTAKE, pipeline.adminKey, simulation);
    await sleep(3000); // every service's broadcast consumer reads the reference topics
    log(`services ready (namespace ${pipeline.id}); posting ${expected.events} events`);

    const stream = simulation.events[Symbol.iterator]();
    const nextBatch = (): string | undefined => {
      const lines: string[] = [];
      while (lines.length < BATCH) {
        const next = stream.next();
        if (next.done === true) break;
        lines.push(JSON.stringify(asPosted(next.value).event));
      }
      return lines.length === 0 ? undefined : lines.join('\n');
    };
    let posted = 0;
    let classified = 0;
    const started = performance.now();
    const elapsed = () => (performance.now() - started) / 1000;
    const progress = setInterval(() => {
      void db
        .collection('rpt_dossiers')
        .estimatedDocumentCount()
        .then((count) => (classified = count))
        .catch(() => undefined);
      const rate = posted / Math.max(1, elapsed());
      const eta = rate > 0 ? (expected.events - posted) / rate : 0;
      process.stderr.write(
        `\r  ${round(elapsed())} s: ${posted}/${expected.events} events posted (${Math.round(rate)}/s, ETA ${Math.round(eta)} s), ` +
          `${classified} dossiers classified in reporting   `,
      );
    }, 5000);
    try {
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          for (let body = nextBatch(); body !== undefined; body = nextBatch()) {
            await pipeline.postEvents(body);
            posted += body.split('\n').length;
          }
        }),
      );
      const acceptedSeconds = elapsed();
      log(`\nintake accepted ${posted} events in ${round(acceptedSeconds)} s`);

      let last: SummaryTotals | undefined;
      let lastChange = performance.now();
      for (;;) {
        const current = await pipeline.summary(period.from, period.to);
        if (same(current, expected.totals)) break;
        if (brief(current) !== brief(last)) lastChange = performance.now();
        last = current;
        if (performance.now() - lastChange > STALL_MS) {
          throw new Error(`not complete: reporting has ${brief(last)}, expected ${brief(expected.totals)}`);
        }
        await sleep(2000);
      }
      const seconds = elapsed();
      result.run = {
        events: posted,
        dossiers: expected.totals.received.new,
        intakeAcceptedSeconds: round(acceptedSeconds, 1),
        intakeEventsPerSecond: Math.round(posted / acceptedSeconds),
        wallSeconds: round(seconds, 1),
        eventsPerSecond: Math.round(posted / seconds),
      };
    } finally {
      clearInterval(progress);
    }
    if (oracle !== undefined) result.verify = await verifyReports(pipeline, oracle, simulation.reference);
    result.peakRssMb = { ...pipeline.peakRssMb(), ...(mongoPid === undefined ? {} : { mongo: peakRssMb(mongoPid) }) };
    result.loadAverageEnd = loadavg().map((value) => round(value, 2));
    result.mongo = await mongoSize(db);
    console.log(JSON.stringify(result));
    const run = result.run as Record<string, number>;
    const mongo = result.mongo as { dataMegabytes: number };
    log(
      `\nprovince-year ${year} (${dossiers} dossiers simulated, seed ${seed}, namespace ${pipeline.id}):\n` +
        `  ${run.events} events, reporting matched the oracle (${brief(expected.totals)}) after ${run.wallSeconds} s = ${run.eventsPerSecond} events/s\n` +
        `  intake accepted them in ${run.intakeAcceptedSeconds} s (${run.intakeEventsPerSecond}/s)\n` +
        `  peak RSS MB: ${JSON.stringify(result.peakRssMb)}\n` +
        `  MongoDB data: ${mongo.dataMegabytes} MB (BSON, collStats)`,
    );
  } finally {
    await pipeline.cleanup(db, keep);
  }
}

/** tools/verify's plan of queries against the live report API; prints the differences. */
async function verifyReports(
  pipeline: BenchPipeline,
  oracle: Oracle,
  reference: { agencies: Parameters<typeof planQueries>[0]['agencies']; fields: ReadonlyArray<{ code: string }> },
): Promise<{ queries: number; differences: number }> {
  const queries = planQueries({ ...period, agencies: reference.agencies, fields: reference.fields, seed });
  const result = await verifyAgainst(REPORTING, pipeline.adminKey, oracle, queries, {
    onProgress: (done, total) => {
      if (done % 10 === 0 || done === total) process.stderr.write(`\r  verify: ${done}/${total} queries`);
    },
  });
  process.stderr.write('\n');
  if (result.differences.length > 0) log(formatTable(result.differences));
  log(`verify: ${result.queries} queries, ${result.differences.length} differences`);
  return { queries: result.queries, differences: result.differences.length };
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
