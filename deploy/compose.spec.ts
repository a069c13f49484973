import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';
import { loadConfig, SERVICE_PORTS, type ServiceName } from '../libs/config/src/config';

/**
 * docker-compose.yml and deploy/Dockerfile, read as text: nothing here needs Docker. What would
 * only show at `docker compose up` (a wrong port, a missing admin key, an app starting before its
 * infrastructure, a Dockerfile entry that does not exist) fails here instead.
 */

const ROOT = join(__dirname, '..');

/** docs/api.md §1. */
const CONTRACT_PORTS: Record<ServiceName, number> = {
  intake: 3001,
  'dossier-tracking': 3002,
  'on-time-rate': 3003,
  reporting: 3004,
};
const APPS = Object.keys(CONTRACT_PORTS) as ServiceName[];
const INFRASTRUCTURE = ['kafka', 'mongo', 'redis'] as const;

type Scalar = string | number | boolean | null;

interface ComposeService {
  image?: string;
  hostname?: string;
  build?: string | { context?: string; dockerfile?: string; args?: Record<string, Scalar> | string[] };
  command?: string | string[];
  environment?: Record<string, Scalar> | string[];
  depends_on?: string[] | Record<string, { condition?: string }>;
  ports?: (string | number | { target: number; published?: string | number })[];
  volumes?: (string | { type?: string; source?: string; target: string })[];
  healthcheck?: { test?: string | string[]; disable?: boolean };
  stop_grace_period?: string;
}

interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

const compose = parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8')) as ComposeFile;

function service(name: string): ComposeService {
  const found = compose.services[name];
  if (found === undefined) throw new Error(`docker-compose.yml has no service "${name}"`);
  return found;
}

/** `KEY: value` maps and `KEY=value` lists alike, values as the container sees them. */
function keyValues(entries: Record<string, Scalar> | string[] | undefined): Record<string, string> {
  if (entries === undefined) return {};
  if (Array.isArray(entries)) {
    return Object.fromEntries(
      entries.map((entry) => {
        const at = entry.indexOf('=');
        return at < 0 ? [entry, ''] : [entry.slice(0, at), entry.slice(at + 1)];
      }),
    );
  }
  return Object.fromEntries(Object.entries(entries).map(([key, value]) => [key, value === null ? '' : String(value)]));
}

const environmentOf = (name: string) => keyValues(service(name).environment);

function commandOf(name: string): string[] {
  const command = service(name).command;
  if (command === undefined) return [];
  return Array.isArray(command) ? command : command.split(/\s+/).filter((part) => part.length > 0);
}

/** Published host port → container port. */
function publishedPorts(name: string): Map<number, number> {
  const result = new Map<number, number>();
  for (const entry of service(name).ports ?? []) {
    if (typeof entry === 'object') {
      if (entry.published !== undefined) result.set(Number(entry.published), Number(entry.target));
      continue;
    }
    const parts = String(entry)
      .replace(/\/(tcp|udp)$/, '')
      .split(':');
    if (parts.length < 2) continue; // container port only: published on a random host port
    result.set(Number(parts[parts.length - 2]), Number(parts[parts.length - 1]));
  }
  return result;
}

function dependencies(name: string): Record<string, string> {
  const dependsOn = service(name).depends_on;
  if (dependsOn === undefined) return {};
  if (Array.isArray(dependsOn)) return Object.fromEntries(dependsOn.map((dep) => [dep, 'service_started']));
  return Object.fromEntries(
    Object.entries(dependsOn).map(([dep, options]) => [dep, options.condition ?? 'service_started']),
  );
}

/** Compose durations such as `40s`, `1m30s`, `500ms`, in milliseconds. */
function durationMs(text: string | undefined): number {
  if (text === undefined) return 10_000; // compose's default stop grace period
  const units: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1, us: 0.001 };
  let total = 0;
  const rest = text.replace(/(\d+(?:\.\d+)?)(h|ms|us|m|s)/g, (_, value: string, unit: string) => {
    total += Number(value) * (units[unit] ?? NaN);
    return '';
  });
  if (rest.length > 0 || Number.isNaN(total)) throw new Error(`not a duration: ${text}`);
  return total;
}

function healthcheckText(name: string): string {
  const test = service(name).healthcheck?.test;
  if (test === undefined) return '';
  return Array.isArray(test) ? test.join(' ') : test;
}

