import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import {
  OUTCOME_BY_POLICIES,
  RESCHEDULED_DUE_POLICIES,
  SUPPLEMENT_POLICIES,
  type CountingPolicies,
} from '@tthc/counting';

/** The four services of docs/api.md §1 with their default HTTP ports. */
export const SERVICE_PORTS = {
  intake: 3001,
  'dossier-tracking': 3002,
  'on-time-rate': 3003,
  reporting: 3004,
} as const;
export type ServiceName = keyof typeof SERVICE_PORTS;

/** Default admin key outside production only (docs/api.md §2). */
export const DEVELOPMENT_ADMIN_KEY = 'dev-admin-key';

/**
 * Default secret of the access-key record signatures outside production only (docs/security.md).
 * Anyone who knows it can sign key records: production refuses to start without its own.
 */
export const DEVELOPMENT_KEYS_SECRET = 'dev-keys-secret-not-for-production-0000';

export const KAFKA_SASL_MECHANISMS = ['scram-sha-256', 'scram-sha-512', 'plain'] as const;
export type KafkaSaslMechanism = (typeof KAFKA_SASL_MECHANISMS)[number];

const csv = z
  .string()
  .transform((s) =>
    s
      .split(',')
      .map((part) => part.trim())
      .filter((part) => part.length > 0),
  )
  .refine((list) => list.length > 0, 'must list at least one host:port');

