/**
 * The four services from dist/ as separate processes, N replicas each on distinct loopback
 * ports, all in one namespace (topic prefix, database, queue prefix) on the harness's own
 * infrastructure. A replica can be SIGKILLed, SIGTERMed, paused (SIGSTOP) and resumed (SIGCONT),
 * and restarted on its port. Each replica's output is appended to its own log file.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, openSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { exitOf, hasExited, signalProcess, sleep } from './process';

export const SERVICE_NAMES = ['intake', 'dossier-tracking', 'on-time-rate', 'reporting'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

export type Replicas = Record<ServiceName, number>;

/** The port of replica `index` (0-based) of a service: base + 10 × service + index. */
export function replicaPort(basePort: number, service: ServiceName, index: number): number {
  if (index < 0 || index > 9) throw new Error(`replica index ${index} out of range 0..9`);
  return basePort + 10 * SERVICE_NAMES.indexOf(service) + index;
}

export interface FleetOptions {
  repoRoot: string;
  basePort: number;
  replicas: Replicas;
  /** Environment of every replica (infrastructure addresses, namespace, keys). */
  env: Record<string, string>;
  logDir: string;
}

export class Replica {
  child: ChildProcess | undefined;
  paused = false;
  starts = 0;

  constructor(
    readonly service: ServiceName,
    readonly index: number,
    readonly port: number,
  ) {}

  get label(): string {
    return `${this.service}#${this.index + 1}`;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.child !== undefined && !hasExited(this.child);
  }
}

export class Fleet {
  readonly replicas: Replica[];
  /** Set by stopAll: nothing is started any more (a fault of a timed-out run may still be sleeping). */
  private closed = false;

  constructor(private readonly options: FleetOptions) {
    mkdirSync(options.logDir, { recursive: true });
    this.replicas = SERVICE_NAMES.flatMap((service) =>
      Array.from(
        { length: options.replicas[service] },
        (_, index) => new Replica(service, index, replicaPort(options.basePort, service, index)),
      ),
    );
  }

  of(service: ServiceName): Replica[] {
    return this.replicas.filter((replica) => replica.service === service);
  }

  replica(service: ServiceName, index: number): Replica {
    const found = this.of(service)[index];
    if (found === undefined) throw new Error(`${service} has no replica ${index + 1}`);
    return found;
  }

  /** Live, not paused replicas of a service (the load spreads over these). */
  available(service: ServiceName): Replica[] {
    return this.of(service).filter((replica) => replica.running && !replica.paused);
  }

  /** Starts every replica (only the first of each service with `firstOnly`); resolves when each answers /health/ready. */
  async startAll(firstOnly = false): Promise<void> {
    const chosen = this.replicas.filter((replica) => !firstOnly || replica.index === 0);
    for (const replica of chosen) this.spawn(replica);
    await Promise.all(chosen.map((replica) => this.waitReady(replica)));
  }

  /** Starts the replicas never started so far (scale-out); resolves when they are ready. */
  async startRest(): Promise<Replica[]> {
    const rest = this.replicas.filter((replica) => replica.child === undefined);
    for (const replica of rest) this.spawn(replica);
    await Promise.all(rest.map((replica) => this.waitReady(replica)));
    return rest;
  }

  /** Starts a stopped replica again on its port and waits until it is ready. */
  async restart(replica: Replica): Promise<void> {
    if (replica.running) throw new Error(`${replica.label} is still running`);
    this.spawn(replica);
    await this.waitReady(replica);
  }

  kill(replica: Replica): void {
    if (!signalProcess(this.childOf(replica), 'SIGKILL')) throw new Error(`${replica.label} was not running`);
    replica.paused = false;
  }

  /** SIGTERM and wait for the exit (SIGKILL after `graceMs`); resolves with how it ended. */
  async terminate(replica: Replica, graceMs = 40_000): Promise<string> {
    const child = this.childOf(replica);
    if (replica.paused) this.resume(replica);
    if (!signalProcess(child, 'SIGTERM')) throw new Error(`${replica.label} was not running`);
    const exit = await exitOf(child, graceMs);
    if (exit !== 'timeout') return `exited ${String(exit)}`;
    signalProcess(child, 'SIGKILL');
    await exitOf(child, 10_000);
    return `did not exit within ${graceMs / 1000} s of SIGTERM: SIGKILLed`;
  }

  pause(replica: Replica): void {
    if (!signalProcess(this.childOf(replica), 'SIGSTOP')) throw new Error(`${replica.label} was not running`);
    replica.paused = true;
  }

  resume(replica: Replica): void {
    signalProcess(this.childOf(replica), 'SIGCONT');
    replica.paused = false;
  }

  /** Waits until a killed replica's process is gone. */
  async exited(replica: Replica, timeoutMs = 30_000): Promise<void> {
    if ((await exitOf(this.childOf(replica), timeoutMs)) === 'timeout') {
      throw new Error(`${replica.label} still running ${timeoutMs / 1000} s after its signal`);
    }
  }

  /** Stops everything: paused replicas are resumed first, then SIGTERM (SIGKILL after 30 s). */
  async stopAll(): Promise<void> {
    this.closed = true;
    for (const replica of this.replicas) if (replica.paused && replica.running) this.resume(replica);
    await Promise.all(
      this.replicas.filter((replica) => replica.running).map((replica) => this.terminate(replica, 30_000)),
    );
  }

  private childOf(replica: Replica): ChildProcess {
    if (replica.child === undefined) throw new Error(`${replica.label} was never started`);
    return replica.child;
  }

  private spawn(replica: Replica): void {
    if (this.closed) throw new Error(`${replica.label} not started: the run is over`);
    const { repoRoot, env, logDir } = this.options;
    const out = openSync(join(logDir, `${replica.service}-${replica.index + 1}.log`), 'a');
    replica.child = spawn(process.execPath, [join(repoRoot, `dist/apps/${replica.service}/src/main.js`)], {
      cwd: repoRoot,
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: process.env.HOME ?? '/tmp',
        ...env,
        PORT: String(replica.port),
        // stable per replica slot, like a StatefulSet pod name: a restarted intake fences the
        // open Kafka transactions of the process it replaces (ignored by services without them)
        KAFKA_TRANSACTIONAL_ID: `${replica.service}-${replica.index + 1}`,
      },
      stdio: ['ignore', out, out],
    });
    closeSync(out);
    replica.paused = false;
    replica.starts++;
  }

  /** Waits up to 180 s for /health/ready (200), failing early if the process exits. */
  private async waitReady(replica: Replica): Promise<void> {
    const deadline = Date.now() + 180_000;
    while (Date.now() < deadline) {
      const child = this.childOf(replica);
      if (hasExited(child)) {
        throw new Error(
          `${replica.label} exited during start-up (${String(child.exitCode ?? child.signalCode)}); see ${this.options.logDir}`,
        );
      }
      const status = await fetch(`${replica.url}/health/ready`, { signal: AbortSignal.timeout(5000) })
        .then(async (answer) => {
          await answer.arrayBuffer();
          return answer.status;
        })
        .catch(() => 0);
      if (status === 200) return;
      await sleep(500);
    }
    throw new Error(`${replica.label} not ready after 180 s; see ${this.options.logDir}`);
  }
}
