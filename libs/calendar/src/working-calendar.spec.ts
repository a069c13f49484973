import { HOUR_MS, MINUTE_MS, localInstant, parseLocalDate } from './time';
import { createWorkingCalendar, defaultCalendar as calendar } from './working-calendar';
import type { Duration } from './working-calendar';

const at = localInstant;
const workingDays = (value: number): Duration => ({ value, unit: 'working_days' });
const workingHours = (value: number): Duration => ({ value, unit: 'working_hours' });
const calendarDays = (value: number): Duration => ({ value, unit: 'calendar_days' });

describe('working days (docs/counting-rules.md §2)', () => {
  it('Monday to Friday are working days', () => {
    for (const date of ['2017-03-13', '2017-03-14', '2017-03-15', '2017-03-16', '2017-03-17']) {
      expect(calendar.isWorkingDay(date)).toBe(true);
    }
  });

  it('Saturday and Sunday are not working days', () => {
    expect(calendar.isWorkingDay('2017-03-18')).toBe(false);
    expect(calendar.isWorkingDay('2017-03-19')).toBe(false);
  });

  it('holiday on a weekday is not a working day', () => {
    expect(calendar.isWorkingDay('2017-04-06')).toBe(false); // Giỗ Tổ, Thursday
    expect(calendar.isWorkingDay('2017-01-30')).toBe(false); // Tết, Monday
    expect(calendar.isWorkingDay('2018-12-31')).toBe(false); // swapped day of the 2019 New Year
  });

  it('working Saturday counts as a working day', () => {
    expect(calendar.isWorkingDay('2019-01-05')).toBe(true);
    expect(calendar.isWorkingDay('2026-08-22')).toBe(true);
    expect(calendar.isWorkingDay('2019-01-12')).toBe(false); // an ordinary Saturday
  });

  it('works before 1970 too (negative day numbers)', () => {
    expect(calendar.isWorkingDay('1969-12-27')).toBe(false); // Saturday
    expect(calendar.isWorkingDay('1969-12-29')).toBe(true); // Monday
    expect(calendar.isWorkingDay('1965-01-01')).toBe(true); // Friday
    expect(calendar.nextWorkingDay('1969-12-26')).toBe('1969-12-29');
    expect(calendar.dueAt(at('1969-12-26', '16:00'), workingDays(1))).toBe(at('1969-12-29', '17:00'));
  });

  it('accepts dates as YYYY-MM-DD or day numbers', () => {
    expect(calendar.isWorkingDay(parseLocalDate('2017-04-06'))).toBe(false);
    expect(calendar.isWorkingDay(parseLocalDate('2017-04-07'))).toBe(true);
    expect(() => calendar.isWorkingDay('2017-04-31')).toThrow(RangeError);
  });

  it('a holiday listed on a weekend changes nothing', () => {
    const withWeekendHoliday = calendar.withYear(2030, { holidays: ['2030-01-05'], workingSaturdays: [] });
    expect(withWeekendHoliday.isWorkingDay('2030-01-05')).toBe(false);
    expect(withWeekendHoliday.workingDaysBetween('2030-01-01', '2030-01-31')).toBe(
      calendar.workingDaysBetween('2030-01-01', '2030-01-31'),
    );
  });

  it('nextWorkingDay skips weekends and holidays, in the form it was given', () => {
    expect(calendar.nextWorkingDay('2017-01-25')).toBe('2017-02-02'); // over Tết Đinh Dậu
    expect(calendar.nextWorkingDay('2017-03-17')).toBe('2017-03-20'); // Friday → Monday
    expect(calendar.nextWorkingDay('2019-01-04')).toBe('2019-01-05'); // Friday → working Saturday
    expect(calendar.nextWorkingDay(parseLocalDate('2017-04-28'))).toBe(parseLocalDate('2017-05-03'));
    expect(calendar.workingDayOnOrAfter('2017-03-14')).toBe('2017-03-14');
    expect(calendar.workingDayOnOrAfter('2026-02-14')).toBe('2026-02-23');
    expect(calendar.workingDayOnOrAfter(parseLocalDate('2026-02-14'))).toBe(parseLocalDate('2026-02-23'));
  });

  it('workingDaysBetween counts the working days in (from, to]', () => {
    expect(calendar.workingDaysBetween('2017-03-13', '2017-03-17')).toBe(4);
    expect(calendar.workingDaysBetween('2017-03-17', '2017-03-13')).toBe(-4);
    expect(calendar.workingDaysBetween('2017-01-25', '2017-02-02')).toBe(1);
    expect(calendar.workingDaysBetween('2018-12-28', '2019-01-05')).toBe(4); // 2, 3, 4 and Saturday 5 January
    // 2017: 260 weekdays minus 10 weekday holidays.
    expect(calendar.workingDaysBetween('2016-12-31', '2017-12-31')).toBe(250);
  });

  it('a year outside the table is plain Monday–Friday, and says so', () => {
    expect(calendar.hasTable(2030)).toBe(false);
    expect(calendar.yearStatus(2030)).toEqual({ year: 2030, hasTable: false, source: 'none', confidence: null });
    expect(calendar.isWorkingDay('2030-01-01')).toBe(true); // New Year, but no table
    expect(calendar.isWorkingDay('2030-01-05')).toBe(false);
    expect(calendar.yearsWithoutTable(at('2026-06-01', '10:00'), at('2029-01-01', '10:00'))).toEqual([2028, 2029]);
    expect(calendar.yearsWithoutTable(at('2017-01-01'), at('2027-12-31', '23:59'))).toEqual([]);
    expect(calendar.yearsWithoutTable(at('2016-12-31', '23:59'), at('2017-01-01'))).toEqual([2016]);
    expect(calendar.yearsWithoutTable(at('2030-01-01'), at('2029-01-01'))).toEqual([]);
  });

  it('an uploaded year replaces the default table for that year only', () => {
    const uploaded = calendar.withYear(2017, { holidays: ['2017-03-15'], workingSaturdays: ['2017-03-18'] });
    expect(uploaded.isWorkingDay('2017-01-26')).toBe(true); // default Tết holiday gone
    expect(uploaded.isWorkingDay('2017-03-15')).toBe(false);
    expect(uploaded.isWorkingDay('2017-03-18')).toBe(true);
    expect(uploaded.isWorkingDay('2018-02-14')).toBe(false); // 2018 still default
    expect(uploaded.yearStatus(2017)).toEqual({
      year: 2017,
      hasTable: true,
      source: 'uploaded',
      confidence: 'UPLOADED',
    });
    expect(calendar.isWorkingDay('2017-01-26')).toBe(false); // the original is unchanged
    const twice = uploaded.withYears({ 2028: { holidays: ['2028-01-03'], workingSaturdays: [] } });
    expect(twice.hasTable(2028)).toBe(true);
    expect(twice.isWorkingDay('2028-01-03')).toBe(false);
    expect(twice.isWorkingDay('2017-03-15')).toBe(false);
  });

  it('sessionsOn lists the sessions of a working day and nothing on a day off', () => {
    expect(calendar.sessionsOn('2017-03-14')).toEqual([
      [at('2017-03-14', '07:00'), at('2017-03-14', '11:30')],
      [at('2017-03-14', '13:30'), at('2017-03-14', '17:00')],
    ]);
    expect(calendar.sessionsOn('2017-04-06')).toEqual([]);
    expect(calendar.isWithinSession(at('2017-03-14', '11:29'))).toBe(true);
    expect(calendar.isWithinSession(at('2017-03-14', '11:30'))).toBe(false);
    expect(calendar.isWithinSession(at('2017-04-06', '09:00'))).toBe(false);
  });
});

