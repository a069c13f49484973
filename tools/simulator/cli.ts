/**
 * The province simulator CLI (docs/simulator.md).
 *
 *   npm run simulate -- --year 2017 --dossiers 2100000 --seed 1 --out events.ndjson --reference-out ref.json
 *   npm run simulate -- --years 2024-2025 --dossiers 200000 --post http://localhost:3001 --key dev-admin-key
 *
 * --out writes one docs/api.md §4 event a line (the bulk-import format, docs/intake.md) and
 * --reference-out the reference data as {"agencies","fields","procedures"}; --post uploads the
 * reference data and posts the events to intake in NDJSON batches. Both may be given together.
 */
import { createWriteStream, writeFileSync, type WriteStream } from 'node:fs';
import { parseArgs } from 'node:util';
import { portalWindows, secondsOnly, toPortalRecords } from './dvcqg';
import { parseYears, simulateProvince, type Simulation, type SimulatorOptions } from './province';

const USAGE = `usage: simulate (--year YYYY | --years 2017-2019) --dossiers N [--seed N]
  [--late-rate 0.01] [--duplicates 0.2] [--shuffle | --shuffle-rate 0.1] [--desks N]
  [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--as-of YYYY-MM-DD]
  [--province 000.00.00.H56] [--successor-province 000.00.00.H20]
  [--out events.ndjson [--split LINES]] [--reference-out ref.json]
  [--post http://localhost:3001 --key <admin key> [--desk-key <key> ...] [--batch 1000] [--concurrency 4]]
  [--format events | dvcqg]  (dvcqg: post portal snapshots + progress records to /v1/sync/dvcqg/*; needs --post)
  [--quiet]`;

export interface CliOptions {
  simulator: SimulatorOptions;
  /** `events`: docs/api.md §4 events; `dvcqg`: the national portal's records, to the sync adapter (docs/desk-sync.md). */
  format?: 'events' | 'dvcqg';
  out?: string;
  /** Lines per output file (files `<name>.0001.ndjson`, …); 0 = one file. */
  split: number;
  referenceOut?: string;
  post?: string;
  key?: string;
  deskKeys: string[];
  batch: number;
  concurrency: number;
  quiet: boolean;
}

/** The options that describe a simulation (shared with the verify CLI, which regenerates the same events). */
export const SIMULATOR_ARGS = {
  year: { type: 'string' },
  years: { type: 'string' },
  dossiers: { type: 'string' },
  seed: { type: 'string' },
  'late-rate': { type: 'string' },
  duplicates: { type: 'string' },
  shuffle: { type: 'boolean' },
  'shuffle-rate': { type: 'string' },
  desks: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  'as-of': { type: 'string' },
  province: { type: 'string' },
  'successor-province': { type: 'string' },
  format: { type: 'string' },
} as const;

type SimulatorArgs = {
  [K in keyof typeof SIMULATOR_ARGS]?: (typeof SIMULATOR_ARGS)[K]['type'] extends 'boolean' ? boolean : string;
};

function numberArg(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0) throw new UsageError(`--${name} must be a number ≥ 0, got ${text}`);
  return value;
}

/** The simulation the {@link SIMULATOR_ARGS} describe. */
export function simulatorOptionsOf(values: SimulatorArgs): SimulatorOptions {
  const yearsText = values.years ?? values.year;
  if (yearsText === undefined) throw new UsageError(`--year or --years is required\n${USAGE}`);
  const shuffle = numberArg('shuffle-rate', values['shuffle-rate'], 0);
  return {
    seed: Math.floor(numberArg('seed', values.seed, 1)),
    years: parseYears(yearsText),
    dossiers: Math.floor(numberArg('dossiers', values.dossiers, 10_000)),
    lateRate: numberArg('late-rate', values['late-rate'], 0.01),
    duplicateRate: numberArg('duplicates', values.duplicates, 0),
    shuffle: values.shuffle === true && shuffle === 0 ? 0.1 : shuffle,
    desks: Math.max(1, Math.floor(numberArg('desks', values.desks, 1))),
    startDate: values.from,
    endDate: values.to,
    asOf: values['as-of'],
    provinceCode: values.province,
    successorProvinceCode: values['successor-province'],
  };
}

