import raw from '../data/holidays-vn.json';
import { CalendarConfigError, validateYearTable } from './policy';
import type { CalendarIssue, YearTable } from './policy';
import type { LocalDate } from './time';

/**
 * The shipped default calendar of Viet Nam's civil servants (`libs/calendar/data/holidays-vn.json`,
 * a copy of the product's `holidays-vn.json`): per year, the weekdays off and the make-up working
 * Saturdays, with where they come from.
 *
 * CONFIRMED = taken from the Government Office notice or a report quoting it;
 * INFERRED = derived from the Labour Code and past practice, to be replaced when the notice is out.
 */
export type TableConfidence = 'CONFIRMED' | 'INFERRED';

export interface DefaultYearEntry extends YearTable {
  readonly year: number;
  readonly holidays: readonly LocalDate[];
  readonly workingSaturdays: readonly LocalDate[];
  readonly confidence: TableConfidence;
  readonly sources: readonly string[];
  readonly notes: string;
}

export interface DefaultHolidayTable {
  /** The file's `source_note`: what is listed and how. */
  readonly sourceNote: string;
  /** Entries in year order. */
  readonly years: readonly DefaultYearEntry[];
}

interface RawEntry {
  holidays: string[];
  workingSaturdays: string[];
  confidence: string;
  sources: string[];
  notes: string;
}

function load(): DefaultHolidayTable {
  const rawYears: Record<string, RawEntry> = raw.years;
  const issues: CalendarIssue[] = [];
  const years: DefaultYearEntry[] = [];
  for (const [key, entry] of Object.entries(rawYears)) {
    const year = Number(key);
    const path = `holidays-vn.json/years/${key}`;
    issues.push(...validateYearTable(year, entry, path));
    if (entry.confidence !== 'CONFIRMED' && entry.confidence !== 'INFERRED') {
      issues.push({ path: `${path}/confidence`, message: 'must be CONFIRMED or INFERRED' });
      continue;
    }
    years.push(
      Object.freeze({
        year,
        holidays: Object.freeze([...entry.holidays]),
        workingSaturdays: Object.freeze([...entry.workingSaturdays]),
        confidence: entry.confidence,
        sources: Object.freeze([...entry.sources]),
        notes: entry.notes,
      }),
    );
  }
  if (issues.length > 0) throw new CalendarConfigError(issues);
  years.sort((a, b) => a.year - b.year);
  return Object.freeze({ sourceNote: raw.source_note, years: Object.freeze(years) });
}

/** The shipped default table, validated when this module loads. */
export const DEFAULT_HOLIDAY_TABLE: DefaultHolidayTable = load();

const BY_YEAR: ReadonlyMap<number, DefaultYearEntry> = new Map(DEFAULT_HOLIDAY_TABLE.years.map((e) => [e.year, e]));

/** Years the default table covers (2017–2027). */
export const DEFAULT_TABLE_YEARS: readonly number[] = Object.freeze(DEFAULT_HOLIDAY_TABLE.years.map((e) => e.year));
/** Years of the default table taken from official notices. */
export const CONFIRMED_YEARS: readonly number[] = Object.freeze(
  DEFAULT_HOLIDAY_TABLE.years.filter((e) => e.confidence === 'CONFIRMED').map((e) => e.year),
);
/** Years of the default table inferred from the Labour Code (no notice yet): replace them by upload. */
export const INFERRED_YEARS: readonly number[] = Object.freeze(
  DEFAULT_HOLIDAY_TABLE.years.filter((e) => e.confidence === 'INFERRED').map((e) => e.year),
);

/** The default table's entry for `year`, if it has one. */
export function defaultYearEntry(year: number): DefaultYearEntry | undefined {
  return BY_YEAR.get(year);
}
