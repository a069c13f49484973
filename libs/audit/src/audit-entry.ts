import { randomBytes } from 'node:crypto';
import type { Role } from '@tthc/contracts';

/** One admin action as kept in `<service prefix>_audit` (docs/security.md, "Audit log"). */
export interface AuditEntry {
  /** `<at>#<random>`: sorts by time, so time ranges are `_id` ranges. */
  _id: string;
  /** When the request arrived (ISO 8601, UTC, milliseconds). */
  at: string;
  service: string;
  /** Who: the key id (`admin-<fingerprint>` for an admin key) and its role; never the key. */
  keyId: string;
  role: Role;
  method: string;
  /** The route template, e.g. `/v1/admin/desks/:id`. */
  route: string;
  params: Record<string, unknown>;
  query: Record<string, unknown>;
  /** A bounded summary of the request body with secret-looking fields and values redacted. */
  body: unknown;
  /** The client address the service saw, and the X-Forwarded-For header as sent (unverified). */
  client: { ip: string; forwardedFor?: string };
  /** The HTTP status answered; 499 when the client went away first. */
  status: number;
  /** The `id` of the created resource, when the answer names one (e.g. the new key's id). */
  resultId?: string;
  durationMs: number;
}

export function auditEntryId(at: Date, random: () => string = () => randomBytes(6).toString('hex')): string {
  return `${at.toISOString()}#${random()}`;
}

/** Field names whose values are never kept, whatever they hold. */
const SECRET_NAME = /key|secret|password|passwd|token|signature|hash|authorization|credential|cookie/i;
/** Values that look like issued keys (`desk_…`, `viewer_…`, docs/intake.md). */
const ISSUED_KEY = /(desk|viewer)_[A-Za-z0-9_-]{16,}/;
const REDACTED = '[redacted]';
const MAX_STRING = 120;
const MAX_FIELDS = 20;
const MAX_ITEMS = 3;
/** Larger JSON bodies (e.g. an admin's batch of events) are recorded by type and size, not parsed again. */
export const MAX_PARSED_BODY = 64 * 1024;

export interface SummaryOptions {
  /** Strings never to keep (the presented bearer key): a value containing one is redacted. */
  secrets: readonly string[];
}

/**
 * A bounded, secret-free picture of a request body (or params, or query): scalars as they are
 * (long strings cut), objects by their first fields, arrays by their length and first items,
 * two levels deep. Fields named like secrets and values that contain a presented key or look
 * like an issued key are replaced by `[redacted]`.
 */
export function summarize(value: unknown, options: SummaryOptions, depth = 0): unknown {
  if (value === null || typeof value === 'number' || typeof value === 'boolean') return value;
  if (typeof value === 'string') {
    if (ISSUED_KEY.test(value) || options.secrets.some((secret) => secret.length > 0 && value.includes(secret))) {
      return REDACTED;
    }
    return value.length > MAX_STRING ? `${value.slice(0, MAX_STRING)}…` : value;
  }
  if (Array.isArray(value)) {
    if (depth >= 2) return `[${value.length} items]`;
    return { items: value.length, first: value.slice(0, MAX_ITEMS).map((item) => summarize(item, options, depth + 1)) };
  }
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    if (depth >= 2) return `{${entries.length} fields}`;
    const summary: Record<string, unknown> = {};
    for (const [name, item] of entries.slice(0, MAX_FIELDS)) {
      summary[name] = SECRET_NAME.test(name) ? REDACTED : summarize(item, options, depth + 1);
    }
    if (entries.length > MAX_FIELDS) summary['…'] = `${entries.length - MAX_FIELDS} more fields`;
    return summary;
  }
  return typeof value;
}

/**
 * The body as kept in the audit log: JSON bodies up to 64 KiB summarised; larger ones and other
 * bodies (CSV, NDJSON, streamed uploads) by their content type and size only.
 */
export function summarizeBody(
  raw: unknown,
  contentType: string | undefined,
  contentLength: string | undefined,
  options: SummaryOptions,
): unknown {
  const bytes = Buffer.isBuffer(raw) ? raw.length : contentLength === undefined ? undefined : Number(contentLength);
  if (bytes === undefined || bytes === 0 || Number.isNaN(bytes)) return undefined;
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (Buffer.isBuffer(raw) && raw.length <= MAX_PARSED_BODY && /^application\/(.+\+)?json$/.test(type)) {
    try {
      return summarize(JSON.parse(raw.toString('utf8')), options);
    } catch {
      return { contentType: type, bytes, note: 'not valid JSON' };
    }
  }
  return { contentType: type || 'unknown', bytes };
}

/** The `id` a JSON answer names (a created key, import, rebuild…), if any. */
export function resultIdOf(result: unknown): string | undefined {
  if (result === null || typeof result !== 'object' || Array.isArray(result)) return undefined;
  const id = (result as { id?: unknown }).id;
  return typeof id === 'string' && id.length <= 200 ? id : undefined;
}

export interface AuditQuery {
  /** Inclusive lower bound of `at`. */
  from?: Date;
  /** Exclusive upper bound of `at`. */
  to?: Date;
  limit: number;
}

export const AUDIT_DEFAULT_LIMIT = 100;
export const AUDIT_MAX_LIMIT = 1000;

/** Parses `from`, `to` (ISO dates or date-times) and `limit` (1–1000); problems as messages. */
export function parseAuditQuery(query: Record<string, unknown>): { query: AuditQuery } | { problems: string[] } {
  const problems: string[] = [];
  const instant = (name: string): Date | undefined => {
    const value = query[name];
    if (value === undefined) return undefined;
    if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}([T ][0-9:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(value)) {
      problems.push(`${name}: must be an ISO 8601 date or date-time`);
      return undefined;
    }
    const date = new Date(value);
    const [year, month, day] = value.slice(0, 10).split('-').map(Number) as [number, number, number];
    const calendar = new Date(Date.UTC(year, month - 1, day));
    if (Number.isNaN(date.getTime()) || calendar.getUTCMonth() !== month - 1 || calendar.getUTCDate() !== day) {
      problems.push(`${name}: not a real date`);
      return undefined;
    }
    return date;
  };
  const from = instant('from');
  const to = instant('to');
  let limit = AUDIT_DEFAULT_LIMIT;
  if (query.limit !== undefined) {
    const parsed = typeof query.limit === 'string' && /^\d+$/.test(query.limit) ? Number(query.limit) : NaN;
    if (!(parsed >= 1 && parsed <= AUDIT_MAX_LIMIT))
      problems.push(`limit: must be an integer from 1 to ${AUDIT_MAX_LIMIT}`);
    else limit = parsed;
  }
  if (from !== undefined && to !== undefined && from.getTime() > to.getTime())
    problems.push('from: must not be after to');
  if (problems.length > 0) return { problems };
  return { query: { ...(from === undefined ? {} : { from }), ...(to === undefined ? {} : { to }), limit } };
}

/** The `_id` filter of a time range (entry ids start with their ISO instant). */
export function auditIdRange(query: AuditQuery): Record<string, string> | undefined {
  const range: Record<string, string> = {};
  if (query.from !== undefined) range.$gte = query.from.toISOString();
  if (query.to !== undefined) range.$lt = query.to.toISOString();
  return Object.keys(range).length === 0 ? undefined : range;
}