export function parseCli(argv: readonly string[]): CliOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      ...SIMULATOR_ARGS,
      out: { type: 'string' },
      split: { type: 'string' },
      'reference-out': { type: 'string' },
      post: { type: 'string' },
      key: { type: 'string' },
      'desk-key': { type: 'string', multiple: true },
      batch: { type: 'string' },
      concurrency: { type: 'string' },
      quiet: { type: 'boolean' },
      help: { type: 'boolean' },
    },
    strict: true,
  });
  if (values.help === true) throw new UsageError(USAGE);
  const format = values.format ?? 'events';
  if (format !== 'events' && format !== 'dvcqg')
    throw new UsageError(`--format must be events or dvcqg, got ${format}`);
  const options: CliOptions = {
    simulator: simulatorOptionsOf(values),
    format,
    out: values.out,
    split: Math.floor(numberArg('split', values.split, 0)),
    referenceOut: values['reference-out'],
    post: values.post?.replace(/\/+$/, ''),
    key: values.key,
    deskKeys: values['desk-key'] ?? [],
    batch: Math.min(1000, Math.max(1, Math.floor(numberArg('batch', values.batch, 1000)))),
    concurrency: Math.max(1, Math.floor(numberArg('concurrency', values.concurrency, 4))),
    quiet: values.quiet === true,
  };
  if (options.out === undefined && options.post === undefined && options.referenceOut === undefined) {
    throw new UsageError(`give --out, --reference-out and/or --post\n${USAGE}`);
  }
  if (options.post !== undefined && options.key === undefined) throw new UsageError('--post needs --key (admin key)');
  if (options.format === 'dvcqg' && (options.post === undefined || options.out !== undefined)) {
    throw new UsageError('--format dvcqg posts to intake: give --post (and no --out)');
  }
  return options;
}

export class UsageError extends Error {}

// ---------------------------------------------------------------------------------------------
// Progress
// ---------------------------------------------------------------------------------------------

function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : `${m}m${String(s % 60).padStart(2, '0')}s`;
}

class Progress {
  private readonly started = Date.now();
  private last = 0;
  constructor(
    private readonly simulation: Simulation,
    private readonly quiet: boolean,
    private readonly verb: string,
  ) {}
  tick(done: number, force = false): void {
    if (this.quiet) return;
    const now = Date.now();
    if (!force && now - this.last < 500) return;
    this.last = now;
    const elapsed = (now - this.started) / 1000;
    const fraction = this.simulation.stats.progress;
    const width = 24;
    const filled = Math.round(fraction * width);
    const bar = `${'#'.repeat(filled)}${'.'.repeat(width - filled)}`;
    const rate = done / Math.max(elapsed, 0.001);
    const eta = fraction > 0 ? (elapsed * (1 - fraction)) / fraction : Infinity;
    process.stderr.write(
      `\r[${bar}] ${(fraction * 100).toFixed(1)}% ${done.toLocaleString('en')} events ${this.verb}, ` +
        `${this.simulation.stats.dossiers.toLocaleString('en')} dossiers, ${Math.round(rate).toLocaleString('en')} ev/s, ` +
        `ETA ${duration(eta)}   `,
    );
  }
  done(done: number): void {
    this.tick(done, true);
    if (!this.quiet) process.stderr.write('\n');
  }
  get seconds(): number {
    return (Date.now() - this.started) / 1000;
  }
}

