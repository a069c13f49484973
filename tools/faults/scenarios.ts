/**
 * The fault scenarios (docs/reliability.md, "Fault tests"). Each names its topology (replicas per
 * service, Kafka brokers), how long posting lasts at least (so that its faults happen under load)
 * and its faults, run while the load is posted. Every scenario is judged the same way: quiet, then
 * the figures equal to the oracle's and no dead letter (check.ts).
 */
import type { FaultInfra } from './infra';
import type { Fleet, Replica, Replicas, ServiceName } from './fleet';
import type { FaultProxy } from './proxy';
import { sleep, type Logger } from './process';

export interface ScenarioContext {
  fleet: Fleet;
  infra: FaultInfra;
  adminKey: string;
  log: Logger;
  /** Resolves once this share (0..1) of the batches has been accepted by intake. */
  loaded(fraction: number): Promise<void>;
}

export interface Scenario {
  name: string;
  title: string;
  replicas: Replicas;
  /** Kafka brokers (3 = a KRaft cluster with replication factor 3, min.insync.replicas 2). */
  brokers: 1 | 3;
  /**
   * Only the first replica of each service is started before the load; the scenario's faults
   * start the others (scale-out under load: the consumer groups rebalance while events flow).
   */
  scaleOutUnderLoad?: boolean;
  /** Posting lasts at least this long. */
  loadSeconds: number;
  /** Runs beside the load; resolves when every fault is over (processes restarted, servers back). */
  faults(context: ScenarioContext): Promise<void>;
}

const ONE: Replicas = { intake: 1, 'dossier-tracking': 1, 'on-time-rate': 1, reporting: 1 };
const TWO_CONSUMERS: Replicas = { intake: 1, 'dossier-tracking': 2, 'on-time-rate': 2, reporting: 2 };
const TWO_EACH: Replicas = { intake: 2, 'dossier-tracking': 2, 'on-time-rate': 2, reporting: 2 };
const EVERY_SERVICE: readonly ServiceName[] = ['intake', 'dossier-tracking', 'on-time-rate', 'reporting'];