/** 5 or 6 whitespace-separated cron fields of digits, names, `* , - / ? L W #` (BullMQ checks the rest). */
function isCronPattern(value: string): boolean {
  const fields = value.split(/\s+/);
  return (fields.length === 5 || fields.length === 6) && fields.every((field) => /^[0-9A-Za-z*,\-/?#]+$/.test(field));
}

function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

/**
 * A comma-separated list of secrets. Messages never contain the values (config errors are logged).
 */
const secretList = (minLength: number) =>
  z
    .string()
    .transform((s) =>
      s
        .split(',')
        .map((part) => part.trim())
        .filter((part) => part.length > 0),
    )
    .refine((list) => list.length > 0, 'must hold at least one value')
    .refine(
      (list) => list.every((item) => item.length >= minLength),
      `each value must be at least ${minLength} characters`,
    )
    .refine((list) => new Set(list).size === list.length, 'must not repeat a value');

const flag = z
  .enum(['true', 'false', '1', '0', ''], { message: 'must be true or false' })
  .transform((value) => value === 'true' || value === '1');

/** A file path; its content is read by loadConfig (a missing file refuses the boot). */
const filePath = z.string().trim().min(1, 'must be a file path');

/** Every environment variable the services read, validated once at boot. */
export const environmentSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).optional(),
  LOG_LEVEL: z.enum(['error', 'warn', 'log', 'debug', 'verbose']).default('log'),
  /** `json` (one JSON object per line; the default in production) or `pretty` (coloured text for a terminal). */
  LOG_FORMAT: z.enum(['json', 'pretty']).optional(),
  KAFKA_BROKERS: csv.default(['127.0.0.1:9092']),
  /** Prefix for every topic name and consumer group; lets test runs share one broker. */
  KAFKA_TOPIC_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9._-]*$/, 'only [A-Za-z0-9._-]')
    .default(''),
  KAFKA_REPLICATION_FACTOR: positiveInt(1),
  /** `min.insync.replicas` of the topics the services create (checked at boot against existing topics). */
  KAFKA_MIN_INSYNC_REPLICAS: positiveInt(1),
  KAFKA_EVENT_PARTITIONS: positiveInt(6),
  /** Attempts of a deterministic failure before the messages are tried one by one and dead-lettered (infrastructure failures are waited out, never counted). */
  KAFKA_MAX_ATTEMPTS: positiveInt(5),
  /** How long a produce may take before the request is answered 503. */
  KAFKA_PRODUCE_TIMEOUT_MS: positiveInt(10_000),
  /** intake: transactional producers per process (requests publishing at the same time). */
  KAFKA_TRANSACTIONAL_PRODUCERS: z.coerce.number().int().min(1).max(64).default(4),
  /**
   * intake: this process's part of its transactional ids; must be unique among live processes.
   * Stable across restarts of one pod (e.g. a StatefulSet pod name) = a restart fences the
   * previous process's open transactions at once; unset = `<hostname>.<random>`, and an open
   * transaction of a crashed process is aborted by the broker after KAFKA_TRANSACTION_TIMEOUT_MS.
   */
  KAFKA_TRANSACTIONAL_ID: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,100}$/, '1–100 characters of [A-Za-z0-9._-]')
    .optional(),
  /** intake: `transaction.timeout.ms` of its transactions (the broker aborts one left open longer). */
  KAFKA_TRANSACTION_TIMEOUT_MS: z.coerce.number().int().min(1000).max(900_000).default(60_000),
  MONGO_URL: z
    .string()
    .regex(/^mongodb(\+srv)?:\/\//, 'must be a mongodb:// URL')
    .default('mongodb://127.0.0.1:27017/tthc'),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must be a redis:// URL')
    .default('redis://127.0.0.1:6379'),
  /** Prefix of BullMQ keys in Redis; lets test runs share one Redis. */
  QUEUE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9._-]+$/)
    .default('tthc'),
  /** Kafka TLS: `true` connects to the brokers over TLS (system CAs, or KAFKA_SSL_CA_FILE). */
  KAFKA_SSL: flag.default(false),
  /** PEM file of the CA(s) that signed the brokers' certificates. */
  KAFKA_SSL_CA_FILE: filePath.optional(),
  /** PEM client certificate and key, for brokers that require mutual TLS. */
  KAFKA_SSL_CERT_FILE: filePath.optional(),
  KAFKA_SSL_KEY_FILE: filePath.optional(),
  /** Kafka SASL: `scram-sha-256`, `scram-sha-512` or `plain`, with username and password. */
  KAFKA_SASL_MECHANISM: z
    .enum(KAFKA_SASL_MECHANISMS, { message: 'must be scram-sha-256, scram-sha-512 or plain' })
    .optional(),
  KAFKA_SASL_USERNAME: z.string().min(1, 'must not be empty').optional(),
  KAFKA_SASL_PASSWORD: z.string().min(1, 'must not be empty').optional(),
  /** The admin key (single-key form of TTHC_ADMIN_KEYS). */
  TTHC_ADMIN_KEY: z.string().min(12, 'must be at least 12 characters').optional(),
  /** Admin keys, comma-separated: two during a rollover (docs/security.md). */
  TTHC_ADMIN_KEYS: secretList(12).optional(),
  /** Secrets of the access-key record signatures, comma-separated: the first signs, all verify. */
  TTHC_KEYS_SECRET: secretList(32).optional(),
  /** Shutdown grace period: in-flight work drains within it. */
  SHUTDOWN_TIMEOUT_MS: positiveInt(25_000),
  /** intake: largest bulk-import upload in bytes (`POST /v1/admin/imports`; 413 above it). */
  INTAKE_IMPORT_MAX_BYTES: positiveInt(256 * 1024 * 1024),
  /** intake: largest `POST /v1/events` body in bytes (413 above it, counted while the body streams). */
  INTAKE_EVENTS_MAX_BYTES: positiveInt(2 * 1024 * 1024),
  /** intake: largest `PUT /v1/reference/*` body in bytes (admin; 20,000 entries of ~200 bytes fit). */
  INTAKE_REFERENCE_MAX_BYTES: positiveInt(4 * 1024 * 1024),
  /** intake: `POST /v1/events` requests per second per key, sustained (shared by all replicas, in Redis). */
  INTAKE_RATE_REQUESTS_PER_SECOND: z.coerce.number().positive().default(50),
  /** intake: requests per key that may arrive at once after a quiet period. */
  INTAKE_RATE_REQUESTS_BURST: positiveInt(100),
  /** intake: events per second per desk key, sustained (shared by all replicas, in Redis). */
  INTAKE_RATE_EVENTS_PER_SECOND: z.coerce.number().positive().default(5000),
  /** intake: events per desk key that may arrive at once; at least one full request (1000 events). */
  INTAKE_RATE_EVENTS_BURST: z.coerce.number().int().min(1000).default(20_000),
  /** Failed authentications per minute per client address before it is answered 429 (all services, in Redis). */
  AUTH_FAILURES_PER_MINUTE: positiveInt(20),
  /** Reverse proxies in front of the service whose X-Forwarded-For is trusted for the client address. */
  TRUST_PROXY_HOPS: z.coerce.number().int().min(0).max(10).default(0),
  /** intake: lines of a bulk import validated and published per step (progress is saved after each). */
  INTAKE_IMPORT_CHUNK_LINES: z.coerce.number().int().min(1).max(10_000).default(1000),
  /** intake: attempts of a bulk-import job (e.g. Kafka unavailable) before it is marked failed. */
  INTAKE_IMPORT_ATTEMPTS: positiveInt(5),
  /** Counting policy (docs/counting-rules.md §8, docs/counting.md): does the apology re-date move the counting due date? */
  COUNTING_RESCHEDULED_DUE: z.enum(RESCHEDULED_DUE_POLICIES).default('ignored'),
  /** Counting policy: `supplement_received` restarts the clock, or the supplement wait is subtracted. */
  COUNTING_SUPPLEMENT: z.enum(SUPPLEMENT_POLICIES).default('restart'),
  /** Counting policy: outcome by local date or by half-day session. */
  COUNTING_OUTCOME_BY: z.enum(OUTCOME_BY_POLICIES).default('date'),
  /** on-time-rate: dossiers a rebuild reclassifies between two progress saves. */
  REBUILD_PROGRESS_EVERY: z.coerce.number().int().min(1).max(100_000).default(500),
  /** reporting: cron pattern of the scheduled II.06a reports (5 fields, or 6 with seconds first). */
  SCHEDULED_REPORTS_CRON: z
    .string()
    .trim()
    .refine(isCronPattern, 'must be a cron pattern of 5 or 6 fields, e.g. "0 1 1 * *"')
    .default('0 1 1 * *'),
  /** reporting: IANA time zone the cron pattern is read in. */
  SCHEDULED_REPORTS_TZ: z.string().refine(isTimeZone, 'must be an IANA time zone').default('Asia/Ho_Chi_Minh'),
});
export type Environment = z.infer<typeof environmentSchema>;