/** A volume mount's source when it is a named volume declared at the top level. */
function namedVolumeAt(name: string, target: string): string | undefined {
  for (const mount of service(name).volumes ?? []) {
    const [source, mountTarget] =
      typeof mount === 'string' ? mount.split(':') : [mount.type === 'bind' ? undefined : mount.source, mount.target];
    if (mountTarget === target && source !== undefined && Object.hasOwn(compose.volumes ?? {}, source)) return source;
  }
  return undefined;
}

/** `host:port` of a URL or broker address. */
function hostAndPort(address: string): { host: string; port: number } {
  const url = new URL(address.includes('://') ? address : `tcp://${address}`);
  return { host: url.hostname, port: Number(url.port) };
}

describe('docs/api.md §1 ports', () => {
  it('are the ports the services default to (libs/config)', () => {
    expect(SERVICE_PORTS).toEqual(CONTRACT_PORTS);
  });
});

describe('docker-compose.yml: infrastructure', () => {
  it('runs exactly the infrastructure and the four services', () => {
    expect(Object.keys(compose.services).sort()).toEqual([...INFRASTRUCTURE, ...APPS].sort());
  });

  it('uses the real images: apache/kafka 3.9.x, mongo 7, redis 7', () => {
    expect(service('kafka').image).toMatch(/^apache\/kafka:3\.9\.\d+$/);
    expect(service('mongo').image).toMatch(/^mongo:7(\.\d+){0,2}$/);
    expect(service('redis').image).toMatch(/^redis:7(\.\d+){0,2}(-[a-z0-9]+)?$/);
    for (const name of INFRASTRUCTURE) expect(service(name).build).toBeUndefined();
  });

  it('runs Kafka as one KRaft broker+controller with topic auto-creation off', () => {
    const env = environmentOf('kafka');
    const nodeId = env.KAFKA_NODE_ID;
    expect(nodeId).toMatch(/^\d+$/);
    expect(new Set((env.KAFKA_PROCESS_ROLES ?? '').split(','))).toEqual(new Set(['broker', 'controller']));
    expect((env.KAFKA_LISTENERS ?? '').split(',').sort()).toEqual(['CONTROLLER://:9093', 'PLAINTEXT://:9092']);
    expect(env.KAFKA_ADVERTISED_LISTENERS).toBe('PLAINTEXT://kafka:9092');
    expect(env.KAFKA_CONTROLLER_LISTENER_NAMES).toBe('CONTROLLER');
    expect(env.KAFKA_LISTENER_SECURITY_PROTOCOL_MAP?.split(',').sort()).toEqual([
      'CONTROLLER:PLAINTEXT',
      'PLAINTEXT:PLAINTEXT',
    ]);
    // The only voter is this node, on its controller listener, under a name the node resolves.
    expect(env.KAFKA_CONTROLLER_QUORUM_VOTERS).toBe(`${nodeId}@kafka:9093`);
    expect(env.CLUSTER_ID).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(env.KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR).toBe('1');
    expect(env.KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR).toBe('1');
    expect(env.KAFKA_AUTO_CREATE_TOPICS_ENABLE).toBe('false');
    expect(env.KAFKA_LOG_DIRS).toBeDefined();
    expect(namedVolumeAt('kafka', env.KAFKA_LOG_DIRS ?? '')).toBeDefined();
  });

  it('runs Redis with maxmemory-policy noeviction (BullMQ) and an append-only file', () => {
    const command = commandOf('redis');
    expect(command[0]).toBe('redis-server');
    expect(command[command.indexOf('--maxmemory-policy') + 1]).toBe('noeviction');
    expect(command[command.indexOf('--appendonly') + 1]).toBe('yes');
    expect(command.filter((part) => part === '--maxmemory-policy')).toHaveLength(1);
  });

  it('keeps MongoDB and Redis data in named volumes', () => {
    expect(namedVolumeAt('mongo', '/data/db')).toBeDefined();
    expect(namedVolumeAt('redis', '/data')).toBeDefined();
  });

  it.each(INFRASTRUCTURE)('%s has a healthcheck', (name) => {
    expect(service(name).healthcheck?.disable).not.toBe(true);
    expect(healthcheckText(name)).toMatch(/^CMD(-SHELL)? \S/);
  });
});