// ---------------------------------------------------------------------------------------------
// Intake client
// ---------------------------------------------------------------------------------------------

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function request(
  url: string,
  init: { method: string; key: string; body: string; contentType: string },
  attempts = 30,
): Promise<Response> {
  let wait = 500;
  for (let attempt = 1; ; attempt++) {
    let response: Response | undefined;
    try {
      response = await fetch(url, {
        method: init.method,
        headers: { Authorization: `Bearer ${init.key}`, 'Content-Type': init.contentType },
        body: init.body,
      });
    } catch (error) {
      if (attempt >= attempts) throw error;
    }
    if (response !== undefined) {
      if (response.status !== 429 && response.status !== 503) return response;
      if (attempt >= attempts) return response;
      const retryAfter = Number(response.headers.get('retry-after'));
      await response.arrayBuffer();
      await sleep(Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : wait);
    } else {
      await sleep(wait);
    }
    wait = Math.min(wait * 2, 10_000);
  }
}

async function expectOk(response: Response, what: string): Promise<unknown> {
  const text = await response.text();
  if (!response.ok) throw new Error(`${what}: HTTP ${response.status} ${text.slice(0, 2000)}`);
  return text === '' ? undefined : (JSON.parse(text) as unknown);
}

/** Uploads the simulation's reference data to intake (docs/api.md §3), in PUTs of at most 20,000 items. */
export async function uploadReference(base: string, key: string, simulation: Simulation): Promise<void> {
  const { agencies, fields, procedures } = simulation.reference;
  for (const [path, items] of [
    ['agencies', agencies],
    ['fields', fields],
    ['procedures', procedures],
  ] as const) {
    for (let index = 0; index < items.length; index += 20_000) {
      const body = JSON.stringify(items.slice(index, index + 20_000));
      const response = await request(`${base}/v1/reference/${path}`, {
        method: 'PUT',
        key,
        body,
        contentType: 'application/json',
      });
      await expectOk(response, `PUT /v1/reference/${path}`);
    }
  }
}

/** One key per logical desk: the given desk keys, new desk keys, or the admin key. */
async function deskKeysFor(base: string, options: CliOptions, simulation: Simulation): Promise<string[]> {
  const desks = options.simulator.desks ?? 1;
  if (options.deskKeys.length > 0) return options.deskKeys;
  const adminKey = options.key as string;
  if (desks <= 1) return [adminKey];
  const roots = simulation.reference.agencies.filter((agency) => agency.parentCode === null).map((a) => a.code);
  const keys: string[] = [];
  for (let index = 0; index < desks; index++) {
    const response = await request(`${base}/v1/admin/desks`, {
      method: 'POST',
      key: adminKey,
      body: JSON.stringify({ name: `simulator seed ${options.simulator.seed} desk ${index}`, agencyCodes: roots }),
      contentType: 'application/json',
    });
    const created = (await expectOk(response, 'POST /v1/admin/desks')) as { id: string; key: string };
    keys.push(created.key);
    process.stderr.write(`desk sim-desk-${index}: ${created.id}\n`);
  }
  return keys;
}

// ---------------------------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------------------------

async function write(stream: WriteStream, chunk: string): Promise<void> {
  if (!stream.write(chunk)) await new Promise<void>((resolve) => stream.once('drain', () => resolve()));
}

function end(stream: WriteStream): Promise<void> {
  return new Promise<void>((resolve, reject) =>
    stream.end((error?: Error | null) => (error ? reject(error) : resolve())),
  );
}

