import { DAY_MS, HOUR_MS, civilFromDays, isLocalDate, parseLocalDate, parseTimeOfDay, weekdayOf } from './time';
import type { LocalDate } from './time';

/** One working session of a day, local wall-clock `HH:MM` (end exclusive, before midnight). */
export interface SessionSpec {
  readonly start: string;
  readonly end: string;
}

/**
 * A year's calendar (docs/api.md §3 `PUT /v1/reference/calendars/{year}`): weekdays off (statutory
 * holidays, compensatory and swapped days) and make-up working Saturdays. Every date must lie in the
 * table's own year. A holiday that falls on a weekend is accepted and has no effect.
 */
export interface YearTable {
  readonly holidays: readonly LocalDate[];
  readonly workingSaturdays: readonly LocalDate[];
}

/** How a province counts working time (docs/counting-rules.md §2). Every field is optional. */
export interface CalendarPolicy {
  /** Working sessions, in order, not overlapping. Default 07:00–11:30 and 13:30–17:00. */
  readonly sessions?: readonly SessionSpec[];
  /**
   * Receipts at or after this local time start the clock on the next working day. Default `15:00`;
   * `null` disables the cut-off.
   */
  readonly cutoff?: string | null;
  /**
   * Length of one working day in working hours, used to convert `working_days`. Default: the total
   * length of the sessions (8 h with the default sessions, as docs/counting-rules.md §2 says).
   */
  readonly workingDayHours?: number;
  /**
   * Per-year tables keyed by year. A year given here replaces the shipped default table of that year
   * entirely (it is not merged).
   */
  readonly years?: Readonly<Record<number, YearTable>>;
  /** Use the shipped default table (`holidays-vn.json`) for years not given in `years`. Default true. */
  readonly useDefaultTable?: boolean;
}

export const DEFAULT_SESSIONS: readonly SessionSpec[] = Object.freeze([
  Object.freeze({ start: '07:00', end: '11:30' }),
  Object.freeze({ start: '13:30', end: '17:00' }),
]);
export const DEFAULT_CUTOFF = '15:00';

/** One problem found in a calendar configuration; `path` is a JSON-pointer-like location. */
export interface CalendarIssue {
  readonly path: string;
  readonly message: string;
}

/** Thrown when a {@link CalendarPolicy} or {@link YearTable} is invalid; lists every problem. */
export class CalendarConfigError extends Error {
  override readonly name = 'CalendarConfigError';
  constructor(readonly issues: readonly CalendarIssue[]) {
    super(`invalid calendar configuration: ${issues.map((i) => `${i.path || '/'}: ${i.message}`).join('; ')}`);
  }
}

export const MIN_TABLE_YEAR = 1900;
export const MAX_TABLE_YEAR = 2999;

function isInt(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value);
}

/**
 * Validates a year table as an operator would upload it (the body of
 * `PUT /v1/reference/calendars/{year}`). Returns every problem found; an empty list means valid.
 * Checks: the shape, real `YYYY-MM-DD` dates, every date inside `year`, working Saturdays are
 * Saturdays, and no date is both a holiday and a working Saturday. Duplicates are allowed.
 */
export function validateYearTable(year: number, table: unknown, basePath = ''): CalendarIssue[] {
  const issues: CalendarIssue[] = [];
  if (!isInt(year) || year < MIN_TABLE_YEAR || year > MAX_TABLE_YEAR) {
    issues.push({ path: basePath, message: `year must be an integer between ${MIN_TABLE_YEAR} and ${MAX_TABLE_YEAR}` });
    return issues;
  }
  if (typeof table !== 'object' || table === null || Array.isArray(table)) {
    issues.push({ path: basePath, message: 'must be an object {holidays, workingSaturdays}' });
    return issues;
  }
  const record = table as Record<string, unknown>;
  const holidays = new Set<string>();
  for (const key of ['holidays', 'workingSaturdays'] as const) {
    const list = record[key];
    if (!Array.isArray(list)) {
      issues.push({ path: `${basePath}/${key}`, message: 'must be an array of dates YYYY-MM-DD' });
      continue;
    }
    list.forEach((value: unknown, index) => {
      const path = `${basePath}/${key}/${index}`;
      if (!isLocalDate(value)) {
        issues.push({ path, message: 'must be a real date YYYY-MM-DD' });
        return;
      }
      const day = parseLocalDate(value);
      if (civilFromDays(day)[0] !== year) {
        issues.push({ path, message: `${value} is not in ${year}` });
        return;
      }
      if (key === 'holidays') holidays.add(value);
      else if (weekdayOf(day) !== 6) issues.push({ path, message: `${value} is not a Saturday` });
      else if (holidays.has(value)) issues.push({ path, message: `${value} is also listed as a holiday` });
    });
  }
  return issues;
}

