#!/usr/bin/env node
// Protocol-level readiness check for the local infrastructure (or external servers).
//
//   node deploy/local/ready.mjs [kafka] [mongo] [redis] [--timeout SECONDS] [--interval MS]
//                               [--watch-pid COMPONENT=PID ...]
//
// - No component names = all three.
// - Polls every component (in parallel) until all are ready or the timeout expires.
//   --timeout 0 = a single attempt.
// - Prints one line per component: "<name>: ready ..." or "<name>: NOT READY ...".
// - Exit code 0 when all are ready, 1 otherwise, 2 on bad usage.
// - --watch-pid kafka=1234: give up on that component as soon as process 1234 is gone
//   (used by infra.sh so a crashed process fails fast instead of waiting for the timeout).
//
// Addresses come from the same environment variables the services use:
//   KAFKA_BROKERS (default 127.0.0.1:9092, comma-separated list allowed)
//   MONGO_URL     (default mongodb://127.0.0.1:27017/tthc)
//   REDIS_URL     (default redis://127.0.0.1:6379)
//
// Readiness means:
//   kafka: an admin client connects, describeCluster returns at least one broker (at least
//          KAFKA_EXPECTED_BROKERS when set) and the topic list (metadata request) can be fetched.
//   mongo: db.command({ ping: 1 }) succeeds with the mongodb driver.
//   redis: PING answers PONG (ioredis).

const DEFAULTS = {
  kafka: '127.0.0.1:9092',
  mongo: 'mongodb://127.0.0.1:27017/tthc',
  redis: 'redis://127.0.0.1:6379',
};
const ALL = ['kafka', 'mongo', 'redis'];

function usage(msg) {
  if (msg) console.error(`ready.mjs: ${msg}`);
  console.error(
    'usage: node deploy/local/ready.mjs [kafka] [mongo] [redis] [--timeout SECONDS] [--interval MS] [--watch-pid NAME=PID]',
  );
  process.exit(2);
}

const components = [];
let timeoutSec = 60;
let intervalMs = 500;
const watchPids = {};
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  const value = () => {
    if (a.includes('=') && a.startsWith('--')) return a.slice(a.indexOf('=') + 1);
    if (i + 1 >= argv.length) usage(`${a} needs a value`);
    return argv[++i];
  };
  if (a === '--timeout' || a.startsWith('--timeout=')) {
    timeoutSec = Number(value());
    if (!Number.isFinite(timeoutSec) || timeoutSec < 0) usage('--timeout must be a number of seconds >= 0');
  } else if (a === '--interval' || a.startsWith('--interval=')) {
    intervalMs = Number(value());
    if (!Number.isFinite(intervalMs) || intervalMs < 50) usage('--interval must be >= 50 (ms)');
  } else if (a === '--watch-pid' || a.startsWith('--watch-pid=')) {
    const [name, pid] = value().split('=');
    if (!ALL.includes(name) || !/^\d+$/.test(pid || '')) usage(`bad --watch-pid value (want NAME=PID)`);
    watchPids[name] = Number(pid);
  } else if (a === '-h' || a === '--help') {
    usage();
  } else if (ALL.includes(a)) {
    if (!components.includes(a)) components.push(a);
  } else {
    usage(`unknown argument: ${a}`);
  }
}
if (components.length === 0) components.push(...ALL);

const env = (name, def) => (process.env[name] && process.env[name].trim() ? process.env[name].trim() : def);
const addresses = {
  kafka: env('KAFKA_BROKERS', DEFAULTS.kafka),
  mongo: env('MONGO_URL', DEFAULTS.mongo),
  redis: env('REDIS_URL', DEFAULTS.redis),
};

/** Hide credentials in URLs before printing them. */
function redact(url) {
  return url.replace(/\/\/([^/@]*)@/, '//***@');
}

function errText(e) {
  if (!e) return 'unknown error';
  const msg = e.message || String(e);
  const cause = e.cause && e.cause.message && !msg.includes(e.cause.message) ? ` (${e.cause.message})` : '';
  return `${msg}${cause}`.split('\n')[0];
}

function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

function processAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e.code === 'EPERM';
  }
}

// ---------------------------------------------------------------- probes
// Each probe makes one attempt with short network timeouts and returns a detail string.

