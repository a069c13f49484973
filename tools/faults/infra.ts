/**
 * The fault harness's own infrastructure on non-default loopback ports: one Kafka broker or a
 * 3-broker KRaft cluster, the MongoDB stand-in (test mode, in memory) and a redis-server without
 * persistence — the same programs and JVM flags as deploy/local/infra.sh, from the jars and
 * classes that script caches in .local/cache (run it once to fill the cache). The shared servers
 * on 9092 / 27017 / 6379 are never touched: every process here is started, signalled and stopped
 * by its own pid.
 *
 * MongoDB and Redis are reached through a {@link FaultProxy} so that an outage can be staged
 * without losing their in-memory data; Kafka brokers are killed and restarted for real (their
 * logs are on disk in the state directory).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FaultProxy } from './proxy';
import { exitOf, signalProcess, sleep, type Logger } from './process';

export interface InfraPorts {
  /** First broker's client port; broker i (0-based) listens on kafka + i, its controller on kafka + 100 + i. */
  kafka: number;
  /** The stand-in's own port; the services use `mongoProxy`. */
  mongo: number;
  mongoProxy: number;
  redis: number;
  redisProxy: number;
}

export const DEFAULT_INFRA_PORTS: InfraPorts = {
  kafka: 19092,
  mongo: 27117,
  mongoProxy: 27118,
  redis: 16479,
  redisProxy: 16480,
};

export interface InfraOptions {
  repoRoot: string;
  /** jars and classes of deploy/local/infra.sh (kafka-libs, mongo-classes, mongo-libs). */
  cacheDir: string;
  /** Wiped on start: broker logs, process logs. */
  stateDir: string;
  ports: InfraPorts;
  log: Logger;
}

interface Managed {
  name: string;
  child?: ChildProcess;
  launch: () => ChildProcess;
}

export class FaultInfra {
  private brokers: Managed[] = [];
  private mongo: Managed | undefined;
  private redis: Managed | undefined;
  readonly mongoProxy: FaultProxy;
  readonly redisProxy: FaultProxy;

  constructor(private readonly options: InfraOptions) {
    this.mongoProxy = new FaultProxy(options.ports.mongoProxy, options.ports.mongo);
    this.redisProxy = new FaultProxy(options.ports.redisProxy, options.ports.redis);
  }

  get brokerCount(): number {
    return this.brokers.length;
  }

  get kafkaBrokers(): string {
    return this.brokers.map((_, index) => `127.0.0.1:${this.options.ports.kafka + index}`).join(',');
  }

  /** The MongoDB URL of a database, through the proxy. */
  mongoUrl(database: string): string {
    return `mongodb://127.0.0.1:${this.options.ports.mongoProxy}/${database}`;
  }

  get redisUrl(): string {
    return `redis://127.0.0.1:${this.options.ports.redisProxy}`;
  }

  private get logDir(): string {
    return join(this.options.stateDir, 'logs');
  }

  /** Checks the cache and starts the stand-in, Redis and `brokers` Kafka brokers; waits until all answer. */
  async start(brokers: number): Promise<void> {
    const { cacheDir, stateDir } = this.options;
    for (const needed of ['kafka-libs', 'mongo-libs', 'mongo-classes/MongoStandIn.class']) {
      if (!existsSync(join(cacheDir, needed))) {
        throw new Error(
          `${join(cacheDir, needed)} is missing: run 'bash deploy/local/infra.sh start' once (it downloads the ` +
            `Kafka and stand-in jars and compiles the stand-in into .local/cache), or set FAULTS_CACHE_DIR`,
        );
      }
    }
    rmSync(stateDir, { recursive: true, force: true });
    mkdirSync(this.logDir, { recursive: true });
    this.mongo = { name: 'mongo', launch: () => this.launchMongo() };
    this.redis = { name: 'redis', launch: () => this.launchRedis() };
    this.mongo.child = this.mongo.launch();
    this.redis.child = this.redis.launch();
    await this.startKafka(brokers);
    await this.mongoProxy.up();
    await this.redisProxy.up();
    await this.waitReady(['mongo', 'redis']);
  }

