import { addDays, civilFromDays, parseLocalDate, weekdayOf } from '@tthc/calendar';

/** An inclusive period of local dates. */
export interface Period {
  from: string;
  to: string;
}

export const INTERVALS = ['day', 'week', 'month', 'quarter', 'year'] as const;
export type Interval = (typeof INTERVALS)[number];

/** Days in a period (inclusive). */
export function dayCount(period: Period): number {
  return parseLocalDate(period.to) - parseLocalDate(period.from) + 1;
}

/** The period of equal length just before `period`. */
export function previousPeriod(period: Period): Period {
  const length = dayCount(period);
  return { from: addDays(period.from, -length), to: addDays(period.from, -1) };
}

const pad = (n: number) => String(n).padStart(2, '0');
const dateOf = (year: number, month: number, day: number) => `${year}-${pad(month)}-${pad(day)}`;

/** The last day of the calendar interval that contains `date` (weeks run Monday to Sunday). */
export function endOfInterval(date: string, interval: Interval): string {
  const [year, month] = civilFromDays(parseLocalDate(date));
  switch (interval) {
    case 'day':
      return date;
    case 'week':
      return addDays(date, (7 - weekdayOf(date)) % 7); // weekdayOf: 0 = Sunday
    case 'month':
      return addDays(dateOf(month === 12 ? year + 1 : year, month === 12 ? 1 : month + 1, 1), -1);
    case 'quarter': {
      const nextQuarterMonth = Math.floor((month - 1) / 3) * 3 + 4;
      return nextQuarterMonth > 12 ? dateOf(year, 12, 31) : addDays(dateOf(year, nextQuarterMonth, 1), -1);
    }
    case 'year':
      return dateOf(year, 12, 31);
  }
}

/** How many calendar-aligned intervals [from, to] spans (without building them). */
export function intervalCount(period: Period, interval: Interval): number {
  const from = parseLocalDate(period.from);
  const to = parseLocalDate(period.to);
  const [fy, fm] = civilFromDays(from);
  const [ty, tm] = civilFromDays(to);
  switch (interval) {
    case 'day':
      return to - from + 1;
    case 'week': {
      const monday = (day: number) => day - ((weekdayOf(day) + 6) % 7);
      return (monday(to) - monday(from)) / 7 + 1;
    }
    case 'month':
      return (ty - fy) * 12 + (tm - fm) + 1;
    case 'quarter':
      return (ty - fy) * 4 + (Math.floor((tm - 1) / 3) - Math.floor((fm - 1) / 3)) + 1;
    case 'year':
      return ty - fy + 1;
  }
}

/** The calendar-aligned intervals of `period`, the first and last clipped to it. */
export function splitPeriod(period: Period, interval: Interval): Period[] {
  const result: Period[] = [];
  let from = period.from;
  while (from <= period.to) {
    const end = endOfInterval(from, interval);
    const to = end < period.to ? end : period.to;
    result.push({ from, to });
    from = addDays(to, 1);
  }
  return result;
}

/** Calendar days from local date `a` to local date `b` (b − a). */
export function daysBetween(a: string, b: string): number {
  return parseLocalDate(b) - parseLocalDate(a);
}
