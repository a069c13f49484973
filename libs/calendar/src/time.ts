/**
 * Local time of Asia/Ho_Chi_Minh without Intl.
 *
 * Viet Nam has kept UTC+07:00 with no daylight saving time since 1975, so a local wall-clock
 * reading is the epoch milliseconds shifted by a fixed 7 h. Everything here is integer arithmetic
 * on epoch milliseconds: no Date objects are created on the hot paths.
 *
 * Vocabulary:
 * - {@link Instant}: epoch milliseconds (UTC), the only representation of a point in time.
 * - {@link LocalDate}: a local calendar date `YYYY-MM-DD`.
 * - {@link DayNumber}: the same date as an integer, days since 1970-01-01 (local), so day 0 is
 *   Thursday 1970-01-01 and day 17191 is 2017-01-25.
 * - time of day: milliseconds since local midnight, 0 ≤ t < 86 400 000.
 */

/** Epoch milliseconds (UTC). */
export type Instant = number;
/** A local calendar date, `YYYY-MM-DD`. */
export type LocalDate = string;
/** Days since 1970-01-01 (local calendar). */
export type DayNumber = number;
/** A local date given either way. */
export type LocalDateLike = LocalDate | DayNumber;

export const SECOND_MS = 1_000;
export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;
/** Asia/Ho_Chi_Minh is UTC+07:00 all year (no DST since 1975). */
export const VN_UTC_OFFSET_MS = 7 * HOUR_MS;

/** Day of week of a {@link DayNumber}: 0 = Sunday … 6 = Saturday (as `Date#getDay`). */
export type Weekday = 0 | 1 | 2 | 3 | 4 | 5 | 6;