describe.each(APPS)('docker-compose.yml: %s', (app) => {
  const port = CONTRACT_PORTS[app];

  it('is built from deploy/Dockerfile with its APP and PORT build arguments', () => {
    const build = service(app).build;
    if (build === undefined || typeof build === 'string') throw new Error(`${app} needs a build section`);
    expect(join(ROOT, build.context ?? '.')).toBe(ROOT);
    expect(build.dockerfile).toBe('deploy/Dockerfile');
    const args = keyValues(build.args);
    expect(args.APP).toBe(app);
    expect(args.PORT).toBe(String(port));
  });

  it(`publishes its docs/api.md §1 port ${port}`, () => {
    expect(publishedPorts(app).get(port)).toBe(port);
    expect(publishedPorts(app).size).toBe(1);
  });

  it('reaches Kafka, MongoDB and Redis through their compose services', () => {
    const env = environmentOf(app);
    expect(env.KAFKA_BROKERS).toBe('kafka:9092');
    expect(env.MONGO_URL).toBe('mongodb://mongo:27017/tthc');
    expect(env.REDIS_URL).toBe('redis://redis:6379');
    // The addresses are the ones the infrastructure services really answer on.
    const advertised = hostAndPort(environmentOf('kafka').KAFKA_ADVERTISED_LISTENERS ?? '');
    for (const broker of (env.KAFKA_BROKERS ?? '').split(',')) expect(hostAndPort(broker)).toEqual(advertised);
    expect(hostAndPort(env.MONGO_URL ?? '')).toEqual({ host: 'mongo', port: 27017 });
    expect(hostAndPort(env.REDIS_URL ?? '')).toEqual({ host: 'redis', port: 6379 });
  });

  it('requires TTHC_ADMIN_KEY from the caller and runs in production', () => {
    const env = environmentOf(app);
    // `${VAR:?message}`: compose refuses to start without it; there is no default to fall back on.
    expect(env.TTHC_ADMIN_KEY).toMatch(/^\$\{TTHC_ADMIN_KEY:\?[^}]+\}$/);
    expect(env.NODE_ENV ?? 'production').toBe('production');
    const { TTHC_ADMIN_KEY: _required, ...withoutKey } = env;
    expect(() => loadConfig(app, { ...withoutKey, NODE_ENV: 'production' })).toThrow(/TTHC_ADMIN_KEY/);
  });

  it('requires TTHC_KEYS_SECRET from the caller', () => {
    const env = environmentOf(app);
    expect(env.TTHC_KEYS_SECRET).toMatch(/^\$\{TTHC_KEYS_SECRET:\?[^}]+\}$/);
    const { TTHC_KEYS_SECRET: _required, ...withoutSecret } = env;
    expect(() => loadConfig(app, { ...withoutSecret, TTHC_ADMIN_KEY: 'k'.repeat(16), NODE_ENV: 'production' })).toThrow(
      /TTHC_KEYS_SECRET/,
    );
  });

  it('has an environment the service accepts, listening on its docs/api.md §1 port', () => {
    const env = {
      NODE_ENV: 'production',
      PORT: String(port),
      ...environmentOf(app),
      TTHC_ADMIN_KEY: 'k'.repeat(16),
      TTHC_KEYS_SECRET: 's'.repeat(32),
    };
    const config = loadConfig(app, env);
    expect(config.port).toBe(port);
    expect(config.nodeEnv).toBe('production');
  });

  it('starts only once Kafka, MongoDB and Redis are healthy', () => {
    const deps = dependencies(app);
    for (const name of INFRASTRUCTURE) expect(deps[name]).toBe('service_healthy');
  });

  it('is healthy only when /health/ready answers on its own port', () => {
    const urls = [...healthcheckText(app).matchAll(/https?:\/\/(?:127\.0\.0\.1|localhost):(\d+)(\/[^'"\s)]*)/g)];
    expect(urls.map(([, urlPort, path]) => [Number(urlPort), path])).toEqual([[port, '/health/ready']]);
  });

  it('is given more than SHUTDOWN_TIMEOUT_MS to drain before it is killed', () => {
    const shutdownTimeoutMs = loadConfig(app, { ...environmentOf(app), NODE_ENV: 'test' }).shutdownTimeoutMs;
    expect(durationMs(service(app).stop_grace_period)).toBeGreaterThan(shutdownTimeoutMs);
  });
});

// ------------------------------------------------------------------------------------ Dockerfile

interface Instruction {
  keyword: string;
  args: string;
}

/** Instructions of a Dockerfile: comments dropped, `\` continuations joined. */
function instructions(text: string): Instruction[] {
  const lines = text.split('\n').filter((line) => !/^\s*#/.test(line));
  const joined = lines.join('\n').replace(/\\\n/g, '');
  return joined
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length > 0)
    .map((line) => {
      const keyword = line.split(/\s+/)[0] ?? '';
      return { keyword: keyword.toUpperCase(), args: line.slice(keyword.length).trim() };
    });
}

interface Stage {
  from: string;
  name: string | undefined;
  steps: Instruction[];
}

function stages(all: Instruction[]): Stage[] {
  const result: Stage[] = [];
  for (const step of all) {
    if (step.keyword === 'FROM') {
      const [from = '', as, name] = step.args.split(/\s+/);
      result.push({ from, name: as?.toUpperCase() === 'AS' ? name : undefined, steps: [] });
    } else {
      result.at(-1)?.steps.push(step);
    }
  }
  return result;
}

const dockerfile = instructions(readFileSync(join(ROOT, 'deploy/Dockerfile'), 'utf8'));
const dockerStages = stages(dockerfile);
const runtime = dockerStages.at(-1) as Stage;
const argsOf = (stage: Stage, keyword: string) =>
  stage.steps.filter((step) => step.keyword === keyword).map((step) => step.args);
const runs = (stage: Stage) => argsOf(stage, 'RUN').join('\n');

/** `KEY=value` pairs of a stage's ENV instructions. */
function envOfStage(stage: Stage): Record<string, string> {
  const env: Record<string, string> = {};
  for (const args of argsOf(stage, 'ENV')) {
    for (const match of args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|\S*)/g)) {
      env[match[1] as string] = (match[2] as string).replace(/^"|"$/g, '');
    }
  }
  return env;
}

