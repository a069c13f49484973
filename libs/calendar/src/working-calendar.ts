import { DEFAULT_TABLE_YEARS, defaultYearEntry } from './default-table';
import type { TableConfidence } from './default-table';
import { CalendarConfigError, compilePolicySettings, validateYearTable } from './policy';
import type { CalendarIssue, CalendarPolicy, CompiledSessions, SessionSpec, YearTable } from './policy';
import {
  DAY_MS,
  HOUR_MS,
  VN_UTC_OFFSET_MS,
  formatDayNumber,
  formatTimeOfDay,
  parseLocalDate,
  toDayNumber,
  yearOfInstant,
} from './time';
import type { DayNumber, Instant, LocalDate, LocalDateLike } from './time';

/** Units of a processing time (docs/api.md §3 procedures). */
export type DurationUnit = 'working_days' | 'working_hours' | 'calendar_days';

/**
 * A processing time `{value, unit}` — the same shape as a procedure's `processingTime` in
 * docs/api.md §3 (and `ProcessingTime` of `@tthc/contracts`). `value` ≥ 0, fractions allowed.
 */
export interface Duration {
  readonly value: number;
  readonly unit: DurationUnit;
}

/** Where the table of a year comes from. */
export type YearTableSource = 'uploaded' | 'default' | 'none';

export interface YearStatus {
  readonly year: number;
  /** False when the year has no table: it is counted as plain Monday–Friday with no holidays. */
  readonly hasTable: boolean;
  readonly source: YearTableSource;
  /** CONFIRMED / INFERRED for default tables, UPLOADED for operator tables, null without a table. */
  readonly confidence: TableConfidence | 'UPLOADED' | null;
}

/** A compiled calendar as plain data (for logs, the admin API and docs). */
export interface CalendarDescription {
  readonly sessions: readonly SessionSpec[];
  readonly cutoff: string | null;
  readonly workingDayHours: number;
  readonly years: readonly YearStatus[];
}

interface YearEntry {
  readonly table: YearTable;
  readonly source: 'uploaded' | 'default';
  readonly confidence: TableConfidence | 'UPLOADED';
}

// Day -3 (1969-12-29) is a Monday: (day + MONDAY_SHIFT) mod 7 is 0 on Mondays … 5 on Saturdays.
const MONDAY_SHIFT = 3;

function assertInstant(value: number, name: string): void {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new RangeError(`${name} must be a finite epoch-millisecond number, got ${String(value)}`);
  }
}

function assertWorkingMillis(ms: number): void {
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) {
    throw new RangeError(`working time must be a finite number of milliseconds ≥ 0, got ${String(ms)}`);
  }
}

/**
 * Working-time arithmetic for one {@link CalendarPolicy} (docs/counting-rules.md §2). Immutable and pure: build
 * one per policy (per province) and reuse it; {@link withYear} gives a new calendar with a year's
 * table replaced.
 *
 * Instants are epoch milliseconds; dates are `YYYY-MM-DD` strings or day numbers (see `./time`).
 *
 * Conventions:
 * - A day is a working day when it is Monday–Friday and not a holiday, or a listed working Saturday.
 *   A year without a table is plain Monday–Friday ({@link hasTable} says so).
 * - Sessions are half-open, [start, end): 11:30 and 17:00 are outside the default sessions.
 * - The clock starts ({@link clockStart}) at the first instant at or after receipt that lies inside
 *   a session of a working day and before that day's cut-off.
 * - Adding working time ({@link addWorkingTime}) gives the EARLIEST instant by which the duration has
 *   elapsed, so a due time that completes a session is that session's end: 8 working hours from
 *   Monday 07:00 is Monday 17:00 (not Tuesday 07:00), 4.5 h is Monday 11:30 (not 13:30). The due
 *   date is the local date of the due instant.
 * - `calendar_days`: the local date of (start + value × 24 h), moved forward to the first working
 *   day on or after it; the due instant is the end of that day's last session (17:00).
 */