describe('clock start (docs/counting-rules.md §3)', () => {
  it('clock starts at receipt when received inside a session before the cut-off', () => {
    expect(calendar.clockStart(at('2017-03-14', '09:12'))).toBe(at('2017-03-14', '09:12'));
    expect(calendar.clockStart(at('2017-03-14', '07:00'))).toBe(at('2017-03-14', '07:00'));
    expect(calendar.clockStart(at('2017-03-14', '13:30'))).toBe(at('2017-03-14', '13:30'));
  });

  it('clock starts at 07:00 when received before the first session', () => {
    expect(calendar.clockStart(at('2017-03-14', '00:00'))).toBe(at('2017-03-14', '07:00'));
    expect(calendar.clockStart(at('2017-03-14', '06:59:59.999'))).toBe(at('2017-03-14', '07:00'));
  });

  it('clock starts at the next session when received during lunch', () => {
    expect(calendar.clockStart(at('2017-03-14', '12:15'))).toBe(at('2017-03-14', '13:30'));
    expect(calendar.clockStart(at('2017-03-14', '11:30'))).toBe(at('2017-03-14', '13:30')); // sessions are [start, end)
  });

  it('received at or after 15:00 starts the next working day', () => {
    expect(calendar.clockStart(at('2017-03-14', '15:00'))).toBe(at('2017-03-15', '07:00'));
    expect(calendar.clockStart(at('2017-03-14', '16:30'))).toBe(at('2017-03-15', '07:00'));
    expect(calendar.clockStart(at('2017-03-14', '14:59:59.999'))).toBe(at('2017-03-14', '14:59:59.999'));
    expect(calendar.clockStart(at('2017-03-17', '15:00'))).toBe(at('2017-03-20', '07:00')); // Friday → Monday
  });

  it('received after 17:00 starts the next working day', () => {
    expect(calendar.clockStart(at('2017-03-14', '17:00'))).toBe(at('2017-03-15', '07:00'));
    expect(calendar.clockStart(at('2017-03-14', '23:59'))).toBe(at('2017-03-15', '07:00'));
  });

  it("received on a non-working day starts at the next working day's first session", () => {
    expect(calendar.clockStart(at('2017-03-18', '09:00'))).toBe(at('2017-03-20', '07:00')); // Saturday
    expect(calendar.clockStart(at('2017-04-06', '09:00'))).toBe(at('2017-04-07', '07:00')); // Giỗ Tổ
  });

  it('received after the cut-off on a Friday starts on the working Saturday after it', () => {
    expect(calendar.clockStart(at('2019-01-04', '15:30'))).toBe(at('2019-01-05', '07:00'));
    expect(calendar.clockStart(at('2019-01-05', '10:00'))).toBe(at('2019-01-05', '10:00'));
  });

  it('without a cut-off the afternoon session runs to its end', () => {
    const noCutoff = createWorkingCalendar({ cutoff: null });
    expect(noCutoff.clockStart(at('2017-03-14', '16:59'))).toBe(at('2017-03-14', '16:59'));
    expect(noCutoff.clockStart(at('2017-03-14', '17:00'))).toBe(at('2017-03-15', '07:00'));
  });

  it('a cut-off during lunch sends a lunch-time receipt to the next working day (the clock never starts after the cut-off)', () => {
    const earlyCutoff = createWorkingCalendar({ cutoff: '13:00' });
    expect(earlyCutoff.clockStart(at('2017-03-14', '11:00'))).toBe(at('2017-03-14', '11:00'));
    expect(earlyCutoff.clockStart(at('2017-03-14', '12:00'))).toBe(at('2017-03-15', '07:00'));
  });

  it('rejects a non-finite instant', () => {
    expect(() => calendar.clockStart(Number.NaN)).toThrow(RangeError);
    expect(() => calendar.clockStart(Number.POSITIVE_INFINITY)).toThrow(RangeError);
  });
});