export interface KafkaConfig {
  brokers: string[];
  clientId: string;
  topicPrefix: string;
  replicationFactor: number;
  minInsyncReplicas: number;
  eventPartitions: number;
  maxAttempts: number;
  produceTimeoutMs: number;
  /** TLS to the brokers; `false` is PLAINTEXT. */
  ssl: false | KafkaTlsConfig;
  /** SASL authentication; undefined: none. */
  sasl?: KafkaSaslConfig;
  /** The transactional producers of intake (docs/intake.md, "All or nothing"). */
  transactions: TransactionsConfig;
}

export interface KafkaTlsConfig {
  /** PEM contents (not paths); undefined: the system's trusted CAs / no client certificate. */
  ca?: string;
  cert?: string;
  key?: string;
}

export interface KafkaSaslConfig {
  mechanism: KafkaSaslMechanism;
  username: string;
  password: string;
}

export interface TransactionsConfig {
  /** Size of the pool: transactions of one process that may be open at the same time. */
  producers: number;
  /** `<topic prefix>tthc.<service>.<instance>`; producer n uses `<this>.<n>`. */
  idPrefix: string;
  /** Whether the instance part is stable across restarts (KAFKA_TRANSACTIONAL_ID) or random. */
  stableId: boolean;
  timeoutMs: number;
}