export class WorkingCalendar {
  /** Session starts, ms since local midnight, ascending. */
  private readonly starts: readonly number[];
  /** Session ends (exclusive), ms since local midnight. */
  private readonly ends: readonly number[];
  private readonly sessionCount: number;
  /** Total working time of one working day's sessions. */
  readonly sessionDayMs: number;
  /** Working time that one `working_days` unit stands for (default = {@link sessionDayMs}). */
  readonly workingDayMs: number;
  /** The cut-off as ms since midnight, or null when disabled. */
  readonly cutoffMs: number | null;
  private readonly cutoffOrInfinity: number;

  /** Days whose working status differs from the plain Monday–Friday rule. */
  private readonly overrides: ReadonlyMap<DayNumber, boolean>;
  /** The same days, sorted, with a prefix sum of their effect (+1 working Saturday, −1 holiday). */
  private readonly exceptionDays: readonly DayNumber[];
  private readonly exceptionPrefix: readonly number[];
  private readonly years: ReadonlyMap<number, YearEntry>;
  private readonly policy: CalendarPolicy;

  constructor(policy: CalendarPolicy = {}) {
    const settings = compilePolicySettings(policy);
    const sessions: CompiledSessions = settings.sessions;
    this.starts = sessions.starts;
    this.ends = sessions.ends;
    this.sessionCount = sessions.starts.length;
    this.sessionDayMs = sessions.totalMs;
    this.workingDayMs = settings.workingDayMs;
    this.cutoffMs = settings.cutoffMs;
    this.cutoffOrInfinity = settings.cutoffMs ?? Number.POSITIVE_INFINITY;
    this.policy = policy;

    const years = new Map<number, YearEntry>();
    if (policy.useDefaultTable !== false) {
      for (const year of DEFAULT_TABLE_YEARS) {
        const entry = defaultYearEntry(year);
        if (entry) years.set(year, { table: entry, source: 'default', confidence: entry.confidence });
      }
    }
    const issues: CalendarIssue[] = [];
    for (const [key, table] of Object.entries(policy.years ?? {})) {
      const year = Number(key);
      const found = validateYearTable(year, table, `/years/${key}`);
      if (found.length > 0) issues.push(...found);
      else years.set(year, { table, source: 'uploaded', confidence: 'UPLOADED' });
    }
    if (issues.length > 0) throw new CalendarConfigError(issues);
    this.years = years;

    const overrides = new Map<DayNumber, boolean>();
    for (const { table } of years.values()) {
      for (const date of table.holidays) {
        const day = parseLocalDate(date);
        if (WorkingCalendar.isWeekdayNum(day)) overrides.set(day, false);
      }
      for (const date of table.workingSaturdays) overrides.set(parseLocalDate(date), true);
    }
    this.overrides = overrides;
    const exceptionDays = [...overrides.keys()].sort((a, b) => a - b);
    const prefix = [0];
    let sum = 0;
    for (const day of exceptionDays) {
      sum += overrides.get(day) ? 1 : -1;
      prefix.push(sum);
    }
    this.exceptionDays = exceptionDays;
    this.exceptionPrefix = prefix;
  }

  // ---------------------------------------------------------------- configuration and tables

  /** A new calendar with `year`'s table replaced by `table` (an operator upload, docs/api.md §3). */
  withYear(year: number, table: YearTable): WorkingCalendar {
    return this.withYears({ [year]: table });
  }

  /** A new calendar with several years' tables replaced. */
  withYears(tables: Readonly<Record<number, YearTable>>): WorkingCalendar {
    return new WorkingCalendar({ ...this.policy, years: { ...(this.policy.years ?? {}), ...tables } });
  }

  /** True when `year` has a table (default or uploaded); otherwise it counts as plain Mon–Fri. */
  hasTable(year: number): boolean {
    return this.years.has(year);
  }

  /** Where `year`'s table comes from and how sure it is. */
  yearStatus(year: number): YearStatus {
    const entry = this.years.get(year);
    if (!entry) return { year, hasTable: false, source: 'none', confidence: null };
    return { year, hasTable: true, source: entry.source, confidence: entry.confidence };
  }

  /** Years with a table, ascending. */
  tableYears(): number[] {
    return [...this.years.keys()].sort((a, b) => a - b);
  }

