/**
 * The demo `npm start` loads: a simulated province-year posted through intake's public API, then
 * — once the report API agrees with the independent oracle on the year's figures — the headline.
 *
 *   node dist/tools/demo/demo.js [--dossiers 20000] [--year 2017] [--seed 1]
 *     [--intake http://127.0.0.1:3001] [--reporting http://127.0.0.1:3004] [--key <admin key>]
 *
 * Loading twice is harmless: intake's (desk, eventId) idempotency counts every event once, and a
 * run that finds the figures already there skips the posting.
 */
import { parseArgs } from 'node:util';
import { buildOracle, type Figures } from '../oracle';
import { runCli } from '../simulator/cli';
import { simulateProvince } from '../simulator/province';

const { values } = parseArgs({
  options: {
    dossiers: { type: 'string', default: '20000' },
    year: { type: 'string', default: '2017' },
    seed: { type: 'string', default: '1' },
    intake: { type: 'string', default: 'http://127.0.0.1:3001' },
    reporting: { type: 'string', default: 'http://127.0.0.1:3004' },
    key: { type: 'string' },
    'timeout-s': { type: 'string', default: '900' },
  },
});
const key = values.key ?? process.env.TTHC_ADMIN_KEY ?? 'dev-admin-key';
const year = Number(values.year);
const dossiers = Number(values.dossiers);
const seed = Number(values.seed);
const period = { from: `${year}-01-01`, to: `${year}-12-31` };

const vi = (value: number) => value.toLocaleString('vi-VN');
const percent = (rate: number | null) => (rate === null ? '–' : `${(rate * 100).toFixed(1).replace('.', ',')}%`);

async function summary(): Promise<Figures | null> {
  const response = await fetch(`${values.reporting}/v1/reports/summary?${new URLSearchParams(period).toString()}`, {
    headers: { authorization: `Bearer ${key}` },
  }).catch(() => null);
  if (response === null || response.status !== 200) return null;
  return (await response.json()) as Figures;
}

const same = (a: Figures | null, b: Figures) =>
  a !== null &&
  a.received.new === b.received.new &&
  a.resolved.total === b.resolved.total &&
  a.resolved.early + a.resolved.onTime === b.resolved.early + b.resolved.onTime &&
  a.pending.total === b.pending.total;

async function main(): Promise<void> {
  const options = { seed, years: [year], dossiers, duplicateRate: 0.05, shuffle: 0.05 };
  const simulation = simulateProvince(options);
  const root = simulation.reference.agencies.find((agency) => agency.parentCode === null);
  process.stderr.write(`demo: ${dossiers} dossiers of ${root?.name ?? 'a province'}, ${year} (seed ${seed})\n`);
  const oracle = buildOracle({
    ...simulation.reference,
    events: [...simulation.events].map((item) => ({ desk: 'admin', event: item.event })),
  });
  const expected = oracle.figures(period);
  if (same(await summary(), expected)) {
    process.stderr.write('demo: already loaded\n');
  } else {
    await runCli({
      simulator: options,
      post: values.intake,
      key,
      deskKeys: [],
      batch: 1000,
      concurrency: 4,
      quiet: false,
      split: 0,
    });
    const started = Date.now();
    const deadline = started + Number(values['timeout-s']) * 1000;
    for (;;) {
      const current = await summary();
      if (same(current, expected)) break;
      if (Date.now() > deadline) throw new Error('the reports did not reach the expected figures in time');
      process.stderr.write(
        `\rdemo: reports reflect ${vi(current?.resolved.total ?? 0)} of ${vi(expected.resolved.total)} resolved dossiers (${Math.round((Date.now() - started) / 1000)} s)   `,
      );
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
    process.stderr.write('\n');
  }
  const name = root?.name ?? 'Tỉnh';
  console.log(
    `\n${name.charAt(0).toUpperCase()}${name.slice(1)}, năm ${year}: ${vi(expected.resolved.total)} hồ sơ đã giải quyết, ` +
      `${percent(expected.onTimeRate.resolved)} đúng hạn` +
      `\n(${vi(expected.received.total)} hồ sơ tiếp nhận; figures checked against the independent oracle)` +
      `\nDashboard: ${values.reporting}/  (sign in with the admin key)`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`\ndemo: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