describe('adding working time (docs/counting-rules.md §2)', () => {
  it('one working day is 8 working hours walked through the sessions', () => {
    expect(calendar.addWorkingTime(at('2017-03-14', '10:00'), workingDays(1))).toBe(at('2017-03-15', '10:00'));
    expect(calendar.addWorkingTime(at('2017-03-14', '10:00'), workingHours(8))).toBe(at('2017-03-15', '10:00'));
    expect(calendar.workingMillisOf(workingDays(1))).toBe(8 * HOUR_MS);
  });

  it('working hours skip the lunch break', () => {
    // 10:00–11:30 is 1.5 h, the remaining 0.5 h starts at 13:30.
    expect(calendar.addWorkingTime(at('2017-03-14', '10:00'), workingHours(2))).toBe(at('2017-03-14', '14:00'));
  });

  it('a due that completes a session is that session end: 17:00 of the day, not 07:00 of the next', () => {
    expect(calendar.addWorkingTime(at('2017-03-14', '07:00'), workingDays(1))).toBe(at('2017-03-14', '17:00'));
    expect(calendar.addWorkingTime(at('2017-03-14', '07:00'), workingHours(4.5))).toBe(at('2017-03-14', '11:30'));
    expect(calendar.addWorkingTime(at('2017-03-14', '13:30'), workingHours(3.5))).toBe(at('2017-03-14', '17:00'));
    expect(calendar.dueDate(at('2017-03-14', '07:00'), workingDays(1))).toBe('2017-03-14');
    // One millisecond more goes to the next working day.
    expect(calendar.addWorkingTime(at('2017-03-14', '13:30'), workingHours(3.5 + 1 / HOUR_MS))).toBe(
      at('2017-03-15', '07:00') + 1,
    );
  });

  it('fractional working days work: 0.5 working day = 4 working hours', () => {
    expect(calendar.workingMillisOf(workingDays(0.5))).toBe(4 * HOUR_MS);
    expect(calendar.addWorkingTime(at('2017-03-14', '07:00'), workingDays(0.5))).toBe(at('2017-03-14', '11:00'));
    expect(calendar.addWorkingTime(at('2017-03-14', '09:00'), workingDays(1.25))).toBe(at('2017-03-15', '11:00'));
    expect(calendar.addWorkingTime(at('2017-03-14', '09:00'), workingHours(0.25))).toBe(at('2017-03-14', '09:15'));
  });

  it('a zero duration gives the start itself', () => {
    expect(calendar.addWorkingTime(at('2017-03-14', '09:00'), workingDays(0))).toBe(at('2017-03-14', '09:00'));
    expect(calendar.extendByWorkingTime(at('2017-03-14', '17:00'), 0)).toBe(at('2017-03-14', '17:00'));
  });

  it('working time from outside a session starts counting at the next session', () => {
    expect(calendar.addWorkingTime(at('2017-03-18', '09:00'), workingHours(1))).toBe(at('2017-03-20', '08:00'));
    expect(calendar.addWorkingTime(at('2017-03-14', '12:00'), workingHours(1))).toBe(at('2017-03-14', '14:30'));
  });

  it('calendar_days: start date + N days, due at the end of the last session', () => {
    expect(calendar.addWorkingTime(at('2017-03-14', '09:00'), calendarDays(7))).toBe(at('2017-03-21', '17:00'));
  });

  it('calendar_days moves forward to the next working day', () => {
    // 2017-03-14 + 4 days = Saturday 18 → Monday 20.
    expect(calendar.addWorkingTime(at('2017-03-14', '09:00'), calendarDays(4))).toBe(at('2017-03-20', '17:00'));
    // 2017-04-01 + 5 days = Giỗ Tổ (Thursday 6) → Friday 7.
    expect(calendar.addWorkingTime(at('2017-04-01', '09:00'), calendarDays(5))).toBe(at('2017-04-07', '17:00'));
  });

  it('calendar_days counts from the clock start, so a receipt after the cut-off counts from the next working day', () => {
    // Friday 2017-03-17 16:00 → clock Monday 20 07:00; + 3 days = Thursday 23.
    expect(calendar.dueAt(at('2017-03-17', '16:00'), calendarDays(3))).toBe(at('2017-03-23', '17:00'));
    expect(calendar.dueAt(at('2017-03-17', '14:00'), calendarDays(3))).toBe(at('2017-03-20', '17:00'));
  });

  it('calendar_days 0 is the end of the start day ("trong ngày"); fractions use start + value × 24 h', () => {
    expect(calendar.dueAt(at('2017-03-14', '09:00'), calendarDays(0))).toBe(at('2017-03-14', '17:00'));
    expect(calendar.addWorkingTime(at('2017-03-14', '09:00'), calendarDays(0.5))).toBe(at('2017-03-14', '17:00')); // 21:00 same day
    expect(calendar.addWorkingTime(at('2017-03-14', '14:00'), calendarDays(0.5))).toBe(at('2017-03-15', '17:00')); // 02:00 next day
  });

  it('calendar_days never gives an instant before the start', () => {
    expect(calendar.addWorkingTime(at('2017-03-14', '20:00'), calendarDays(0))).toBe(at('2017-03-15', '17:00'));
  });

  it('rejects negative, non-finite and unknown durations', () => {
    const start = at('2017-03-14', '09:00');
    expect(() => calendar.addWorkingTime(start, workingDays(-1))).toThrow(RangeError);
    expect(() => calendar.addWorkingTime(start, workingHours(Number.NaN))).toThrow(RangeError);
    expect(() => calendar.addWorkingTime(start, calendarDays(Number.POSITIVE_INFINITY))).toThrow(RangeError);
    expect(() => calendar.addWorkingTime(start, { value: 1, unit: 'weeks' } as unknown as Duration)).toThrow(
      /unknown duration unit/,
    );
    expect(() => calendar.workingMillisOf(calendarDays(1))).toThrow(RangeError);
    expect(() => calendar.extendByWorkingTime(start, -1)).toThrow(RangeError);
  });
});