  /** Replaces the running Kafka (if any) by a fresh one of `count` brokers (empty logs). */
  async startKafka(count: number): Promise<void> {
    await this.stopKafka();
    const started = Date.now();
    const clusterId = randomBytes(16).toString('base64url');
    const configs = Array.from({ length: count }, (_, index) => this.writeBrokerConfig(index, count));
    await Promise.all(configs.map((config, index) => this.formatStorage(config, clusterId, index)));
    this.brokers = configs.map((config, index) => ({
      name: `kafka-${index + 1}`,
      launch: () => this.launchBroker(config, index),
    }));
    for (const broker of this.brokers) broker.child = broker.launch();
    await this.waitReady(['kafka']);
    this.options.log(`infra: ${count} Kafka broker(s) on ${this.kafkaBrokers} ready in ${seconds(started)} s`);
  }

  async stopKafka(): Promise<void> {
    await Promise.all(this.brokers.map((broker) => stopManaged(broker)));
    this.brokers = [];
  }

  /** SIGKILL of broker `index` (0-based). */
  killBroker(index: number): void {
    const broker = this.brokers[index];
    if (broker?.child?.pid === undefined) throw new Error(`no Kafka broker ${index}`);
    signalProcess(broker.child, 'SIGKILL');
  }

  /** Starts broker `index` again on its own logs; resolves when the cluster answers. */
  async restartBroker(index: number): Promise<void> {
    const broker = this.brokers[index];
    if (broker === undefined) throw new Error(`no Kafka broker ${index}`);
    if (broker.child !== undefined) await exitOf(broker.child, 60_000);
    broker.child = broker.launch();
    await this.waitReady(['kafka']);
  }

  /** Every infrastructure process still running (a crashed one is reported, not hidden). */
  dead(): string[] {
    return [...this.brokers, this.mongo, this.redis]
      .filter((item): item is Managed => item !== undefined)
      .filter((item) => item.child === undefined || item.child.exitCode !== null || item.child.signalCode !== null)
      .map((item) => item.name);
  }

  async stop(): Promise<void> {
    await this.mongoProxy.down();
    await this.redisProxy.down();
    await this.stopKafka();
    for (const item of [this.mongo, this.redis]) if (item !== undefined) await stopManaged(item);
  }

  // ---------------------------------------------------------------------------------------------

  private logFile(name: string): number {
    return openSync(join(this.logDir, `${name}.log`), 'a');
  }

  private spawnLogged(name: string, command: string, args: string[]): ChildProcess {
    const out = this.logFile(name);
    const child = spawn(command, args, { stdio: ['ignore', out, out], cwd: this.options.repoRoot });
    child.on('error', (error) => this.options.log(`infra: ${name} could not start: ${error.message}`));
    return child;
  }

  private launchMongo(): ChildProcess {
    const { cacheDir, ports } = this.options;
    return this.spawnLogged('mongo', 'java', [
      '-Xmx2g',
      '-XX:+UseParallelGC',
      '-Dtthc.infra.component=faults-mongo',
      '-Djava.awt.headless=true',
      '-cp',
      `${join(cacheDir, 'mongo-classes')}:${join(cacheDir, 'mongo-libs', '*')}`,
      'MongoStandIn',
      '--mode',
      'test',
      '--host',
      '127.0.0.1',
      '--port',
      String(ports.mongo),
    ]);
  }

  private launchRedis(): ChildProcess {
    const dir = join(this.options.stateDir, 'redis');
    mkdirSync(dir, { recursive: true });
    return this.spawnLogged('redis', 'redis-server', [
      '--bind',
      '127.0.0.1',
      '--port',
      String(this.options.ports.redis),
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      dir,
      '--maxmemory-policy',
      'noeviction',
    ]);
  }