async function probeKafka() {
  const { Kafka, logLevel } = (await import('kafkajs')).default ?? (await import('kafkajs'));
  const brokers = addresses.kafka
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const kafka = new Kafka({
    clientId: 'tthc-infra-ready',
    brokers,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1000,
    requestTimeout: 3000,
    retry: { retries: 0 },
  });
  const admin = kafka.admin({ retry: { retries: 0 } });
  try {
    await withTimeout(admin.connect(), 4000, 'kafka connect');
    const cluster = await withTimeout(admin.describeCluster(), 4000, 'kafka describeCluster');
    if (!cluster.brokers || cluster.brokers.length === 0) throw new Error('no broker in cluster metadata');
    // KAFKA_EXPECTED_BROKERS (set by infra.sh for a local cluster): every broker must be registered.
    const expected = Number(process.env.KAFKA_EXPECTED_BROKERS || 1);
    if (cluster.brokers.length < expected) {
      throw new Error(`${cluster.brokers.length} of ${expected} brokers registered`);
    }
    const topics = await withTimeout(admin.listTopics(), 4000, 'kafka listTopics');
    const userTopics = topics.filter((t) => !t.startsWith('__'));
    return `${brokers.join(',')}, ${cluster.brokers.length} broker(s), controller ${cluster.controller}, ${userTopics.length} topic(s)`;
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

async function probeMongo() {
  const mod = await import('mongodb');
  const MongoClient = mod.MongoClient ?? mod.default.MongoClient;
  const client = new MongoClient(addresses.mongo, {
    serverSelectionTimeoutMS: 1500,
    connectTimeoutMS: 1500,
    socketTimeoutMS: 3000,
    maxPoolSize: 1,
    monitorCommands: false,
  });
  try {
    await withTimeout(client.connect(), 4000, 'mongo connect');
    const db = client.db();
    const res = await withTimeout(db.command({ ping: 1 }), 4000, 'mongo ping');
    if (!res || res.ok !== 1) throw new Error(`ping answered ${JSON.stringify(res)}`);
    let version = '';
    try {
      const info = await withTimeout(client.db('admin').command({ buildInfo: 1 }), 2000, 'mongo buildInfo');
      version = `, server ${info.version}`;
    } catch {
      // buildInfo is optional for readiness
    }
    return `${redact(addresses.mongo)}${version}`;
  } finally {
    await client.close(true).catch(() => {});
  }
}

async function probeRedis() {
  const mod = await import('ioredis');
  const Redis = mod.default ?? mod.Redis;
  const client = new Redis(addresses.redis, {
    lazyConnect: true,
    connectTimeout: 1000,
    commandTimeout: 2000,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
    reconnectOnError: () => false,
  });
  client.on('error', () => {}); // errors surface through the awaited calls
  try {
    await withTimeout(client.connect(), 3000, 'redis connect');
    const pong = await withTimeout(client.ping(), 3000, 'redis PING');
    if (pong !== 'PONG') throw new Error(`PING answered ${pong}`);
    return redact(addresses.redis);
  } finally {
    client.disconnect();
  }
}

const probes = { kafka: probeKafka, mongo: probeMongo, redis: probeRedis };

// ---------------------------------------------------------------- polling

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const started = Date.now();
const deadline = started + timeoutSec * 1000;

async function waitFor(name) {
  let lastError = 'no attempt made';
  let attempts = 0;
  for (;;) {
    attempts++;
    try {
      const detail = await probes[name]();
      return {
        name,
        ok: true,
        line: `${name}: ready (${detail}) after ${((Date.now() - started) / 1000).toFixed(1)}s`,
      };
    } catch (e) {
      lastError = errText(e);
      if (/Cannot find (package|module)/.test(lastError)) {
        return { name, ok: false, line: `${name}: NOT READY: ${lastError} (run npm install in the repository first)` };
      }
    }
    if (watchPids[name] && !processAlive(watchPids[name])) {
      return {
        name,
        ok: false,
        line: `${name}: NOT READY: process ${watchPids[name]} exited (last error: ${lastError})`,
      };
    }
    if (Date.now() + intervalMs > deadline) {
      const where = name === 'kafka' ? addresses.kafka : redact(addresses[name]);
      return {
        name,
        ok: false,
        line: `${name}: NOT READY at ${where} after ${((Date.now() - started) / 1000).toFixed(1)}s (${attempts} attempt(s)); last error: ${lastError}`,
      };
    }
    await sleep(intervalMs);
  }
}

const results = await Promise.all(components.map((c) => waitFor(c)));
for (const r of results) console.log(r.line);
process.exit(results.every((r) => r.ok) ? 0 : 1);
