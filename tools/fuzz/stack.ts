/**
 * The four services from dist/ as separate processes in a fresh namespace (topic prefix, database,
 * queue prefix) against the running infrastructure, for the API fuzzing run (docs/security.md):
 * start, wait until ready, stop, and remove the namespace's database, topics and BullMQ keys.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { openSync } from 'node:fs';
import { connect } from 'node:net';
import { join, resolve } from 'node:path';
import mongoose from 'mongoose';
import { deleteQueueKeys, deleteTopicsOf, stopChild } from '../../bench/support';

export const SERVICE_NAMES = ['intake', 'dossier-tracking', 'on-time-rate', 'reporting'] as const;
export type FuzzedService = (typeof SERVICE_NAMES)[number];

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export class FuzzStack {
  readonly id = `fuzz${randomBytes(4).toString('hex')}`;
  readonly adminKey = `fuzz-admin-${randomBytes(12).toString('hex')}`;
  private readonly children = new Map<FuzzedService, ChildProcess>();
  private readonly mongoUrl: string;

  constructor(
    private readonly portBase: number,
    private readonly logDir: string,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {
    const url = new URL(env.MONGO_URL ?? 'mongodb://127.0.0.1:27017/tthc');
    url.pathname = `/tthc_${this.id}`;
    this.mongoUrl = url.toString();
  }

  port(service: FuzzedService): number {
    return this.portBase + SERVICE_NAMES.indexOf(service);
  }

  url(service: FuzzedService): string {
    return `http://127.0.0.1:${this.port(service)}`;
  }

  /** Starts the four services (logs in `<logDir>/<service>.log`) and waits until each answers ready. */
  async start(): Promise<void> {
    for (const service of SERVICE_NAMES) {
      if (await portAnswers(this.port(service))) {
        throw new Error(`port ${this.port(service)} is already in use; choose other ports (FUZZ_PORT_BASE)`);
      }
    }
    for (const service of SERVICE_NAMES) {
      const log = openSync(join(this.logDir, `${service}.log`), 'w');
      const child = spawn(process.execPath, [resolve(__dirname, `../../apps/${service}/src/main.js`)], {
        env: {
          ...this.env,
          NODE_ENV: 'test',
          LOG_LEVEL: 'warn',
          PORT: String(this.port(service)),
          KAFKA_TOPIC_PREFIX: `${this.id}.`,
          KAFKA_EVENT_PARTITIONS: '3',
          MONGO_URL: this.mongoUrl,
          QUEUE_PREFIX: this.id,
          TTHC_ADMIN_KEY: this.adminKey,
          SHUTDOWN_TIMEOUT_MS: '10000',
          // The fuzzer is one address sending many requests with missing or wrong keys on purpose:
          // the failed-authentication throttle (20 a minute, tested in intake's hardening spec) would
          // answer 429 to the rest of the run.
          AUTH_FAILURES_PER_MINUTE: '1000000',
          // Nor may the per-key request rate of the desk API turn its examples into 429s.
          INTAKE_RATE_REQUESTS_PER_SECOND: '100000',
          INTAKE_RATE_REQUESTS_BURST: '100000',
        },
        stdio: ['ignore', log, log],
      });
      this.children.set(service, child);
    }
    await Promise.all(SERVICE_NAMES.map((service) => this.waitReady(service)));
  }

  private async waitReady(service: FuzzedService): Promise<void> {
    const child = this.children.get(service);
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline) {
      if (child?.exitCode !== null) throw new Error(`${service} exited (${String(child?.exitCode)}); see its log`);
      const status = await fetch(`${this.url(service)}/health/ready`)
        .then((answer) => answer.status)
        .catch(() => 0);
      if (status === 200) return;
      await sleep(500);
    }
    throw new Error(`${service} not ready after 120 s`);
  }

  /** Services that exited by themselves (a crash during the run). */
  exited(): FuzzedService[] {
    return SERVICE_NAMES.filter((service) => this.children.get(service)?.exitCode !== null);
  }

  /** Stops the services, drops the database, deletes the topics and the BullMQ keys. */
  async stop(): Promise<void> {
    await Promise.all([...this.children.values()].map((child) => stopChild(child, 20_000)));
    const db = await mongoose
      .createConnection(this.mongoUrl)
      .asPromise()
      .catch(() => undefined);
    await db?.dropDatabase().catch(() => undefined);
    await db?.close().catch(() => undefined);
    await deleteTopicsOf((this.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(','), this.id).catch((error: unknown) =>
      process.stderr.write(`topics not deleted: ${String(error)}\n`),
    );
    await deleteQueueKeys(this.env.REDIS_URL ?? 'redis://127.0.0.1:6379', this.id).catch((error: unknown) =>
      process.stderr.write(`Redis keys not deleted: ${String(error)}\n`),
    );
  }
}

function portAnswers(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      done(true);
    });
    socket.once('error', () => done(false));
  });
}