describe('due date (docs/counting-rules.md §3)', () => {
  it('no processing time → no due date', () => {
    expect(calendar.dueAt(at('2017-03-14', '09:00'), null)).toBeNull();
    expect(calendar.dueAt(at('2017-03-14', '09:00'), undefined)).toBeNull();
    expect(calendar.dueDate(at('2017-03-14', '09:00'), null)).toBeNull();
  });

  it('the due is the processing time added to the clock start', () => {
    const received = at('2017-03-14', '16:00');
    expect(calendar.dueAt(received, workingDays(3))).toBe(
      calendar.addWorkingTime(calendar.clockStart(received), workingDays(3)),
    );
    expect(calendar.dueAt(received, workingDays(3))).toBe(at('2017-03-17', '17:00'));
    expect(calendar.dueDate(received, workingDays(3))).toBe('2017-03-17');
  });
});

describe('pauses (docs/counting-rules.md §3)', () => {
  it('elapsed working time counts only session time on working days', () => {
    expect(calendar.workingMillisBetween(at('2017-03-14', '10:00'), at('2017-03-14', '14:00'))).toBe(2 * HOUR_MS);
    expect(calendar.workingMillisBetween(at('2017-03-17', '16:00'), at('2017-03-20', '08:00'))).toBe(2 * HOUR_MS);
    expect(calendar.workingMillisBetween(at('2017-03-14', '11:40'), at('2017-03-14', '13:20'))).toBe(0);
    expect(calendar.workingMillisBetween(at('2017-03-14', '07:00'), at('2017-03-14', '07:01'))).toBe(MINUTE_MS);
  });

  it('elapsed working time is 0 when the end is not after the start', () => {
    expect(calendar.workingMillisBetween(at('2017-03-14', '10:00'), at('2017-03-14', '10:00'))).toBe(0);
    expect(calendar.workingMillisBetween(at('2017-03-14', '14:00'), at('2017-03-14', '10:00'))).toBe(0);
  });

  it('pause between paused and resumed pushes the due date by the working hours elapsed', () => {
    // Received Tue 2017-03-14 09:00, 5 working days → due Tue 21 09:00 (see worked examples).
    const due = calendar.dueAt(at('2017-03-14', '09:00'), workingDays(5));
    expect(due).toBe(at('2017-03-21', '09:00'));
    // Paused Thu 16 16:00, resumed Mon 20 08:00: 1 h Thursday + 8 h Friday + 1 h Monday = 10 h.
    const paused = calendar.workingMillisBetween(at('2017-03-16', '16:00'), at('2017-03-20', '08:00'));
    expect(paused).toBe(10 * HOUR_MS);
    // Tue 21 09:00 + 10 h: 2.5 h + 3.5 h on Tuesday, 4 h on Wednesday → Wed 22 11:00.
    expect(calendar.extendByWorkingTime(due ?? Number.NaN, paused)).toBe(at('2017-03-22', '11:00'));
  });

  it('a pause entirely outside working time does not move the due date', () => {
    const paused = calendar.workingMillisBetween(at('2017-03-17', '17:30'), at('2017-03-20', '06:45'));
    expect(paused).toBe(0);
    expect(calendar.extendByWorkingTime(at('2017-03-21', '09:00'), paused)).toBe(at('2017-03-21', '09:00'));
  });

  it('pushing a due at 17:00 moves it into the next working day', () => {
    expect(calendar.extendByWorkingTime(at('2017-03-17', '17:00'), 2 * HOUR_MS)).toBe(at('2017-03-20', '09:00'));
  });

  it('a pause across Tết counts only the working hours around it', () => {
    // Paused Wed 2017-01-25 16:00, resumed Thu 2017-02-02 08:00: 1 h + 1 h, Tết in between counts nothing.
    expect(calendar.workingMillisBetween(at('2017-01-25', '16:00'), at('2017-02-02', '08:00'))).toBe(2 * HOUR_MS);
  });
});