const LOCAL_DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME_RE = /^(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?$/;
const INSTANT_RE =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/** Days from 1970-01-01 to the proleptic Gregorian date y-m-d (H. Hinnant's algorithm). */
export function daysFromCivil(y: number, m: number, d: number): DayNumber {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m > 2 ? m - 3 : m + 9) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

/** The proleptic Gregorian [year, month 1-12, day 1-31] of a {@link DayNumber}. */
export function civilFromDays(day: DayNumber): [year: number, month: number, day: number] {
  const z = day + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return [yoe + era * 400 + (m <= 2 ? 1 : 0), m, d];
}

function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

/** True when `value` is a real calendar date written `YYYY-MM-DD`. */
export function isLocalDate(value: unknown): value is LocalDate {
  if (typeof value !== 'string') return false;
  const match = LOCAL_DATE_RE.exec(value);
  if (!match) return false;
  const y = Number(match[1]);
  const m = Number(match[2]);
  const d = Number(match[3]);
  return m >= 1 && m <= 12 && d >= 1 && d <= daysInMonth(y, m);
}

/** `YYYY-MM-DD` → {@link DayNumber}; throws a RangeError for anything else. */
export function parseLocalDate(value: LocalDate): DayNumber {
  const match = LOCAL_DATE_RE.exec(value);
  if (match) {
    const y = Number(match[1]);
    const m = Number(match[2]);
    const d = Number(match[3]);
    if (m >= 1 && m <= 12 && d >= 1 && d <= daysInMonth(y, m)) return daysFromCivil(y, m, d);
  }
  throw new RangeError(`not a local date YYYY-MM-DD: ${JSON.stringify(value)}`);
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** {@link DayNumber} → `YYYY-MM-DD`. */
export function formatDayNumber(day: DayNumber): LocalDate {
  if (!Number.isSafeInteger(day)) throw new RangeError(`not a day number: ${day}`);
  const [y, m, d] = civilFromDays(day);
  return `${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}`;
}

/** Either form of a local date → {@link DayNumber}. */
export function toDayNumber(date: LocalDateLike): DayNumber {
  if (typeof date === 'number') {
    if (!Number.isSafeInteger(date)) throw new RangeError(`not a day number: ${date}`);
    return date;
  }
  return parseLocalDate(date);
}

/** Either form of a local date → `YYYY-MM-DD`. */
export function toLocalDate(date: LocalDateLike): LocalDate {
  return typeof date === 'number' ? formatDayNumber(date) : formatDayNumber(parseLocalDate(date));
}

/** The local day (as a {@link DayNumber}) an instant falls in. */
export function dayNumberOf(instant: Instant): DayNumber {
  return Math.floor((instant + VN_UTC_OFFSET_MS) / DAY_MS);
}

/** The local date `YYYY-MM-DD` an instant falls in. */
export function localDateOf(instant: Instant): LocalDate {
  return formatDayNumber(dayNumberOf(instant));
}

/** Milliseconds since local midnight, 0 ≤ result < 86 400 000. */
export function timeOfDayOf(instant: Instant): number {
  const local = instant + VN_UTC_OFFSET_MS;
  return local - Math.floor(local / DAY_MS) * DAY_MS;
}

/** The instant of local midnight starting `date`. */
export function startOfLocalDay(date: LocalDateLike): Instant {
  return toDayNumber(date) * DAY_MS - VN_UTC_OFFSET_MS;
}

/** The instant of local midnight ending `date` (= the start of the next day, exclusive). */
export function endOfLocalDay(date: LocalDateLike): Instant {
  return (toDayNumber(date) + 1) * DAY_MS - VN_UTC_OFFSET_MS;
}

/** `HH:MM`, `HH:MM:SS` or `HH:MM:SS.mmm` → milliseconds since midnight (`24:00` allowed). */
export function parseTimeOfDay(value: string): number {
  const match = TIME_RE.exec(value);
  if (match) {
    const h = Number(match[1]);
    const min = Number(match[2]);
    const s = match[3] === undefined ? 0 : Number(match[3]);
    const ms = match[4] === undefined ? 0 : Number(match[4].padEnd(3, '0'));
    const total = h * HOUR_MS + min * MINUTE_MS + s * SECOND_MS + ms;
    if (min < 60 && s < 60 && total <= DAY_MS) return total;
  }
  throw new RangeError(`not a time of day HH:MM[:SS[.mmm]]: ${JSON.stringify(value)}`);
}

/** Milliseconds since midnight → `HH:MM`, with `:SS` / `.mmm` only when not zero. */
export function formatTimeOfDay(ms: number): string {
  const h = Math.floor(ms / HOUR_MS);
  const min = Math.floor((ms % HOUR_MS) / MINUTE_MS);
  const s = Math.floor((ms % MINUTE_MS) / SECOND_MS);
  const milli = ms % SECOND_MS;
  let out = `${pad(h, 2)}:${pad(min, 2)}`;
  if (s !== 0 || milli !== 0) out += `:${pad(s, 2)}`;
  if (milli !== 0) out += `.${pad(milli, 3)}`;
  return out;
}

/** The instant at local wall-clock `time` (`HH:MM[:SS[.mmm]]`, default midnight) on `date`. */
export function localInstant(date: LocalDateLike, time = '00:00'): Instant {
  return startOfLocalDay(date) + parseTimeOfDay(time);
}

/** Day of week of a local date: 0 = Sunday … 6 = Saturday. */
export function weekdayOf(date: LocalDateLike): Weekday {
  // Day 0 (1970-01-01) was a Thursday.
  const d = toDayNumber(date);
  return ((((d + 4) % 7) + 7) % 7) as Weekday;
}

/** The calendar year of a local date. */
export function yearOf(date: LocalDateLike): number {
  return civilFromDays(toDayNumber(date))[0];
}

/** The local calendar year an instant falls in. */
export function yearOfInstant(instant: Instant): number {
  return civilFromDays(dayNumberOf(instant))[0];
}

/** Adds `days` calendar days to a local date, keeping its form. */
export function addDays(date: LocalDate, days: number): LocalDate;
export function addDays(date: DayNumber, days: number): DayNumber;
export function addDays(date: LocalDateLike, days: number): LocalDateLike;
export function addDays(date: LocalDateLike, days: number): LocalDateLike {
  if (!Number.isSafeInteger(days)) throw new RangeError(`not a whole number of days: ${days}`);
  return typeof date === 'number' ? toDayNumber(date) + days : formatDayNumber(parseLocalDate(date) + days);
}

/**
 * Parses an ISO-8601 date-time into an {@link Instant}. With `Z` or an offset (`+07:00`, `+0700`,
 * `+07`) it is taken as written; without an offset it is read as Viet Nam local time (never the
 * host's time zone). A bare date means local midnight. Fractions beyond milliseconds are truncated.
 */
export function parseInstant(value: string): Instant {
  const match = INSTANT_RE.exec(value);
  if (match && isLocalDate(`${match[1]}-${match[2]}-${match[3]}`)) {
    const day = daysFromCivil(Number(match[1]), Number(match[2]), Number(match[3]));
    const h = match[4] === undefined ? 0 : Number(match[4]);
    const min = match[5] === undefined ? 0 : Number(match[5]);
    const s = match[6] === undefined ? 0 : Number(match[6]);
    const ms = match[7] === undefined ? 0 : Number(match[7].slice(0, 3).padEnd(3, '0'));
    if (h <= 23 && min <= 59 && s <= 59) {
      let offset = VN_UTC_OFFSET_MS;
      const zone = match[8];
      if (zone !== undefined) {
        if (zone === 'Z' || zone === 'z') offset = 0;
        else {
          const sign = zone[0] === '-' ? -1 : 1;
          const digits = zone.slice(1).replace(':', '');
          const oh = Number(digits.slice(0, 2));
          const om = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
          if (oh > 23 || om > 59) throw new RangeError(`bad UTC offset in ${JSON.stringify(value)}`);
          offset = sign * (oh * HOUR_MS + om * MINUTE_MS);
        }
      }
      return day * DAY_MS + h * HOUR_MS + min * MINUTE_MS + s * SECOND_MS + ms - offset;
    }
  }
  throw new RangeError(`not an ISO-8601 date-time: ${JSON.stringify(value)}`);
}

/** An instant as Viet Nam local ISO-8601: `2017-01-25T10:00:00+07:00` (`.mmm` only when not zero). */
export function formatInstant(instant: Instant): string {
  const day = dayNumberOf(instant);
  const tod = instant + VN_UTC_OFFSET_MS - day * DAY_MS;
  const h = Math.floor(tod / HOUR_MS);
  const min = Math.floor((tod % HOUR_MS) / MINUTE_MS);
  const s = Math.floor((tod % MINUTE_MS) / SECOND_MS);
  const milli = tod % SECOND_MS;
  const fraction = milli === 0 ? '' : `.${pad(milli, 3)}`;
  return `${formatDayNumber(day)}T${pad(h, 2)}:${pad(min, 2)}:${pad(s, 2)}${fraction}+07:00`;
}

/** Epoch ms, a Date or an ISO-8601 string → {@link Instant} (see {@link parseInstant}). */
export function toInstant(value: Instant | Date | string): Instant {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new RangeError(`not an instant: ${value}`);
    return value;
  }
  if (typeof value === 'string') return parseInstant(value);
  const ms = value.getTime();
  if (!Number.isFinite(ms)) throw new RangeError('invalid Date');
  return ms;
}
