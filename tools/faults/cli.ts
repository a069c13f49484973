/**
 * Fault tests (docs/reliability.md): exact figures under replicas, kills, zombies and outages.
 *
 *   npm run test:faults                                   # every scenario once, CI size
 *   npm run test:faults -- --scenario zombie --runs 3 --dossiers 20000
 *
 * For each scenario run: its own infrastructure (tools/faults/infra.ts, non-default ports), the
 * four services from dist/ as separate processes (N replicas each), a simulated province year
 * posted through intake while the scenario's faults happen, then — once quiet — the reporting
 * summary and II.06a compared with the oracle by exact equality, and the dead letters counted.
 * Progress on stderr; one JSON result per run in .local/faults/results.jsonl and the whole
 * invocation in .local/faults/last-run.json. Exit code 0 only if every run passed.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import mongoose from 'mongoose';
import { buildOracle } from '../oracle';
import { uploadReference } from '../simulator/cli';
import { simulateProvince } from '../simulator/province';
import { formatTable, type Difference } from '../verify/verify';
import { checkQueries, deadLetters, settleAndCompare } from './check';
import { Fleet, SERVICE_NAMES, type Replicas } from './fleet';
import { DEFAULT_INFRA_PORTS, FaultInfra } from './infra';
import { Poster, batchesOf } from './load';
import { USAGE, UsageError, defaultTimeoutSeconds, parseOptions, type FaultOptions } from './options';
import { sleep } from './process';
import { SCENARIOS, replicasOf, selectScenarios, type Scenario, type ScenarioContext } from './scenarios';

const YEAR = 2017;
const ADMIN_KEY = 'faults-admin-key-0123456789';
const BATCH_LINES = 500;
const SETTLE_GRACE_MS = 60_000;

const log = (text: string) => process.stderr.write(`[faults] ${text}\n`);

export interface RunResult {
  scenario: string;
  run: number;
  seed: number;
  dossiers: number;
  events: number;
  replicas: Replicas;
  brokers: number;
  namespace: string;
  startedAt: string;
  durationSeconds: number;
  phases: Record<string, number>;
  exact: boolean;
  deadLetters: number;
  deadLettersByTopic: Record<string, number>;
  passed: boolean;
  differences: number;
  differenceSample: Difference[];
  loadRetries: number;
  error?: string;
  commit: string;
  loadAverage: number[];
}

function findRepoRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json')) || !existsSync(join(dir, 'deploy/local/infra.sh'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('repository root not found above ' + __dirname);
    dir = parent;
  }
  return dir;
}

function gitCommit(repoRoot: string): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repoRoot, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain'], { cwd: repoRoot, encoding: 'utf8' }).trim() !== '';
    return dirty ? `${head}+dirty` : head;
  } catch {
    return 'unknown';
  }
}

class Timeout extends Error {}

class Runner {
  private infraStarted = false;
  private fleet: Fleet | undefined;
  private readonly infra: FaultInfra;
  private readonly outDir: string;
  private readonly commit: string;

  constructor(
    private readonly options: FaultOptions,
    private readonly repoRoot: string,
  ) {
    this.outDir = join(repoRoot, '.local/faults');
    mkdirSync(this.outDir, { recursive: true });
    this.infra = new FaultInfra({
      repoRoot,
      cacheDir: process.env.FAULTS_CACHE_DIR ?? join(repoRoot, '.local/cache'),
      stateDir: join(this.outDir, 'infra'),
      ports: DEFAULT_INFRA_PORTS,
      log,
    });
    this.commit = gitCommit(repoRoot);
  }

  async shutdown(): Promise<void> {
    await this.fleet?.stopAll().catch(() => undefined);
    if (this.infraStarted) await this.infra.stop().catch(() => undefined);
    this.infraStarted = false;
  }

  private async ensureInfra(brokers: number): Promise<void> {
    const dead = this.infraStarted ? this.infra.dead() : [];
    if (dead.length > 0) {
      log(`infra: ${dead.join(', ')} not running; restarting the infrastructure`);
      await this.infra.stop();
      this.infraStarted = false;
    }
    if (!this.infraStarted) {
      const started = Date.now();
      await this.infra.start(brokers);
      this.infraStarted = true;
      log(`infra: ready in ${((Date.now() - started) / 1000).toFixed(1)} s (logs in .local/faults/infra/logs)`);
    } else if (this.infra.brokerCount !== brokers) {
      await this.infra.startKafka(brokers);
    }
    await this.infra.mongoProxy.up();
    await this.infra.redisProxy.up();
  }

  async run(scenario: Scenario, run: number): Promise<RunResult> {
    const { options } = this;
    const seed = options.seed + run - 1;
    const replicas = replicasOf(scenario, options.replicas);
    const namespace = `flt${randomBytes(3).toString('hex')}`;
    const started = Date.now();
    const phases: Record<string, number> = {};
    const mark = (phase: string, since: number) => (phases[phase] = Math.round((Date.now() - since) / 100) / 10);
    const result: RunResult = {
      scenario: scenario.name,
      run,
      seed,
      dossiers: options.dossiers,
      events: 0,
      replicas,
      brokers: scenario.brokers,
      namespace,
      startedAt: new Date(started).toISOString(),
      durationSeconds: 0,
      phases,
      exact: false,
      deadLetters: -1,
      deadLettersByTopic: {},
      passed: false,
      differences: 0,
      differenceSample: [],
      loadRetries: 0,
      commit: this.commit,
      loadAverage: loadavg().map((value) => Math.round(value * 100) / 100),
    };

    const simulation = simulateProvince({
      seed,
      years: [YEAR],
      dossiers: options.dossiers,
      shuffle: 0.2,
      duplicateRate: 0.05,
    });
    const events = [...simulation.events];
    result.events = events.length;
    const oracle = buildOracle({
      ...simulation.reference,
      events: events.map((item) => ({ desk: 'admin', event: item.event })),
    });
    const roots = simulation.reference.agencies.filter((agency) => agency.parentCode === null).map((a) => a.code);
    const queries = checkQueries(YEAR, roots);
    const bodies = batchesOf(
      events.map((item) => JSON.stringify(item.event)),
      BATCH_LINES,
    );
    const timeoutSeconds =
      options.timeoutSeconds ?? defaultTimeoutSeconds(scenario.loadSeconds, events.length, scenario.brokers);
    const deadline = started + timeoutSeconds * 1000;
    log(
      `${scenario.name} run ${run}: ${scenario.title}; ${options.dossiers} dossiers, ${events.length} events ` +
        `(seed ${seed}), replicas ${JSON.stringify(replicas)}, timeout ${timeoutSeconds} s, namespace ${namespace}`,
    );

    let aborted = false;
    let poster: Poster | undefined;
    let admin: Admin | undefined;
    let lastDifferences: Difference[] = [];
    const work = async (): Promise<void> => {
      let since = Date.now();
      await this.ensureInfra(scenario.brokers);
      mark('infra', since);
      const kafka = new Kafka({
        clientId: `${namespace}-harness`,
        brokers: this.infra.kafkaBrokers.split(','),
        logLevel: logLevel.NOTHING,
      });
      admin = kafka.admin();
      await admin.connect();

      since = Date.now();
      const fleet = new Fleet({
        repoRoot: this.repoRoot,
        basePort: options.basePort,
        replicas,
        logDir: join(this.outDir, 'logs', `${scenario.name}-${run}`),
        env: {
          NODE_ENV: 'test',
          LOG_LEVEL: 'warn',
          KAFKA_BROKERS: this.infra.kafkaBrokers,
          KAFKA_TOPIC_PREFIX: `${namespace}.`,
          KAFKA_REPLICATION_FACTOR: String(scenario.brokers >= 3 ? 3 : 1),
          KAFKA_MIN_INSYNC_REPLICAS: String(scenario.brokers >= 3 ? 2 : 1),
          MONGO_URL: this.infra.mongoUrl(`tthc_${namespace}`),
          REDIS_URL: this.infra.redisUrl,
          QUEUE_PREFIX: namespace,
          TTHC_ADMIN_KEY: ADMIN_KEY,
        },
      });
      this.fleet = fleet;
      await fleet.startAll(scenario.scaleOutUnderLoad === true);
      const intake = fleet.replica('intake', 0);
      await uploadReference(intake.url, ADMIN_KEY, simulation);
      await sleep(3000); // every broadcast consumer reads the reference topics
      mark('startup', since);
      log(`  ${fleet.replicas.filter((r) => r.running).length} service processes ready in ${phases.startup} s`);

      since = Date.now();
      const activePoster = new Poster(
        bodies,
        { intakes: () => fleet.available('intake').map((replica) => replica.url), adminKey: ADMIN_KEY },
        {
          concurrency: options.concurrency,
          minSeconds: scenario.loadSeconds,
          batchDeadlineMs: 300_000,
          requestTimeoutMs: 60_000,
        },
      );
      poster = activePoster;
      const context: ScenarioContext = {
        fleet,
        infra: this.infra,
        adminKey: ADMIN_KEY,
        log,
        loaded: async (fraction) => {
          while (activePoster.fraction < fraction) {
            if (aborted) throw new Error('scenario aborted');
            await sleep(200);
          }
        },
      };
      const ticker = setInterval(() => {
        const p = activePoster.progress;
        log(
          `  ${Math.round((Date.now() - since) / 1000)} s: ${p.accepted}/${p.batches} batches accepted, ${p.retries} retries`,
        );
      }, 15_000);
      try {
        await Promise.all([activePoster.run(), scenario.faults(context)]);
      } finally {
        clearInterval(ticker);
      }
      mark('loadAndFaults', since);
      log(`  everything posted and every fault over after ${phases.loadAndFaults} s; waiting for quiet`);

      since = Date.now();
      const settled = await settleAndCompare({
        reportingUrl: () => fleet.available('reporting')[0]?.url,
        adminKey: ADMIN_KEY,
        admin,
        topicPrefix: `${namespace}.`,
        oracle,
        queries,
        deadline: deadline - 5000,
        graceMs: SETTLE_GRACE_MS,
        log,
      });
      mark('settle', since);
      lastDifferences = settled.differences;
      result.exact = settled.exact;
      if (!settled.exact) result.error = settled.reason;
      result.deadLettersByTopic = await deadLetters(admin, `${namespace}.`);
      result.deadLetters = Object.values(result.deadLettersByTopic).reduce((sum, count) => sum + count, 0);
    };

    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        work(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Timeout(`timed out after ${timeoutSeconds} s`)), timeoutSeconds * 1000);
        }),
      ]);
    } catch (error) {
      aborted = true;
      const progress = poster?.progress;
      result.error =
        (error instanceof Error ? error.message : String(error)) +
        (progress === undefined
          ? ''
          : ` (${progress.accepted}/${progress.batches} batches accepted, last errors ${JSON.stringify(progress.lastErrors)})`);
    } finally {
      clearTimeout(timer);
      aborted = true;
      poster?.stop();
    }
    result.loadRetries = poster?.progress.retries ?? 0;
    result.differences = lastDifferences.length;
    result.differenceSample = lastDifferences.slice(0, 50);
    result.passed = result.exact && result.deadLetters === 0 && result.error === undefined;
    if (result.exact && result.deadLetters !== 0 && result.error === undefined) {
      result.error = `${result.deadLetters} dead letters: ${JSON.stringify(result.deadLettersByTopic)}`;
    }
    await this.cleanup(namespace, admin);
    result.durationSeconds = Math.round((Date.now() - started) / 100) / 10;
    this.report(result, lastDifferences);
    return result;
  }

  private async cleanup(namespace: string, admin: Admin | undefined): Promise<void> {
    await this.fleet?.stopAll().catch((error: unknown) => log(`  stopping the services: ${String(error)}`));
    this.fleet = undefined;
    try {
      await this.infra.mongoProxy.up();
      await this.infra.redisProxy.up();
      const db = await mongoose.createConnection(this.infra.mongoUrl(`tthc_${namespace}`)).asPromise();
      await db.dropDatabase();
      await db.close();
    } catch (error) {
      log(`  cleanup: database not dropped: ${String(error)}`);
    }
    if (admin !== undefined) {
      try {
        const topics = (await admin.listTopics()).filter((topic) => topic.startsWith(`${namespace}.`));
        if (topics.length > 0) await admin.deleteTopics({ topics, timeout: 30_000 });
      } catch (error) {
        log(`  cleanup: topics not deleted: ${String(error)}`);
      }
      await admin.disconnect().catch(() => undefined);
    }
  }

  private report(result: RunResult, differences: Difference[]): void {
    appendFileSync(join(this.outDir, 'results.jsonl'), `${JSON.stringify(result)}\n`);
    const verdict = result.passed ? 'PASS' : 'FAIL';
    log(
      `${verdict} ${result.scenario} run ${result.run}: exact ${result.exact ? 'yes' : 'no'}, ` +
        `dead letters ${result.deadLetters}, ${result.events} events, ${result.durationSeconds} s ${JSON.stringify(result.phases)}` +
        (result.error === undefined ? '' : ` — ${result.error}`),
    );
    if (differences.length > 0) process.stderr.write(`${formatTable(differences, 40)}\n`);
  }
}

async function main(argv: string[]): Promise<number> {
  let options: FaultOptions;
  let scenarios: Scenario[];
  try {
    options = parseOptions(argv);
    scenarios = selectScenarios(options.scenarios);
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  }
  if (options.list) {
    for (const scenario of SCENARIOS) process.stdout.write(`${scenario.name.padEnd(16)} ${scenario.title}\n`);
    return 0;
  }
  const repoRoot = findRepoRoot();
  for (const service of SERVICE_NAMES) {
    if (!existsSync(join(repoRoot, `dist/apps/${service}/src/main.js`))) {
      process.stderr.write(`dist/apps/${service}/src/main.js is missing: run 'npm run build' first\n`);
      return 2;
    }
  }
  const runner = new Runner(options, repoRoot);
  let interrupted = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) return;
    interrupted = true;
    log(`${signal}: stopping the services and the infrastructure`);
    void runner.shutdown().finally(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const started = Date.now();
  const results: RunResult[] = [];
  try {
    for (const scenario of scenarios) {
      for (let run = 1; run <= options.runs; run++) results.push(await runner.run(scenario, run));
    }
  } finally {
    await runner.shutdown();
  }
  const seconds = Math.round((Date.now() - started) / 1000);
  const failed = results.filter((result) => !result.passed);
  writeFileSync(
    resolve(repoRoot, '.local/faults/last-run.json'),
    `${JSON.stringify({ options, seconds, passed: failed.length === 0, results }, null, 2)}\n`,
  );
  process.stderr.write('\nscenario          run  dossiers  events  seconds  exact  dead letters  result\n');
  for (const r of results) {
    process.stderr.write(
      `${r.scenario.padEnd(16)} ${String(r.run).padStart(4)} ${String(r.dossiers).padStart(9)} ${String(r.events).padStart(7)} ` +
        `${String(r.durationSeconds).padStart(8)}  ${(r.exact ? 'yes' : 'no').padEnd(5)}  ${String(r.deadLetters).padStart(12)}  ` +
        `${r.passed ? 'PASS' : 'FAIL'}\n`,
    );
  }
  process.stderr.write(
    `fault tests: ${results.length - failed.length} passed, ${failed.length} failed in ${seconds} s ` +
      `(results in .local/faults/results.jsonl and .local/faults/last-run.json)\n`,
  );
  return failed.length === 0 ? 0 : 1;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`faults: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(error instanceof UsageError ? 2 : 1);
    },
  );
}

export { USAGE };