/** NDJSON output, buffered, optionally split into files of `split` lines (for the bulk-import size limit). */
class Output {
  private stream: WriteStream | undefined;
  private buffer: string[] = [];
  private lines = 0;
  private part = 0;
  readonly files: string[] = [];
  constructor(
    private readonly path: string,
    private readonly split: number,
  ) {}
  /** Adds a line; returns a promise only when the caller must wait (a flush or a new file). */
  line(text: string): Promise<void> | undefined {
    if (this.stream === undefined || (this.split > 0 && this.lines >= this.split)) {
      return this.next().then(() => this.line(text));
    }
    this.buffer.push(text);
    this.lines++;
    return this.buffer.length >= 2000 ? this.flush() : undefined;
  }
  async close(): Promise<void> {
    if (this.stream === undefined) await this.next();
    await this.flush();
    await end(this.stream as WriteStream);
  }
  private async flush(): Promise<void> {
    if (this.buffer.length === 0 || this.stream === undefined) return;
    const chunk = `${this.buffer.join('\n')}\n`;
    this.buffer = [];
    await write(this.stream, chunk);
  }
  private async next(): Promise<void> {
    if (this.stream !== undefined) {
      await this.flush();
      await end(this.stream);
    }
    this.part++;
    const name =
      this.split > 0
        ? this.path.replace(/(\.ndjson)?$/, (ext) => `.${String(this.part).padStart(4, '0')}${ext || '.ndjson'}`)
        : this.path;
    this.files.push(name);
    this.stream = createWriteStream(name);
    this.lines = 0;
  }
}

export async function runCli(options: CliOptions): Promise<void> {
  const simulation = simulateProvince(options.simulator);
  const { stats } = simulation;
  if (options.referenceOut !== undefined) {
    writeFileSync(options.referenceOut, `${JSON.stringify(simulation.reference, null, 2)}\n`);
  }
  if (options.out === undefined && options.post === undefined) return;
  const output = options.out === undefined ? undefined : new Output(options.out, options.split);
  const base = options.post;
  let keys: string[] = [];
  if (base !== undefined) {
    await uploadReference(base, options.key as string, simulation);
    keys = await deskKeysFor(base, options, simulation);
  }
  if (options.format === 'dvcqg' && base !== undefined) {
    await postPortalRecords(base, keys, options, simulation);
    return;
  }
  const progress = new Progress(simulation, options.quiet, base === undefined ? 'written' : 'posted');
  const pending = new Map<string, string[]>(); // desk → NDJSON lines
  const inFlight = new Set<Promise<void>>();
  let posted = 0;
  let written = 0;
  let failure: Error | undefined;

  const send = (desk: string, lines: string[]) => {
    const index = Number(desk.replace(/^\D+/, '')) || 0;
    const key = keys[index % keys.length] as string;
    const task = (async () => {
      const response = await request(`${base}/v1/events`, {
        method: 'POST',
        key,
        body: `${lines.join('\n')}\n`,
        contentType: 'application/x-ndjson',
      });
      await expectOk(response, 'POST /v1/events');
      posted += lines.length;
    })().catch((error: unknown) => {
      failure ??= error instanceof Error ? error : new Error('POST /v1/events failed');
    });
    const tracked = task.finally(() => inFlight.delete(tracked));
    inFlight.add(tracked);
  };

  for (const item of simulation.events) {
    if (failure !== undefined) break;
    const line = JSON.stringify(item.event);
    if (output !== undefined) {
      const wait = output.line(line);
      if (wait !== undefined) await wait;
      written++;
    }
    if (base !== undefined) {
      let batch = pending.get(item.desk);
      if (batch === undefined) {
        batch = [];
        pending.set(item.desk, batch);
      }
      batch.push(line);
      if (batch.length >= options.batch) {
        pending.delete(item.desk);
        while (inFlight.size >= options.concurrency) await Promise.race(inFlight);
        send(item.desk, batch);
      }
    }
    progress.tick(base === undefined ? written : posted);
  }
  if (base !== undefined && failure === undefined) {
    for (const [desk, batch] of pending) {
      while (inFlight.size >= options.concurrency) await Promise.race(inFlight);
      send(desk, batch);
    }
  }
  await Promise.all(inFlight);
  if (output !== undefined) await output.close();
  progress.done(base === undefined ? written : posted);
  if (failure !== undefined) throw failure;
  if (output !== undefined && output.files.length > 1) {
    process.stderr.write(`simulate: wrote ${output.files.length} files: ${output.files.join(' ')}\n`);
  }
  const seconds = progress.seconds;
  process.stderr.write(
    `simulate: ${stats.dossiers} dossiers (${stats.received} received, ${stats.rejected} rejected), ` +
      `${stats.events} events + ${stats.duplicates} duplicates (${stats.delayed} delayed), ` +
      `${stats.transferred} transfers, ${stats.mergeTransfers} merge transfers, ${stats.supplements} supplements, ` +
      `${stats.pauses} pauses, ${stats.withdrawn} withdrawn, ${stats.rescheduled} re-dated, ${stats.voided} voided, ` +
      `${stats.plannedLate} planned late; at most ${stats.peakQueued} events held; ${seconds.toFixed(1)} s, ` +
      `${Math.round(stats.dossiers / Math.max(seconds, 0.001))} dossiers/s\n`,
  );
}

