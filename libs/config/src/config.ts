import { z } from 'zod';

/** The four services of CONTRACT §1 with their default HTTP ports. */
export const SERVICE_PORTS = {
  intake: 3001,
  'dossier-tracking': 3002,
  'on-time-rate': 3003,
  reporting: 3004,
} as const;
export type ServiceName = keyof typeof SERVICE_PORTS;

/** Default admin key outside production only (CONTRACT §2). */
export const DEVELOPMENT_ADMIN_KEY = 'dev-admin-key';

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
  KAFKA_EVENT_PARTITIONS: positiveInt(6),
  /** Attempts of a failing batch before its messages are handled one by one and dead-lettered. */
  KAFKA_MAX_ATTEMPTS: positiveInt(5),
  /** How long a produce may take before the request is answered 503. */
  KAFKA_PRODUCE_TIMEOUT_MS: positiveInt(10_000),
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
  TTHC_ADMIN_KEY: z.string().min(12, 'must be at least 12 characters').optional(),
  /** Shutdown grace period: in-flight work drains within it. */
  SHUTDOWN_TIMEOUT_MS: positiveInt(25_000),
  /** intake: largest bulk-import upload in bytes (`POST /v1/admin/imports`; 413 above it). */
  INTAKE_IMPORT_MAX_BYTES: positiveInt(256 * 1024 * 1024),
  /** intake: lines of a bulk import validated and published per step (progress is saved after each). */
  INTAKE_IMPORT_CHUNK_LINES: z.coerce.number().int().min(1).max(10_000).default(1000),
  /** intake: attempts of a bulk-import job (e.g. Kafka unavailable) before it is marked failed. */
  INTAKE_IMPORT_ATTEMPTS: positiveInt(5),
  /** Counting policy (CONTRACT §5, docs/counting.md): does the apology re-date move the counting due date? */
  COUNTING_RESCHEDULED_DUE: z.enum(['ignored', 'honoured']).default('ignored'),
  /** Counting policy: `supplement_received` restarts the clock, or the supplement wait is subtracted. */
  COUNTING_SUPPLEMENT: z.enum(['restart', 'subtract']).default('restart'),
  /** Counting policy: outcome by local date or by half-day session. */
  COUNTING_OUTCOME_BY: z.enum(['date', 'session']).default('date'),
  /** on-time-rate: dossiers a rebuild reclassifies between two progress saves. */
  REBUILD_PROGRESS_EVERY: z.coerce.number().int().min(1).max(100_000).default(500),
  /** on-time-rate: after closing the fact gate, how long a rebuild waits for other replicas' batches in flight. */
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
  eventPartitions: number;
  maxAttempts: number;
  produceTimeoutMs: number;
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
  adminKey: string;
  shutdownTimeoutMs: number;
  /** Bulk import of history (intake, docs/intake.md). */
  imports: ImportConfig;
  /** The CONTRACT §5 counting policies (`CountingPolicies` of libs/counting; docs/counting.md). */
  counting: CountingConfig;
  /** Rebuild of on-time-rate's counters (docs/counting.md, "Rebuild"). */
  rebuild: { progressEvery: number };
  /** Scheduled II.06a reports of reporting (docs/reporting.md, "Scheduled reports"). */
  scheduledReports: { cron: string; timezone: string };
}

/** Structurally the `CountingPolicies` of `@tthc/counting` (kept here so config depends on nothing). */
export interface CountingConfig {
  rescheduledDue: 'ignored' | 'honoured';
  supplement: 'restart' | 'subtract';
  outcomeBy: 'date' | 'session';
}

export interface ImportConfig {
  maxBytes: number;
  chunkLines: number;
  attempts: number;
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
export function loadConfig(service: ServiceName, env: Record<string, string | undefined>): AppConfig {
  const parsed = environmentSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`));
  }
  const e = parsed.data;
  if (e.NODE_ENV === 'production' && e.TTHC_ADMIN_KEY === undefined) {
    throw new ConfigError(['TTHC_ADMIN_KEY: required when NODE_ENV=production (no default admin key in production)']);
  }
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
      eventPartitions: e.KAFKA_EVENT_PARTITIONS,
      maxAttempts: e.KAFKA_MAX_ATTEMPTS,
      produceTimeoutMs: e.KAFKA_PRODUCE_TIMEOUT_MS,
    },
    mongoUrl: e.MONGO_URL,
    redisUrl: e.REDIS_URL,
    queuePrefix: e.QUEUE_PREFIX,
    adminKey: e.TTHC_ADMIN_KEY ?? DEVELOPMENT_ADMIN_KEY,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    imports: {
      maxBytes: e.INTAKE_IMPORT_MAX_BYTES,
      chunkLines: e.INTAKE_IMPORT_CHUNK_LINES,
      attempts: e.INTAKE_IMPORT_ATTEMPTS,
    },
    counting: {
      rescheduledDue: e.COUNTING_RESCHEDULED_DUE,
      supplement: e.COUNTING_SUPPLEMENT,
      outcomeBy: e.COUNTING_OUTCOME_BY,
    },
    rebuild: { progressEvery: e.REBUILD_PROGRESS_EVERY },
    scheduledReports: { cron: e.SCHEDULED_REPORTS_CRON, timezone: e.SCHEDULED_REPORTS_TZ },
  };
}