/** SIGKILL or SIGTERM one replica, leave it down a few seconds, start it again. */
async function stopAndRestart(
  context: ScenarioContext,
  replica: Replica,
  how: 'SIGKILL' | 'SIGTERM',
  downMs: number,
): Promise<void> {
  const { fleet, log } = context;
  if (how === 'SIGKILL') {
    fleet.kill(replica);
    await fleet.exited(replica);
    log(`  ${replica.label}: SIGKILL`);
  } else {
    const started = Date.now();
    const outcome = await fleet.terminate(replica);
    log(`  ${replica.label}: SIGTERM, ${outcome} after ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
  await sleep(downMs);
  const started = Date.now();
  await fleet.restart(replica);
  log(`  ${replica.label}: restarted, ready after ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

async function pauseFor(context: ScenarioContext, replica: Replica, ms: number): Promise<void> {
  context.fleet.pause(replica);
  context.log(`  ${replica.label}: SIGSTOP for ${ms / 1000} s (Kafka session timeout 30 s)`);
  await sleep(ms);
  context.fleet.resume(replica);
  context.log(`  ${replica.label}: SIGCONT`);
}

/** A server unreachable for `ms` behind its relay: every connection reset, new ones refused, data kept. */
async function outage(context: ScenarioContext, relay: FaultProxy, server: string, ms: number): Promise<void> {
  await relay.down();
  context.log(`  ${server} down (connections reset, port closed)`);
  await sleep(ms);
  await relay.up();
  context.log(`  ${server} back`);
}

interface RebuildView {
  id: string;
  state: string;
  percent?: number;
  error?: string | null;
  differences?: { count: number };
  changedDossiers?: number;
}

async function adminJson(url: string, key: string, method: 'GET' | 'POST'): Promise<{ status: number; body: unknown }> {
  const answer = await fetch(url, {
    method,
    headers: { authorization: `Bearer ${key}` },
    signal: AbortSignal.timeout(30_000),
  });
  const text = await answer.text();
  return { status: answer.status, body: text === '' ? undefined : (JSON.parse(text) as unknown) };
}

/** POST /v1/admin/rebuilds on one on-time-rate replica, then poll until it is completed (else throw). */
async function rebuildUnderLoad(context: ScenarioContext): Promise<void> {
  const { fleet, adminKey, log } = context;
  const first = fleet.replica('on-time-rate', 0);
  const posted = await adminJson(`${first.url}/v1/admin/rebuilds`, adminKey, 'POST');
  if (posted.status !== 202)
    throw new Error(`POST /v1/admin/rebuilds answered ${posted.status}: ${JSON.stringify(posted.body)}`);
  const { id } = posted.body as RebuildView;
  log(`  rebuild ${id} queued on ${first.label}`);
  const deadline = Date.now() + 15 * 60_000;
  let last: RebuildView | undefined;
  while (Date.now() < deadline) {
    await sleep(2000);
    const replica = fleet.available('on-time-rate')[0];
    if (replica === undefined) continue;
    const answer = await adminJson(`${replica.url}/v1/admin/rebuilds/${id}`, adminKey, 'GET').catch(() => undefined);
    if (answer?.status !== 200) continue;
    last = answer.body as RebuildView;
    if (last.state === 'completed') {
      log(
        `  rebuild ${id} completed: ${last.differences?.count ?? '?'} counter differences, ` +
          `${last.changedDossiers ?? '?'} dossiers changed`,
      );
      return;
    }
    if (last.state === 'failed') throw new Error(`rebuild ${id} failed: ${last.error ?? 'no error given'}`);
  }
  throw new Error(`rebuild ${id} not completed within 15 minutes (last state ${JSON.stringify(last)})`);
}

export const SCENARIOS: readonly Scenario[] = [
  {
    name: 'baseline',
    title: 'one replica of each service, no fault (the control: must pass today)',
    replicas: ONE,
    brokers: 1,
    loadSeconds: 0,
    faults: () => Promise.resolve(),
  },
  {
    name: 'replicas',
    title:
      'two replicas of every consumer service under load, no fault; the second replicas join while events flow (scale-out)',
    replicas: TWO_CONSUMERS,
    brokers: 1,
    scaleOutUnderLoad: true,
    loadSeconds: 30,
    faults: async (context) => {
      await context.loaded(0.1);
      const started = Date.now();
      const joined = await context.fleet.startRest();
      context.log(
        `  ${joined.map((replica) => replica.label).join(', ')} started under load, ready after ${((Date.now() - started) / 1000).toFixed(1)} s`,
      );
    },
  },
  {
    name: 'kill',
    title: 'SIGKILL of one replica of each service in turn, restarted 5 s later (2 replicas each)',
    replicas: TWO_EACH,
    brokers: 1,
    loadSeconds: 90,
    faults: async (context) => {
      await context.loaded(0.1);
      for (const service of EVERY_SERVICE) {
        await stopAndRestart(context, context.fleet.replica(service, 0), 'SIGKILL', 5000);
        await sleep(5000);
      }
    },
  },
  {
    name: 'zombie',
    title: 'a replica of on-time-rate, then of reporting, paused (SIGSTOP) 40 s and resumed (2 replicas each)',
    replicas: TWO_CONSUMERS,
    brokers: 1,
    loadSeconds: 100,
    faults: async (context) => {
      await context.loaded(0.1);
      await pauseFor(context, context.fleet.replica('on-time-rate', 0), 40_000);
      await sleep(10_000);
      await pauseFor(context, context.fleet.replica('reporting', 0), 40_000);
    },
  },
  {
    name: 'mongo-down',
    title: 'MongoDB unreachable for 60 s under load (every connection reset, new ones refused)',
    replicas: TWO_CONSUMERS,
    brokers: 1,
    loadSeconds: 90,
    faults: async (context) => {
      await context.loaded(0.15);
      await outage(context, context.infra.mongoProxy, 'MongoDB', 60_000);
    },
  },
  {
    name: 'redis-down',
    title: 'Redis unreachable for 30 s under load',
    replicas: TWO_CONSUMERS,
    brokers: 1,
    loadSeconds: 60,
    faults: async (context) => {
      await context.loaded(0.15);
      await outage(context, context.infra.redisProxy, 'Redis', 30_000);
    },
  },
  {
    name: 'broker-down',
    title: 'one broker of a 3-broker Kafka cluster SIGKILLed for 30 s under load (replication factor 3)',
    replicas: TWO_CONSUMERS,
    brokers: 3,
    loadSeconds: 60,
    faults: async (context) => {
      await context.loaded(0.15);
      context.infra.killBroker(1);
      context.log('  Kafka broker 2 of 3: SIGKILL');
      await sleep(30_000);
      await context.infra.restartBroker(1);
      context.log('  Kafka broker 2 of 3: restarted');
    },
  },
  {
    name: 'sigterm',
    title: 'SIGTERM of one replica of each service in turn mid-load, restarted 5 s later (2 replicas each)',
    replicas: TWO_EACH,
    brokers: 1,
    loadSeconds: 90,
    faults: async (context) => {
      await context.loaded(0.1);
      for (const service of EVERY_SERVICE) {
        await stopAndRestart(context, context.fleet.replica(service, 0), 'SIGTERM', 5000);
        await sleep(5000);
      }
    },
  },
  {
    name: 'rolling-restart',
    title: 'rolling restart of every replica of every service under load (SIGTERM, start, ready, next)',
    replicas: TWO_EACH,
    brokers: 1,
    loadSeconds: 120,
    faults: async (context) => {
      await context.loaded(0.05);
      for (const service of EVERY_SERVICE) {
        for (const replica of context.fleet.of(service)) await stopAndRestart(context, replica, 'SIGTERM', 0);
      }
    },
  },
  {
    name: 'rebuild',
    title: 'a counter rebuild (POST /v1/admin/rebuilds) while two on-time-rate replicas consume',
    replicas: TWO_CONSUMERS,
    brokers: 1,
    loadSeconds: 60,
    faults: async (context) => {
      await context.loaded(0.3);
      await rebuildUnderLoad(context);
    },
  },
];

/** The scenarios named (comma-separated or repeated), in the catalogue's order; all when none. */
export function selectScenarios(names: readonly string[]): Scenario[] {
  const wanted = names
    .flatMap((name) => name.split(','))
    .map((name) => name.trim())
    .filter((name) => name !== '');
  if (wanted.length === 0 || wanted.includes('all')) return [...SCENARIOS];
  const unknown = wanted.filter((name) => !SCENARIOS.some((scenario) => scenario.name === name));
  if (unknown.length > 0) {
    throw new Error(`unknown scenario(s) ${unknown.join(', ')}; known: ${SCENARIOS.map((s) => s.name).join(', ')}`);
  }
  return SCENARIOS.filter((scenario) => wanted.includes(scenario.name));
}

/** The replicas of a scenario, or the same count `override` for every service. */
export function replicasOf(scenario: Scenario, override: number | undefined): Replicas {
  if (override === undefined) return scenario.replicas;
  return { intake: override, 'dossier-tracking': override, 'on-time-rate': override, reporting: override };
}