/**
 * `--format dvcqg`: the simulation as a desk would sync it to the national portal (tools/simulator/dvcqg.ts),
 * posted to intake's adapter; `--shuffle-rate` / `--duplicates` hold back / repeat whole steps. The
 * portal has no "voided": those events go to `POST /v1/events`. Holds the whole simulation in memory.
 */
async function postPortalRecords(
  base: string,
  keys: string[],
  options: CliOptions,
  simulation: Simulation,
): Promise<void> {
  const started = Date.now();
  const events = secondsOnly([...simulation.events]);
  const conversion = toPortalRecords(events, simulation.reference, {
    seed: options.simulator.seed,
    shuffle: options.simulator.shuffle ?? 0,
    repeat: options.simulator.duplicateRate ?? 0,
  });
  const keyOf = (desk: string) => keys[(Number(desk.replace(/^\D+/, '')) || 0) % keys.length] as string;
  const windows = portalWindows(conversion.deliveries, options.batch);
  let next = 0;
  let records = 0;
  let derived = 0;
  const worker = async () => {
    while (next < windows.length) {
      const window = windows[next++] ?? [];
      // A window's requests in order (a step's progress before its snapshot); windows in parallel.
      for (const batch of window) {
        const path = batch.service === 'DongBoHoSoMC' ? 'dossiers' : 'progress';
        const response = await request(`${base}/v1/sync/dvcqg/${path}`, {
          method: 'POST',
          key: keyOf(batch.desk),
          body: JSON.stringify({ service: batch.service, data: batch.data }),
          contentType: 'application/json',
        });
        const answer = (await expectOk(response, `POST /v1/sync/dvcqg/${path}`)) as {
          error_code?: string;
          events?: number;
        };
        if (answer.error_code !== '0') throw new Error(`POST /v1/sync/dvcqg/${path}: ${JSON.stringify(answer)}`);
        records += batch.data.length;
        derived += answer.events ?? 0;
        if (!options.quiet) {
          process.stderr.write(`\r${records.toLocaleString('en')} portal records posted, ${derived} events derived   `);
        }
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  for (let index = 0; index < conversion.voided.length; index += options.batch) {
    const slice = conversion.voided.slice(index, index + options.batch);
    const response = await request(`${base}/v1/events`, {
      method: 'POST',
      key: keyOf(slice[0]?.desk ?? ''),
      body: slice.map((item) => JSON.stringify(item.event)).join('\n'),
      contentType: 'application/x-ndjson',
    });
    await expectOk(response, 'POST /v1/events (voided)');
  }
  const { stats } = conversion;
  process.stderr.write(
    `\nsimulate --format dvcqg: ${stats.dossiers} dossiers, ${stats.steps} steps → ${stats.progress} progress records + ` +
      `${stats.snapshots} snapshots (${stats.delayed} steps held back, ${stats.repeated} sent twice), ${derived} events derived, ` +
      `${conversion.voided.length} voided via /v1/events; ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
  );
}

if (require.main === module) {
  let options: CliOptions;
  try {
    options = parseCli(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  }
  runCli(options).catch((error: unknown) => {
    process.stderr.write(`\nsimulate: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