export interface AppConfig {
  service: ServiceName;
  nodeEnv: Environment['NODE_ENV'];
  port: number;
  logLevel: Environment['LOG_LEVEL'];
  logFormat: 'json' | 'pretty';
  kafka: KafkaConfig;
  mongoUrl: string;
  redisUrl: string;
  queuePrefix: string;
  /** Every valid admin key (TTHC_ADMIN_KEYS, or TTHC_ADMIN_KEY alone); two during a rollover. */
  adminKeys: readonly string[];
  /** The first of `adminKeys` (tests and tools that need one). */
  adminKey: string;
  /** Secrets of the access-key record signatures: the first signs, every one verifies. */
  keysSecrets: readonly string[];
  /** Non-fatal findings of the validation, logged at boot (never containing secret values). */
  warnings: readonly string[];
  shutdownTimeoutMs: number;
  /** Bulk import of history (intake, docs/intake.md). */
  imports: ImportConfig;
  /** Body caps and per-key rate limits of intake's HTTP API (docs/intake.md, "Limits"). */
  intakeLimits: IntakeLimitsConfig;
  /** Failed authentications a client address may make per minute (docs/intake.md, "Limits"). */
  authFailuresPerMinute: number;
  /** Trusted reverse proxies in front of the service (Express `trust proxy` hop count). */
  trustProxyHops: number;
  /** The docs/counting-rules.md §8 counting policies (`CountingPolicies` of libs/counting; docs/counting.md). */
  counting: CountingConfig;
  /** Rebuild of on-time-rate's counters (docs/counting.md, "Rebuild"). */
  rebuild: { progressEvery: number };
  /** Scheduled II.06a reports of reporting (docs/reporting.md, "Scheduled reports"). */
  scheduledReports: { cron: string; timezone: string };
}

/** The counting policies (libs/counting's `CountingPolicies`; the one definition of their values). */
export type CountingConfig = CountingPolicies;

export interface ImportConfig {
  maxBytes: number;
  chunkLines: number;
  attempts: number;
}

/** A token bucket: `ratePerSecond` sustained, `burst` at once after a quiet period. */
export interface RateConfig {
  ratePerSecond: number;
  burst: number;
}