/** Sessions compiled to milliseconds since local midnight. */
export interface CompiledSessions {
  readonly starts: readonly number[];
  readonly ends: readonly number[];
  readonly totalMs: number;
}

/** Validates and compiles sessions; returns issues instead when invalid. */
export function compileSessions(sessions: unknown, basePath = '/sessions'): CompiledSessions | CalendarIssue[] {
  const issues: CalendarIssue[] = [];
  if (!Array.isArray(sessions) || sessions.length === 0) {
    return [{ path: basePath, message: 'must be a non-empty array of {start, end}' }];
  }
  const starts: number[] = [];
  const ends: number[] = [];
  let previousEnd = -1;
  sessions.forEach((session: unknown, index) => {
    const path = `${basePath}/${index}`;
    const record = (typeof session === 'object' && session !== null ? session : {}) as Record<string, unknown>;
    let start = Number.NaN;
    let end = Number.NaN;
    try {
      start = parseTimeOfDay(String(record['start']));
    } catch {
      issues.push({ path: `${path}/start`, message: 'must be a time HH:MM' });
    }
    try {
      end = parseTimeOfDay(String(record['end']));
    } catch {
      issues.push({ path: `${path}/end`, message: 'must be a time HH:MM' });
    }
    if (Number.isNaN(start) || Number.isNaN(end)) return;
    if (end >= DAY_MS) issues.push({ path: `${path}/end`, message: 'must be before midnight (24:00)' });
    else if (start >= end) issues.push({ path, message: 'start must be before end' });
    else if (start < previousEnd) issues.push({ path, message: 'sessions must be in order and not overlap' });
    else {
      starts.push(start);
      ends.push(end);
      previousEnd = end;
    }
  });
  if (issues.length > 0) return issues;
  let totalMs = 0;
  for (let i = 0; i < starts.length; i++) totalMs += ends[i]! - starts[i]!;
  return { starts, ends, totalMs };
}

/** The settings of a {@link CalendarPolicy} other than the tables, validated and compiled. */
export interface CompiledPolicy {
  readonly sessions: CompiledSessions;
  readonly cutoffMs: number | null;
  readonly workingDayMs: number;
}

/** Validates everything but the year tables; throws {@link CalendarConfigError}. */
export function compilePolicySettings(policy: CalendarPolicy): CompiledPolicy {
  const issues: CalendarIssue[] = [];
  const compiled = compileSessions(policy.sessions ?? DEFAULT_SESSIONS);
  let sessions: CompiledSessions | null = null;
  if (Array.isArray(compiled)) issues.push(...compiled);
  else sessions = compiled;

  let cutoffMs: number | null = null;
  const cutoff = policy.cutoff === undefined ? DEFAULT_CUTOFF : policy.cutoff;
  if (cutoff !== null) {
    try {
      cutoffMs = parseTimeOfDay(cutoff);
      if (sessions && cutoffMs <= sessions.starts[0]!) {
        issues.push({ path: '/cutoff', message: 'must be after the start of the first session' });
      }
    } catch {
      issues.push({ path: '/cutoff', message: 'must be a time HH:MM or null' });
    }
  }

  let workingDayMs = sessions?.totalMs ?? 0;
  if (policy.workingDayHours !== undefined) {
    const hours = policy.workingDayHours;
    if (typeof hours !== 'number' || !Number.isFinite(hours) || hours <= 0 || hours > 24) {
      issues.push({ path: '/workingDayHours', message: 'must be a number of hours in (0, 24]' });
    } else workingDayMs = Math.round(hours * HOUR_MS);
  }
  if (issues.length > 0 || !sessions) throw new CalendarConfigError(issues);
  return { sessions, cutoffMs, workingDayMs };
}