/** The stage a `COPY --from=<stage> <source> …` of the runtime stage takes `source` from. */
function copiedFrom(source: string): Stage | undefined {
  for (const args of argsOf(runtime, 'COPY')) {
    const match = /--from=(\S+)\s+(\S+)/.exec(args);
    if (match?.[2] === source) return dockerStages.find((stage) => stage.name === match[1]);
  }
  return undefined;
}

describe('deploy/Dockerfile', () => {
  it('starts from Node 22, a supported LTS line (Node 20 reached its end of life in April 2026)', () => {
    const nodeImage = /^NODE_IMAGE=(\S+)$/.exec(dockerfile.find((step) => step.keyword === 'ARG')?.args ?? '')?.[1];
    for (const stage of dockerStages) expect(stage.from.replace('${NODE_IMAGE}', nodeImage ?? '')).toMatch(/^node:22-/);
  });

  it('labels the image with the OCI annotations', () => {
    const labels = argsOf(runtime, 'LABEL').join(' ');
    for (const key of ['title', 'description', 'version', 'revision', 'licenses', 'base.name']) {
      expect(labels).toContain(`org.opencontainers.image.${key}=`);
    }
  });

  it('builds with npm ci + npm run build and ships dist with production dependencies only', () => {
    const build = copiedFrom('/app/dist');
    expect(build).toBeDefined();
    expect(runs(build as Stage)).toMatch(/\bnpm ci\b/);
    expect(runs(build as Stage)).toMatch(/\bnpm run build\b/);
    const deps = copiedFrom('/app/node_modules');
    expect(deps).toBeDefined();
    expect(runs(deps as Stage)).toMatch(/\bnpm ci --omit=dev\b/);
    // The runtime stage installs nothing itself.
    expect(runs(runtime)).not.toMatch(/\bnpm (ci|install)\b/);
  });

  it('runs in production as a non-root user', () => {
    expect(envOfStage(runtime).NODE_ENV).toBe('production');
    const user = argsOf(runtime, 'USER').at(-1);
    expect(user).toBeDefined();
    expect(user).not.toMatch(/^(root|0)(:|$)/);
    // Numeric (Kubernetes checks runAsNonRoot against it) and the user deploy/k8s runs as.
    expect(user).toBe('10001:10001');
  });

  it('selects the entry file with ARG APP, and each APP names an app with a main.ts', () => {
    expect(argsOf(runtime, 'ARG')).toEqual(expect.arrayContaining(['APP', 'PORT']));
    expect(envOfStage(runtime).APP).toBe('${APP}');
    const cmd = argsOf(runtime, 'CMD').at(-1) ?? '';
    const entry = /(dist\/apps\/\$\{APP\}\/src\/main)\.js/.exec(cmd)?.[1];
    expect(entry).toBeDefined();
    const nestProjects = (
      JSON.parse(readFileSync(join(ROOT, 'nest-cli.json'), 'utf8')) as {
        projects: Record<string, { entryFile?: string }>;
      }
    ).projects;
    for (const app of APPS) {
      const source = (entry as string).replace(/^dist\//, '').replace('${APP}', app);
      expect(existsSync(join(ROOT, `${source}.ts`))).toBe(true);
      expect(nestProjects[app]?.entryFile).toBe(source);
    }
    // `exec`: node is PID 1 and receives SIGTERM itself.
    expect(cmd).toMatch(/exec node /);
  });

  it('exposes PORT and checks /health/live with node (no curl in slim images)', () => {
    expect(argsOf(runtime, 'EXPOSE')).toEqual(['${PORT}']);
    expect(envOfStage(runtime).PORT).toBe('${PORT}');
    const healthcheck = argsOf(runtime, 'HEALTHCHECK').at(-1) ?? '';
    expect(healthcheck).toMatch(/CMD \["node",/);
    expect(healthcheck).toContain('/health/live');
    expect(healthcheck).toContain('process.env.PORT');
  });

  describe('the build-time check of APP and PORT', () => {
    const script = /^node -e '([\s\S]*)'$/.exec(
      runs(runtime)
        .split('\n')
        .find((run) => run.startsWith('node -e')) ?? '',
    );
    let dir: string;

    beforeAll(() => {
      // A stand-in for the build stage's dist: the real port table, an entry file per app.
      dir = mkdtempSync(join(tmpdir(), 'tthc-dockerfile-'));
      const config = join(dir, 'dist/libs/config/src/config.js');
      mkdirSync(dirname(config), { recursive: true });
      writeFileSync(config, `exports.SERVICE_PORTS = ${JSON.stringify(SERVICE_PORTS)};\n`);
      for (const app of APPS) {
        const main = join(dir, `dist/apps/${app}/src/main.js`);
        mkdirSync(dirname(main), { recursive: true });
        writeFileSync(main, '');
      }
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    const check = (env: Record<string, string>) =>
      spawnSync(process.execPath, ['-e', script?.[1] ?? ''], { cwd: dir, env, encoding: 'utf8' });

    it('exists', () => {
      expect(script?.[1]).toContain('SERVICE_PORTS');
    });

    it.each(APPS)('accepts APP=%s with its docs/api.md §1 port', (app) => {
      expect(check({ APP: app, PORT: String(CONTRACT_PORTS[app]) }).status).toBe(0);
    });

    it.each([
      [{ APP: 'intake', PORT: '3004' }, /PORT must be 3001/],
      [{ APP: 'intake', PORT: '' }, /PORT must be 3001/],
      [{ APP: 'gateway', PORT: '3001' }, /APP must be one of/],
      [{ APP: '', PORT: '' }, /APP must be one of/],
      [{ APP: 'constructor', PORT: '3001' }, /APP must be one of/],
    ])('refuses %p', (env, message) => {
      const result = check(env);
      expect(result.status).not.toBe(0);
      expect(result.stderr).toMatch(message);
    });
  });
});

describe('.dockerignore', () => {
  it('keeps local state, build output, history and secrets out of the build context', () => {
    const patterns = readFileSync(join(ROOT, '.dockerignore'), 'utf8')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line.length > 0 && !line.startsWith('#'));
    expect(patterns).toEqual(expect.arrayContaining(['node_modules', 'dist', '.local', '.git', 'coverage', '.env']));
    // What the build needs must stay in.
    for (const needed of [
      'package.json',
      'package-lock.json',
      'tsconfig.json',
      'tsconfig.build.json',
      'apps',
      'libs',
    ]) {
      expect(patterns).not.toContain(needed);
    }
  });
});