  /**
   * The years touched by [from, to] (local calendar years) that have no table — callers should warn
   * that such results assume Monday–Friday without holidays. Empty when `to` < `from`.
   */
  yearsWithoutTable(from: Instant, to: Instant): number[] {
    assertInstant(from, 'from');
    assertInstant(to, 'to');
    const missing: number[] = [];
    if (to < from) return missing;
    const last = yearOfInstant(to);
    for (let year = yearOfInstant(from); year <= last; year++) if (!this.years.has(year)) missing.push(year);
    return missing;
  }

  /** The policy as plain data. */
  describe(): CalendarDescription {
    const sessions: SessionSpec[] = [];
    for (let i = 0; i < this.sessionCount; i++) {
      sessions.push({ start: formatTimeOfDay(this.starts[i]!), end: formatTimeOfDay(this.ends[i]!) });
    }
    return {
      sessions,
      cutoff: this.cutoffMs === null ? null : formatTimeOfDay(this.cutoffMs),
      workingDayHours: this.workingDayMs / HOUR_MS,
      years: this.tableYears().map((year) => this.yearStatus(year)),
    };
  }

  // ---------------------------------------------------------------- days

  private static isWeekdayNum(day: DayNumber): boolean {
    const r = (((day + MONDAY_SHIFT) % 7) + 7) % 7;
    return r < 5;
  }

  private isWorkingDayNum(day: DayNumber): boolean {
    const override = this.overrides.get(day);
    if (override !== undefined) return override;
    return WorkingCalendar.isWeekdayNum(day);
  }

