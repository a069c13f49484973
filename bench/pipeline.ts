/**
 * The four services from dist/ as separate processes in a fresh namespace (topic prefix, database,
 * queue prefix) on ports 3201–3204, against the running local infrastructure — what the end-to-end
 * and province-year benchmarks share: start, post events, read the summary, measure, clean up.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import mongoose from 'mongoose';
import { benchMongoUrl, deleteQueueKeys, deleteTopicsOf, peakRssMb, stopChild, waitReady } from './support';

export const SERVICES = [
  { name: 'intake', port: 3201 },
  { name: 'dossier-tracking', port: 3202 },
  { name: 'on-time-rate', port: 3203 },
  { name: 'reporting', port: 3204 },
] as const;
export const INTAKE = 'http://127.0.0.1:3201';
export const REPORTING = 'http://127.0.0.1:3204';

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
export const round = (value: number, digits = 0) => +value.toFixed(digits);
export const log = (text: string) => process.stderr.write(`${text}\n`);

/** The year figures the benchmarks wait for (docs/api.md §5 summary, admin scope, no filter). */
export interface SummaryTotals {
  received: { new: number };
  resolved: { total: number };
  pending: { total: number };
}

export class BenchPipeline {
  readonly id: string;
  readonly adminKey = 'bench-admin-key-0123456789';
  readonly brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
  readonly mongoUrl: string;
  readonly auth: Record<string, string>;
  private readonly children = new Map<string, ChildProcess>();

  constructor(prefix: string) {
    this.id = `${prefix}${randomBytes(3).toString('hex')}`;
    this.mongoUrl = benchMongoUrl(this.id);
    this.auth = { authorization: `Bearer ${this.adminKey}` };
  }

  /** Starts the four services and waits until each answers ready. */
  async start(): Promise<void> {
    for (const { name, port } of SERVICES) this.children.set(name, this.spawnService(name, port));
    await Promise.all(SERVICES.map(({ name, port }) => waitReady(port, this.children.get(name))));
  }

  private spawnService(name: string, port: number): ChildProcess {
    return spawn(process.execPath, [resolve(__dirname, `../apps/${name}/src/main.js`)], {
      env: {
        ...process.env,
        NODE_ENV: 'test',
        LOG_LEVEL: 'warn',
        PORT: String(port),
        KAFKA_TOPIC_PREFIX: `${this.id}.`,
        MONGO_URL: this.mongoUrl,
        QUEUE_PREFIX: this.id,
        TTHC_ADMIN_KEY: this.adminKey,
      },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
  }

  /** Peak resident memory (VmHWM, MB) of each service so far. */
  peakRssMb(): Record<string, number> {
    return Object.fromEntries([...this.children].map(([name, child]) => [name, peakRssMb(child.pid)]));
  }

  /** POST /v1/events with 429/503 retried after Retry-After; resolves with the time the 202 arrived. */
  async postEvents(body: string): Promise<number> {
    for (let attempt = 1; ; attempt++) {
      const answer = await fetch(`${INTAKE}/v1/events`, {
        method: 'POST',
        headers: { ...this.auth, 'content-type': 'application/x-ndjson' },
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

  /** GET /v1/reports/summary of a period (admin scope); undefined while reporting does not answer 200. */
  async summary(from: string, to: string): Promise<SummaryTotals | undefined> {
    const answer = await fetch(`${REPORTING}/v1/reports/summary?from=${from}&to=${to}`, { headers: this.auth }).catch(
      () => undefined,
    );
    if (answer === undefined) return undefined;
    if (answer.status !== 200) {
      await answer.arrayBuffer();
      return undefined;
    }
    return (await answer.json()) as SummaryTotals;
  }

  async connectDatabase(): Promise<mongoose.Connection> {
    return mongoose.createConnection(this.mongoUrl).asPromise();
  }

  /** Stops the services; unless `keep`, drops the database, deletes the topics and the BullMQ keys. */
  async cleanup(db: mongoose.Connection, keep: boolean): Promise<void> {
    await Promise.all([...this.children.values()].map((child) => stopChild(child, 30_000)));
    if (keep) log(`--keep: database ${db.name}, topics and queues of ${this.id} left in place`);
    else await db.dropDatabase().catch(() => undefined);
    await db.close().catch(() => undefined);
    if (!keep) {
      await deleteTopicsOf(this.brokers, this.id).catch((error: unknown) =>
        log(`cleanup: topics not deleted: ${String(error)}`),
      );
      await deleteQueueKeys(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', this.id).catch((error: unknown) =>
        log(`cleanup: Redis keys not deleted: ${String(error)}`),
      );
    }
  }
}

/** Documents and BSON bytes per collection of a database (`collStats`), and their total. */
export async function mongoSize(db: mongoose.Connection): Promise<{
  dataMegabytes: number;
  collections: Record<string, { documents: number; megabytes: number }>;
}> {
  const collections: Record<string, { documents: number; megabytes: number }> = {};
  let bytes = 0;
  const native = db.db;
  if (native === undefined) throw new Error('the database connection is not open');
  for (const { name } of await native.listCollections({}, { nameOnly: true }).toArray()) {
    const stats = (await native.command({ collStats: name })) as { count?: number; size?: number };
    bytes += stats.size ?? 0;
    collections[name] = { documents: stats.count ?? 0, megabytes: round((stats.size ?? 0) / 1e6, 1) };
  }
  return { dataMegabytes: round(bytes / 1e6, 1), collections };
}