  private writeBrokerConfig(index: number, count: number): string {
    const { ports, stateDir } = this.options;
    const node = index + 1;
    const voters = Array.from({ length: count }, (_, i) => `${i + 1}@127.0.0.1:${ports.kafka + 100 + i}`).join(',');
    const replication = Math.min(3, count);
    const dataDir = join(stateDir, `kafka-${node}`);
    rmSync(dataDir, { recursive: true, force: true }); // a new cluster: no log of a previous one
    mkdirSync(dataDir, { recursive: true });
    const file = join(stateDir, `kafka-${node}.properties`);
    writeFileSync(
      file,
      [
        '# Written by tools/faults (the fault harness); mirrors deploy/local/infra.sh',
        'process.roles=broker,controller',
        `node.id=${node}`,
        `controller.quorum.voters=${voters}`,
        `listeners=PLAINTEXT://127.0.0.1:${ports.kafka + index},CONTROLLER://127.0.0.1:${ports.kafka + 100 + index}`,
        `advertised.listeners=PLAINTEXT://127.0.0.1:${ports.kafka + index}`,
        'controller.listener.names=CONTROLLER',
        'inter.broker.listener.name=PLAINTEXT',
        'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
        `log.dirs=${dataDir}`,
        'num.partitions=1',
        `default.replication.factor=${replication}`,
        `offsets.topic.replication.factor=${replication}`,
        'offsets.topic.num.partitions=1',
        `transaction.state.log.replication.factor=${replication}`,
        `transaction.state.log.min.isr=${Math.min(2, replication)}`,
        'transaction.state.log.num.partitions=1',
        `min.insync.replicas=${Math.min(2, replication)}`,
        'group.initial.rebalance.delay.ms=0',
        'auto.create.topics.enable=false',
        'delete.topic.enable=true',
        'num.network.threads=2',
        'num.io.threads=2',
        'num.recovery.threads.per.data.dir=1',
        'log.segment.bytes=104857600',
        '',
      ].join('\n'),
    );
    return file;
  }

  private kafkaJava(name: string): string[] {
    const { cacheDir, repoRoot } = this.options;
    return [
      `-Dlog4j.configuration=file:${join(repoRoot, 'deploy/local/kafka/log4j.properties')}`,
      `-Dtthc.kafka.log.file=${join(this.logDir, `${name}.log`)}`,
      `-Dkafka.logs.dir=${this.logDir}`,
      '-cp',
      join(cacheDir, 'kafka-libs', '*'),
    ];
  }

  private async formatStorage(config: string, clusterId: string, index: number): Promise<void> {
    const child = this.spawnLogged(`kafka-${index + 1}-format`, 'java', [
      '-Xmx256m',
      ...this.kafkaJava(`kafka-${index + 1}-format`),
      'kafka.tools.StorageTool',
      'format',
      '-t',
      clusterId,
      '-c',
      config,
      '--ignore-formatted',
    ]);
    const code = await exitOf(child, 120_000);
    if (code !== 0) throw new Error(`formatting Kafka storage ${index + 1} failed (see ${this.logDir})`);
  }

  private launchBroker(config: string, index: number): ChildProcess {
    const name = `kafka-${index + 1}`;
    return this.spawnLogged(`${name}-stdout`, 'java', [
      '-Xms128m',
      '-Xmx512m',
      `-Dtthc.infra.component=faults-${name}`,
      '-server',
      '-XX:+UseG1GC',
      '-XX:MaxGCPauseMillis=20',
      '-XX:+ExplicitGCInvokesConcurrent',
      '-Djava.awt.headless=true',
      ...this.kafkaJava(name),
      'kafka.Kafka',
      config,
    ]);
  }

  /** deploy/local/ready.mjs against our addresses (the stand-in and Redis directly, not the proxies). */
  private async waitReady(components: Array<'kafka' | 'mongo' | 'redis'>): Promise<void> {
    const { ports, repoRoot } = this.options;
    const child = spawn(
      process.execPath,
      [join(repoRoot, 'deploy/local/ready.mjs'), ...components, '--timeout', '120'],
      {
        cwd: repoRoot,
        env: {
          ...process.env,
          KAFKA_BROKERS: this.kafkaBrokers || `127.0.0.1:${ports.kafka}`,
          MONGO_URL: `mongodb://127.0.0.1:${ports.mongo}/ready`,
          REDIS_URL: `redis://127.0.0.1:${ports.redis}`,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await exitOf(child, 150_000);
    if (code !== 0) {
      throw new Error(`infrastructure not ready (${components.join(', ')}): ${output.trim()} — logs in ${this.logDir}`);
    }
  }
}

async function stopManaged(item: Managed): Promise<void> {
  const child = item.child;
  if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
  signalProcess(child, 'SIGTERM');
  if ((await exitOf(child, 30_000)) === 'timeout') {
    signalProcess(child, 'SIGKILL');
    await exitOf(child, 10_000);
  }
}

function seconds(since: number): number {
  return Math.round((Date.now() - since) / 100) / 10;
}

export { sleep };
