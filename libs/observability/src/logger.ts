import { ConsoleLogger, type LogLevel } from '@nestjs/common';
import { currentRequestId } from './request-context';

export type LogFormat = 'json' | 'pretty';

/** Nest's levels from the most to the least severe; `LOG_LEVEL` keeps this one and those above. */
const LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

/** The names a log pipeline expects (Nest's `log` is `info`). */
const JSON_LEVEL: Record<LogLevel, string> = {
  fatal: 'fatal',
  error: 'error',
  warn: 'warn',
  log: 'info',
  debug: 'debug',
  verbose: 'verbose',
};

/** Fields of one structured log line (JSON format). */
export interface LogRecord {
  time: string;
  level: string;
  service: string;
  context?: string;
  requestId?: string;
  message: unknown;
  [field: string]: unknown;
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype;

/**
 * One JSON log line: ISO time in UTC, level, service, context, the current request id, the
 * message. A plain-object message contributes its fields (its `message` or `msg` is the message).
 * Pure apart from its arguments.
 */
export function logRecord(input: {
  now: Date;
  level: LogLevel;
  service: string;
  context?: string;
  requestId?: string;
  message: unknown;
  stack?: unknown;
}): LogRecord {
  const base: LogRecord = {
    time: input.now.toISOString(),
    level: JSON_LEVEL[input.level],
    service: input.service,
    message: input.message,
  };
  if (input.context !== undefined && input.context !== '') base.context = input.context;
  if (input.requestId !== undefined) base.requestId = input.requestId;
  if (isPlainObject(input.message)) {
    const { message, msg, ...fields } = input.message;
    Object.assign(base, fields, { time: base.time, level: base.level, service: base.service });
    base.message = message ?? msg ?? '';
  }
  if (input.stack !== undefined && input.stack !== null) base.stack = input.stack;
  return base;
}

/** One line of JSON, whatever the fields hold (errors, bigints, cycles). */
export function stringifyLogRecord(record: LogRecord): string {
  const seen = new WeakSet<object>();
  return JSON.stringify(record, (_key, value: unknown) => {
    if (typeof value === 'bigint') return value.toString();
    if (value instanceof Error) return { name: value.name, message: value.message, stack: value.stack };
    if (typeof value === 'object' && value !== null) {
      if (seen.has(value)) return '[circular]';
      seen.add(value);
    }
    return value;
  });
}

/** The levels written for `LOG_LEVEL` (it and every more severe one). */
export function logLevelsUpTo(level: Exclude<LogLevel, 'fatal'>): LogLevel[] {
  return LEVELS.slice(0, LEVELS.indexOf(level) + 1);
}

/**
 * The services' logger: Nest's `ConsoleLogger`, as JSON lines (`LOG_FORMAT=json`, the default in
 * production) or as coloured text for a terminal (`pretty`); times are ISO instants in UTC in both.
 */
export class ServiceLogger extends ConsoleLogger {
  constructor(
    private readonly service: string,
    options: { format: LogFormat; level: Exclude<LogLevel, 'fatal'> },
  ) {
    super({
      json: options.format === 'json',
      logLevels: logLevelsUpTo(options.level),
      ...(options.format === 'json' ? { colors: false } : { prefix: service }),
    });
  }

  protected override printAsJson(
    message: unknown,
    options: { context: string; logLevel: LogLevel; writeStreamType?: 'stdout' | 'stderr'; errorStack?: unknown },
  ): void {
    const record = logRecord({
      now: new Date(),
      level: options.logLevel,
      service: this.service,
      context: options.context,
      requestId: currentRequestId(),
      message,
      stack: options.errorStack,
    });
    process[options.writeStreamType ?? 'stdout'].write(`${stringifyLogRecord(record)}\n`);
  }

  /** Pretty format: an ISO instant in UTC instead of a local time without zone. */
  protected override getTimestamp(): string {
    return new Date().toISOString();
  }
}