  /** Number of working days before `day`, counted from a fixed origin (only differences matter). */
  private workingDaysBefore(day: DayNumber): number {
    const m = day + MONDAY_SHIFT;
    const weeks = Math.floor(m / 7);
    const r = m - weeks * 7;
    const plain = weeks * 5 + (r < 5 ? r : 5);
    const days = this.exceptionDays;
    let lo = 0;
    let hi = days.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (days[mid]! < day) lo = mid + 1;
      else hi = mid;
    }
    return plain + this.exceptionPrefix[lo]!;
  }

  private nextWorkingDayNum(day: DayNumber): DayNumber {
    let d = day + 1;
    while (!this.isWorkingDayNum(d)) d++;
    return d;
  }

  /** True when `date` is a working day (Mon–Fri not a holiday, or a listed working Saturday). */
  isWorkingDay(date: LocalDateLike): boolean {
    return this.isWorkingDayNum(toDayNumber(date));
  }

  /** The first working day strictly after `date`, in the same form. */
  nextWorkingDay(date: LocalDate): LocalDate;
  nextWorkingDay(date: DayNumber): DayNumber;
  nextWorkingDay(date: LocalDateLike): LocalDateLike {
    const next = this.nextWorkingDayNum(toDayNumber(date));
    return typeof date === 'number' ? next : formatDayNumber(next);
  }

  /** `date` itself when it is a working day, otherwise the next working day; same form. */
  workingDayOnOrAfter(date: LocalDate): LocalDate;
  workingDayOnOrAfter(date: DayNumber): DayNumber;
  workingDayOnOrAfter(date: LocalDateLike): LocalDateLike {
    const day = toDayNumber(date);
    const found = this.isWorkingDayNum(day) ? day : this.nextWorkingDayNum(day);
    return typeof date === 'number' ? found : formatDayNumber(found);
  }

  /**
   * Number of working days d with `from` < d ≤ `to` (negative when `to` < `from`). E.g. working
   * days overdue = workingDaysBetween(dueDate, today).
   */
  workingDaysBetween(from: LocalDateLike, to: LocalDateLike): number {
    return this.workingDaysBefore(toDayNumber(to) + 1) - this.workingDaysBefore(toDayNumber(from) + 1);
  }

  /** The sessions of `date` as [start, end) instants; empty on a non-working day. */
  sessionsOn(date: LocalDateLike): Array<readonly [start: Instant, end: Instant]> {
    const day = toDayNumber(date);
    if (!this.isWorkingDayNum(day)) return [];
    const base = day * DAY_MS - VN_UTC_OFFSET_MS;
    const out: Array<readonly [Instant, Instant]> = [];
    for (let i = 0; i < this.sessionCount; i++) out.push([base + this.starts[i]!, base + this.ends[i]!]);
    return out;
  }

  /** True when `instant` lies inside a session [start, end) of a working day. */
  isWithinSession(instant: Instant): boolean {
    assertInstant(instant, 'instant');
    const local = instant + VN_UTC_OFFSET_MS;
    const day = Math.floor(local / DAY_MS);
    if (!this.isWorkingDayNum(day)) return false;
    const tod = local - day * DAY_MS;
    for (let i = 0; i < this.sessionCount; i++) if (tod >= this.starts[i]! && tod < this.ends[i]!) return true;
    return false;
  }

  // ---------------------------------------------------------------- working time

  /** Working ms elapsed inside the sessions of one working day up to `tod` (ms since midnight). */
  private workedInDay(tod: number): number {
    let worked = 0;
    for (let i = 0; i < this.sessionCount; i++) {
      const start = this.starts[i]!;
      if (tod <= start) break;
      const end = this.ends[i]!;
      worked += (tod < end ? tod : end) - start;
    }
    return worked;
  }

  /** Working ms from a fixed origin up to `instant` (only differences matter). */
  private cumulativeWorkingMs(instant: Instant): number {
    const local = instant + VN_UTC_OFFSET_MS;
    const day = Math.floor(local / DAY_MS);
    let ms = this.workingDaysBefore(day) * this.sessionDayMs;
    if (this.isWorkingDayNum(day)) ms += this.workedInDay(local - day * DAY_MS);
    return ms;
  }

  /**
   * When the processing clock starts for a dossier received at `receivedAt` (docs/counting-rules.md §3): the
   * first instant at or after receipt that lies inside a session [start, end) of a working day and
   * before that day's cut-off. Hence: inside a session before 15:00 → receipt itself; before 07:00
   * → 07:00; during lunch → 13:30; at or after 15:00, after 17:00, or on a day off → the next working
   * day's first session start. Idempotent.
   */
  clockStart(receivedAt: Instant): Instant {
    assertInstant(receivedAt, 'receivedAt');
    const local = receivedAt + VN_UTC_OFFSET_MS;
    const day = Math.floor(local / DAY_MS);
    if (this.isWorkingDayNum(day)) {
      const tod = local - day * DAY_MS;
      for (let i = 0; i < this.sessionCount; i++) {
        if (tod < this.ends[i]!) {
          const start = this.starts[i]!;
          if (tod >= start) {
            if (tod < this.cutoffOrInfinity) return receivedAt;
          } else if (start < this.cutoffOrInfinity) return receivedAt + (start - tod);
          break;
        }
      }
    }
    return this.nextWorkingDayNum(day) * DAY_MS + this.starts[0]! - VN_UTC_OFFSET_MS;
  }

  /**
   * Working time elapsed between `from` and `to`: the ms of [from, to] that lie inside sessions of
   * working days; 0 when `to` ≤ `from`. Additive: between(a, b) + between(b, c) = between(a, c).
   */
  workingMillisBetween(from: Instant, to: Instant): number {
    assertInstant(from, 'from');
    assertInstant(to, 'to');
    if (to <= from) return 0;
    return this.cumulativeWorkingMs(to) - this.cumulativeWorkingMs(from);
  }

  /**
   * The earliest instant t ≥ `start` with workingMillisBetween(start, t) = `ms` (ms rounded to a
   * whole millisecond). For ms > 0 the result lies in (session start, session end] of a working
   * day — a result completing a session is that session's end (17:00, not the next 07:00). For
   * ms = 0 it is `start`.
   */
  addWorkingMillis(start: Instant, ms: number): Instant {
    assertInstant(start, 'start');
    assertWorkingMillis(ms);
    const amount = Math.round(ms);
    if (amount === 0) return start;
    const perDay = this.sessionDayMs;
    const target = this.cumulativeWorkingMs(start) + amount;
    // The working day holding the target is the k-th (0-based, from the origin) working day e:
    // the smallest e with workingDaysBefore(e + 1) ≥ k + 1. It is on or after start's day.
    const k = Math.ceil(target / perDay) - 1;
    const wanted = k + 1;
    let lo = Math.floor((start + VN_UTC_OFFSET_MS) / DAY_MS);
    let step = Math.max(1, Math.ceil((wanted - this.workingDaysBefore(lo)) * 1.45));
    let hi = lo + step;
    while (this.workingDaysBefore(hi + 1) < wanted) {
      lo = hi + 1;
      step *= 2;
      hi = lo + step;
    }
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      if (this.workingDaysBefore(mid + 1) >= wanted) hi = mid;
      else lo = mid + 1;
    }
    let rest = target - k * perDay; // in (0, perDay]
    const base = lo * DAY_MS - VN_UTC_OFFSET_MS;
    const last = this.sessionCount - 1;
    for (let i = 0; i < last; i++) {
      const length = this.ends[i]! - this.starts[i]!;
      if (rest <= length) return base + this.starts[i]! + rest;
      rest -= length;
    }
    return base + this.starts[last]! + rest;
  }

  /** Pushes a due instant forward by `ms` working milliseconds (a pause; see {@link addWorkingMillis}). */
  extendByWorkingTime(due: Instant, ms: number): Instant {
    return this.addWorkingMillis(due, ms);
  }

  /** The working milliseconds a `working_days` / `working_hours` duration stands for (rounded). */
  workingMillisOf(duration: Duration): number {
    const value = WorkingCalendar.checkDuration(duration);
    switch (duration.unit) {
      case 'working_days':
        return Math.round(value * this.workingDayMs);
      case 'working_hours':
        return Math.round(value * HOUR_MS);
      case 'calendar_days':
        throw new RangeError('calendar_days is not an amount of working time');
    }
  }

  private static checkDuration(duration: Duration): number {
    const value = duration.value;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw new RangeError(`duration value must be a finite number ≥ 0, got ${String(value)}`);
    }
    const unit: string = duration.unit;
    if (unit !== 'working_days' && unit !== 'working_hours' && unit !== 'calendar_days') {
      throw new RangeError(`unknown duration unit ${JSON.stringify(unit)}`);
    }
    return value;
  }

  /**
   * `start` + `duration` (docs/counting-rules.md §2). Working units are walked through the sessions (see
   * {@link addWorkingMillis}); `calendar_days` gives the end of the last session of the first
   * working day on or after the local date of (start + value × 24 h) — and never an instant before
   * `start`. `start` is normally a {@link clockStart}.
   */
  addWorkingTime(start: Instant, duration: Duration): Instant {
    if (duration.unit !== 'calendar_days') return this.addWorkingMillis(start, this.workingMillisOf(duration));
    assertInstant(start, 'start');
    const value = WorkingCalendar.checkDuration(duration);
    const lastEnd = this.ends[this.sessionCount - 1]! - VN_UTC_OFFSET_MS;
    let day = Math.floor((start + Math.round(value * DAY_MS) + VN_UTC_OFFSET_MS) / DAY_MS);
    if (!this.isWorkingDayNum(day)) day = this.nextWorkingDayNum(day);
    let due = day * DAY_MS + lastEnd;
    while (due < start) {
      day = this.nextWorkingDayNum(day);
      due = day * DAY_MS + lastEnd;
    }
    return due;
  }

  /**
   * The due instant of a dossier received at `receivedAt` with a procedure's processing time
   * (docs/counting-rules.md §3): addWorkingTime(clockStart(receivedAt), processingTime); null (no due date, counts
   * as on time) when the procedure has no processing time.
   */
  dueAt(receivedAt: Instant, processingTime: Duration | null | undefined): Instant | null {
    if (processingTime === null || processingTime === undefined) return null;
    return this.addWorkingTime(this.clockStart(receivedAt), processingTime);
  }

  /** The due date (local `YYYY-MM-DD` of {@link dueAt}), or null. */
  dueDate(receivedAt: Instant, processingTime: Duration | null | undefined): LocalDate | null {
    const due = this.dueAt(receivedAt, processingTime);
    return due === null ? null : formatDayNumber(Math.floor((due + VN_UTC_OFFSET_MS) / DAY_MS));
  }
}

/** Builds a {@link WorkingCalendar}; throws {@link CalendarConfigError} listing every problem. */
export function createWorkingCalendar(policy: CalendarPolicy = {}): WorkingCalendar {
  return new WorkingCalendar(policy);
}

/** The docs/counting-rules.md §2 defaults with the shipped table (sessions 07:00–11:30, 13:30–17:00; cut-off 15:00). */
export const defaultCalendar: WorkingCalendar = new WorkingCalendar();
