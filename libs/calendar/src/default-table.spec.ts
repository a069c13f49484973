import shipped from '../data/holidays-vn.json';
import {
  CONFIRMED_YEARS,
  DEFAULT_HOLIDAY_TABLE,
  DEFAULT_TABLE_YEARS,
  INFERRED_YEARS,
  defaultYearEntry,
} from './default-table';
import { isLocalDate, weekdayOf, yearOf } from './time';
import { defaultCalendar } from './working-calendar';

const rawYears: Record<
  string,
  { holidays: string[]; workingSaturdays: string[]; confidence: string; sources: string[] }
> = shipped.years;

describe('the shipped default table (libs/calendar/data/holidays-vn.json)', () => {
  it('has every year 2017–2027, in order', () => {
    expect(DEFAULT_TABLE_YEARS).toEqual([2017, 2018, 2019, 2020, 2021, 2022, 2023, 2024, 2025, 2026, 2027]);
    expect(Object.keys(rawYears).map(Number)).toEqual([...DEFAULT_TABLE_YEARS]);
  });

  it('matches the JSON file entry by entry, keeping sources and confidence', () => {
    expect(DEFAULT_HOLIDAY_TABLE.sourceNote).toBe(shipped.source_note);
    expect(DEFAULT_HOLIDAY_TABLE.sourceNote).toMatch(/CONFIRMED/);
    for (const [key, raw] of Object.entries(rawYears)) {
      const entry = defaultYearEntry(Number(key));
      expect(entry).toBeDefined();
      expect(entry?.holidays).toEqual(raw.holidays);
      expect(entry?.workingSaturdays).toEqual(raw.workingSaturdays);
      expect(entry?.confidence).toBe(raw.confidence);
      expect(entry?.sources).toEqual(raw.sources);
      expect(entry?.sources.length).toBeGreaterThan(0);
    }
    expect(defaultYearEntry(2016)).toBeUndefined();
    expect(defaultYearEntry(2028)).toBeUndefined();
  });

  it('2017–2026 are CONFIRMED, 2027 is INFERRED', () => {
    expect(CONFIRMED_YEARS).toEqual([2017, 2018, 2019, 2020, 2021, 2022, 2023, 2024, 2025, 2026]);
    expect(INFERRED_YEARS).toEqual([2027]);
    expect(defaultCalendar.yearStatus(2027)).toEqual({
      year: 2027,
      hasTable: true,
      source: 'default',
      confidence: 'INFERRED',
    });
    expect(defaultCalendar.yearStatus(2017).confidence).toBe('CONFIRMED');
  });

  it('every listed holiday is a real weekday date of its own year, listed once', () => {
    for (const entry of DEFAULT_HOLIDAY_TABLE.years) {
      expect(new Set(entry.holidays).size).toBe(entry.holidays.length);
      for (const date of entry.holidays) {
        expect(isLocalDate(date)).toBe(true);
        expect(yearOf(date)).toBe(entry.year);
        expect([1, 2, 3, 4, 5]).toContain(weekdayOf(date));
        expect(defaultCalendar.isWorkingDay(date)).toBe(false);
      }
    }
  });

  it('every working Saturday is a Saturday of its own year and is a working day', () => {
    const all: string[] = [];
    for (const entry of DEFAULT_HOLIDAY_TABLE.years) {
      for (const date of entry.workingSaturdays) {
        expect(yearOf(date)).toBe(entry.year);
        expect(weekdayOf(date)).toBe(6);
        expect(entry.holidays).not.toContain(date);
        expect(defaultCalendar.isWorkingDay(date)).toBe(true);
        all.push(date);
      }
    }
    expect(all).toEqual(['2019-01-05', '2019-05-04', '2024-05-04', '2025-04-26', '2026-01-10', '2026-08-22']);
  });

  it('each year has the statutory weekdays off plus its swaps (10 before 2021, 11 from 2021, more with swaps)', () => {
    // Labour Code 2012: 10 holidays a year; Labour Code 2019 (from 2021): 11. Holidays falling on a
    // weekend move to a weekday, so the weekday count equals the statutory count, plus swapped days
    // (each balanced by a make-up working Saturday, possibly in the next year: 2018-12-31 ↔ 2019-01-05).
    const counts = Object.fromEntries(
      DEFAULT_HOLIDAY_TABLE.years.map((e) => [e.year, [e.holidays.length, e.workingSaturdays.length]]),
    );
    expect(counts).toEqual({
      2017: [10, 0],
      2018: [11, 0], // + Mon 2018-12-31, swapped for the 2019 New Year
      2019: [11, 2], // 10 + Mon 29/4 swapped; make-up Saturdays 5/1 (for 31/12/2018) and 4/5
      2020: [10, 0],
      2021: [11, 0],
      2022: [11, 0],
      2023: [11, 0],
      2024: [12, 1], // + Mon 29/4 swapped, make-up Sat 4/5
      2025: [12, 1], // + Fri 2/5 swapped, make-up Sat 26/4
      2026: [13, 2], // + Fri 2/1 and Mon 31/8 swapped, make-up Sat 10/1 and 22/8
      2027: [11, 0],
    });
  });
});