export interface IntakeLimitsConfig {
  eventsMaxBytes: number;
  referenceMaxBytes: number;
  /** Requests of `POST /v1/events` per key (every role). */
  requests: RateConfig;
  /** Events of `POST /v1/events` per desk key. */
  events: RateConfig;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Builds the validated configuration of one service from an environment map. Only `main.ts`
 * passes `process.env`; everything else receives the typed result through injection.
 */
export function loadConfig(
  service: ServiceName,
  env: Record<string, string | undefined>,
  readFile: (path: string) => string = (path) => readFileSync(path, 'utf8'),
): AppConfig {
  const parsed = environmentSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`));
  }
  const e = parsed.data;
  const problems: string[] = [];
  const warnings: string[] = [];
  const production = e.NODE_ENV === 'production';

  if (e.TTHC_ADMIN_KEY !== undefined && e.TTHC_ADMIN_KEYS !== undefined) {
    problems.push('TTHC_ADMIN_KEY, TTHC_ADMIN_KEYS: set one of them (TTHC_ADMIN_KEY is the single-key form)');
  }
  const adminKeys = e.TTHC_ADMIN_KEYS ?? (e.TTHC_ADMIN_KEY === undefined ? undefined : [e.TTHC_ADMIN_KEY]);
  if (production && adminKeys === undefined) {
    problems.push('TTHC_ADMIN_KEY: required when NODE_ENV=production (no default admin key in production)');
  }
  if (production && e.TTHC_KEYS_SECRET === undefined) {
    problems.push('TTHC_KEYS_SECRET: required when NODE_ENV=production (no default signing secret in production)');
  }
  if (
    e.TTHC_KEYS_SECRET !== undefined &&
    adminKeys !== undefined &&
    e.TTHC_KEYS_SECRET.some((secret) => adminKeys.includes(secret))
  ) {
    problems.push('TTHC_KEYS_SECRET: must differ from every admin key');
  }

  const kafka = kafkaSecurity(e, production, readFile, problems, warnings);
  if (e.KAFKA_MIN_INSYNC_REPLICAS > e.KAFKA_REPLICATION_FACTOR) {
    problems.push(
      `KAFKA_MIN_INSYNC_REPLICAS: ${e.KAFKA_MIN_INSYNC_REPLICAS} is more than KAFKA_REPLICATION_FACTOR ${e.KAFKA_REPLICATION_FACTOR} (no write could ever be acknowledged)`,
    );
  }
  // A transaction may last the produce deadline plus the wait for its commit (docs/intake.md).
  if (e.KAFKA_TRANSACTION_TIMEOUT_MS < 2 * e.KAFKA_PRODUCE_TIMEOUT_MS) {
    problems.push(
      `KAFKA_TRANSACTION_TIMEOUT_MS: ${e.KAFKA_TRANSACTION_TIMEOUT_MS} must be at least twice KAFKA_PRODUCE_TIMEOUT_MS (${e.KAFKA_PRODUCE_TIMEOUT_MS})`,
    );
  }
  if (problems.length > 0) throw new ConfigError(problems);
  const instance = e.KAFKA_TRANSACTIONAL_ID ?? `${hostnamePart()}.${randomBytes(4).toString('hex')}`;
  return {
    service,
    nodeEnv: e.NODE_ENV,
    port: e.PORT ?? SERVICE_PORTS[service],
    logLevel: e.LOG_LEVEL,
    logFormat: e.LOG_FORMAT ?? (e.NODE_ENV === 'production' ? 'json' : 'pretty'),
    kafka: {
      brokers: e.KAFKA_BROKERS,
      clientId: `tthc-${service}`,
      topicPrefix: e.KAFKA_TOPIC_PREFIX,
      replicationFactor: e.KAFKA_REPLICATION_FACTOR,
      minInsyncReplicas: e.KAFKA_MIN_INSYNC_REPLICAS,
      eventPartitions: e.KAFKA_EVENT_PARTITIONS,
      maxAttempts: e.KAFKA_MAX_ATTEMPTS,
      produceTimeoutMs: e.KAFKA_PRODUCE_TIMEOUT_MS,
      ...kafka,
      transactions: {
        producers: e.KAFKA_TRANSACTIONAL_PRODUCERS,
        idPrefix: `${e.KAFKA_TOPIC_PREFIX}tthc.${service}.${instance}`,
        stableId: e.KAFKA_TRANSACTIONAL_ID !== undefined,
        timeoutMs: e.KAFKA_TRANSACTION_TIMEOUT_MS,
      },
    },
    mongoUrl: e.MONGO_URL,
    redisUrl: e.REDIS_URL,
    queuePrefix: e.QUEUE_PREFIX,
    adminKeys: adminKeys ?? [DEVELOPMENT_ADMIN_KEY],
    adminKey: adminKeys?.[0] ?? DEVELOPMENT_ADMIN_KEY,
    keysSecrets: e.TTHC_KEYS_SECRET ?? [DEVELOPMENT_KEYS_SECRET],
    warnings,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    imports: {
      maxBytes: e.INTAKE_IMPORT_MAX_BYTES,
      chunkLines: e.INTAKE_IMPORT_CHUNK_LINES,
      attempts: e.INTAKE_IMPORT_ATTEMPTS,
    },
    intakeLimits: {
      eventsMaxBytes: e.INTAKE_EVENTS_MAX_BYTES,
      referenceMaxBytes: e.INTAKE_REFERENCE_MAX_BYTES,
      requests: { ratePerSecond: e.INTAKE_RATE_REQUESTS_PER_SECOND, burst: e.INTAKE_RATE_REQUESTS_BURST },
      events: { ratePerSecond: e.INTAKE_RATE_EVENTS_PER_SECOND, burst: e.INTAKE_RATE_EVENTS_BURST },
    },
    authFailuresPerMinute: e.AUTH_FAILURES_PER_MINUTE,
    trustProxyHops: e.TRUST_PROXY_HOPS,
    counting: {
      rescheduledDue: e.COUNTING_RESCHEDULED_DUE,
      supplement: e.COUNTING_SUPPLEMENT,
      outcomeBy: e.COUNTING_OUTCOME_BY,
    },
    rebuild: { progressEvery: e.REBUILD_PROGRESS_EVERY },
    scheduledReports: { cron: e.SCHEDULED_REPORTS_CRON, timezone: e.SCHEDULED_REPORTS_TZ },
  };
}

/** The host name reduced to the characters a transactional id part allows (at most 60). */
function hostnamePart(): string {
  const name = hostname()
    .replace(/[^A-Za-z0-9._-]/g, '-')
    .slice(0, 60);
  return name === '' ? 'host' : name;
}

/**
 * Kafka TLS and SASL (docs/security.md). SASL needs a username and a password; in production
 * SASL without TLS is refused (PLAIN sends the password in clear, and every mechanism leaves the
 * traffic readable), and a connection with neither is allowed with a warning (a private network,
 * e.g. docker compose). Problems name variables and files, never a secret value.
 */
function kafkaSecurity(
  e: Environment,
  production: boolean,
  readFile: (path: string) => string,
  problems: string[],
  warnings: string[],
): Pick<KafkaConfig, 'ssl' | 'sasl'> {
  const pem = (variable: string, path: string | undefined): string | undefined => {
    if (path === undefined) return undefined;
    if (!e.KAFKA_SSL) {
      problems.push(`${variable}: only with KAFKA_SSL=true`);
      return undefined;
    }
    try {
      const text = readFile(path);
      if (!text.includes('-----BEGIN ')) problems.push(`${variable}: ${path} is not a PEM file`);
      return text;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
      problems.push(`${variable}: cannot read ${path} (${code})`);
      return undefined;
    }
  };
  const ca = pem('KAFKA_SSL_CA_FILE', e.KAFKA_SSL_CA_FILE);
  const cert = pem('KAFKA_SSL_CERT_FILE', e.KAFKA_SSL_CERT_FILE);
  const key = pem('KAFKA_SSL_KEY_FILE', e.KAFKA_SSL_KEY_FILE);
  if ((e.KAFKA_SSL_CERT_FILE === undefined) !== (e.KAFKA_SSL_KEY_FILE === undefined)) {
    problems.push('KAFKA_SSL_CERT_FILE, KAFKA_SSL_KEY_FILE: a client certificate needs both');
  }
  const ssl: KafkaConfig['ssl'] = e.KAFKA_SSL
    ? {
        ...(ca === undefined ? {} : { ca }),
        ...(cert === undefined ? {} : { cert }),
        ...(key === undefined ? {} : { key }),
      }
    : false;

  let sasl: KafkaSaslConfig | undefined;
  if (e.KAFKA_SASL_MECHANISM === undefined) {
    if (e.KAFKA_SASL_USERNAME !== undefined || e.KAFKA_SASL_PASSWORD !== undefined) {
      problems.push('KAFKA_SASL_MECHANISM: required with KAFKA_SASL_USERNAME / KAFKA_SASL_PASSWORD');
    }
  } else if (e.KAFKA_SASL_USERNAME === undefined || e.KAFKA_SASL_PASSWORD === undefined) {
    problems.push(`KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD: both required with KAFKA_SASL_MECHANISM`);
  } else {
    sasl = { mechanism: e.KAFKA_SASL_MECHANISM, username: e.KAFKA_SASL_USERNAME, password: e.KAFKA_SASL_PASSWORD };
    if (!e.KAFKA_SSL && production) {
      problems.push('KAFKA_SASL_MECHANISM: SASL without KAFKA_SSL=true is refused in production');
    }
  }
  if (production && !e.KAFKA_SSL && sasl === undefined && problems.length === 0) {
    warnings.push('Kafka: PLAINTEXT without SASL in production; anyone on the network can read and produce');
  }
  return sasl === undefined ? { ssl } : { ssl, sasl };
}
