import {
  DAY_MS,
  HOUR_MS,
  addDays,
  civilFromDays,
  dayNumberOf,
  daysFromCivil,
  endOfLocalDay,
  formatDayNumber,
  formatInstant,
  formatTimeOfDay,
  isLocalDate,
  localDateOf,
  localInstant,
  parseInstant,
  parseLocalDate,
  parseTimeOfDay,
  startOfLocalDay,
  timeOfDayOf,
  toDayNumber,
  toInstant,
  toLocalDate,
  weekdayOf,
  yearOf,
  yearOfInstant,
} from './time';

describe('local time of Asia/Ho_Chi_Minh (fixed UTC+07:00)', () => {
  it('a local date starts at 17:00 UTC of the previous day', () => {
    expect(startOfLocalDay('2017-01-25')).toBe(Date.UTC(2017, 0, 24, 17));
    expect(endOfLocalDay('2017-01-25')).toBe(Date.UTC(2017, 0, 25, 17));
  });

  it('the local date of an instant shifts at 17:00 UTC', () => {
    expect(localDateOf(Date.UTC(2017, 0, 24, 16, 59, 59, 999))).toBe('2017-01-24');
    expect(localDateOf(Date.UTC(2017, 0, 24, 17))).toBe('2017-01-25');
    expect(timeOfDayOf(Date.UTC(2017, 0, 24, 17))).toBe(0);
    expect(timeOfDayOf(Date.UTC(2017, 0, 25, 3))).toBe(10 * HOUR_MS);
  });

  it('day numbers count days since 1970-01-01, also before it', () => {
    expect(parseLocalDate('1970-01-01')).toBe(0);
    expect(parseLocalDate('1969-12-31')).toBe(-1);
    expect(formatDayNumber(-1)).toBe('1969-12-31');
    expect(dayNumberOf(startOfLocalDay('2017-01-25'))).toBe(parseLocalDate('2017-01-25'));
    expect(toDayNumber(17_191)).toBe(17_191);
    expect(toLocalDate(17_191)).toBe('2017-01-25');
    expect(toLocalDate('2017-01-25')).toBe('2017-01-25');
  });

  it('date arithmetic round-trips over four centuries, leap days included', () => {
    const mismatches: number[] = [];
    let previous = civilFromDays(daysFromCivil(1900, 1, 1) - 1);
    for (let day = daysFromCivil(1900, 1, 1); day <= daysFromCivil(2300, 1, 1); day += 1) {
      const ymd = civilFromDays(day);
      const [y, m, d] = ymd;
      // Each day is the day after the previous one, and converts back.
      const [py, pm, pd] = previous;
      const follows =
        (y === py && m === pm && d === pd + 1) ||
        (d === 1 && ((y === py && m === pm + 1) || (y === py + 1 && m === 1 && pm === 12)));
      if (!follows || daysFromCivil(y, m, d) !== day) mismatches.push(day);
      if (day % 997 === 0 && parseLocalDate(formatDayNumber(day)) !== day) mismatches.push(day);
      previous = ymd;
    }
    expect(mismatches).toEqual([]);
    expect(civilFromDays(daysFromCivil(2000, 3, 1) - 1)).toEqual([2000, 2, 29]);
    expect(civilFromDays(daysFromCivil(1900, 3, 1) - 1)).toEqual([1900, 2, 28]);
    // Independent check against Date for a sample of days.
    for (let day = -30_000; day <= 120_000; day += 101) {
      expect(formatDayNumber(day)).toBe(new Date(day * DAY_MS).toISOString().slice(0, 10));
    }
    expect(isLocalDate('2020-02-29')).toBe(true);
    expect(isLocalDate('2100-02-29')).toBe(false);
    expect(isLocalDate('2000-02-29')).toBe(true);
    expect(addDays('2020-02-28', 1)).toBe('2020-02-29');
    expect(addDays('2021-02-28', 1)).toBe('2021-03-01');
  });

  it('rejects strings that are not real dates', () => {
    for (const bad of ['2017-1-5', '2017-13-01', '2017-02-30', '2017-04-31', '20170101', '', ' 2017-01-01']) {
      expect(isLocalDate(bad)).toBe(false);
      expect(() => parseLocalDate(bad)).toThrow(RangeError);
    }
    expect(isLocalDate(20170101)).toBe(false);
    expect(() => toDayNumber(1.5)).toThrow(RangeError);
    expect(() => addDays('2017-01-01', 0.5)).toThrow(RangeError);
  });

  it('weekdays: 0 = Sunday … 6 = Saturday', () => {
    expect(weekdayOf('1970-01-01')).toBe(4);
    expect(weekdayOf('2017-01-28')).toBe(6); // Tết Đinh Dậu, a Saturday
    expect(weekdayOf('2017-01-29')).toBe(0);
    expect(weekdayOf('2026-02-17')).toBe(2); // Tết Bính Ngọ, a Tuesday
    expect(weekdayOf(-1)).toBe(3);
    expect(yearOf('2027-12-31')).toBe(2027);
    expect(yearOfInstant(localInstant('2027-01-01', '00:00'))).toBe(2027);
    expect(yearOfInstant(localInstant('2027-01-01', '00:00') - 1)).toBe(2026);
  });

  it('addDays keeps the form it was given', () => {
    expect(addDays('2017-01-31', 1)).toBe('2017-02-01');
    expect(addDays(100, -101)).toBe(-1);
  });

  it('times of day parse HH:MM, HH:MM:SS and milliseconds', () => {
    expect(parseTimeOfDay('07:00')).toBe(7 * HOUR_MS);
    expect(parseTimeOfDay('11:30')).toBe(11.5 * HOUR_MS);
    expect(parseTimeOfDay('14:59:59.999')).toBe(15 * HOUR_MS - 1);
    expect(parseTimeOfDay('24:00')).toBe(DAY_MS);
    for (const bad of ['7:00', '24:01', '12:60', '12:00:60', 'noon'])
      expect(() => parseTimeOfDay(bad)).toThrow(RangeError);
    expect(formatTimeOfDay(13.5 * HOUR_MS)).toBe('13:30');
    expect(formatTimeOfDay(15 * HOUR_MS - 1)).toBe('14:59:59.999');
  });

  it('ISO instants: an explicit offset is honoured, no offset means Viet Nam local time', () => {
    const expected = localInstant('2017-03-14', '09:12');
    expect(parseInstant('2017-03-14T09:12:00+07:00')).toBe(expected);
    expect(parseInstant('2017-03-14T02:12:00Z')).toBe(expected);
    expect(parseInstant('2017-03-14T02:12:00.000z')).toBe(expected);
    expect(parseInstant('2017-03-14T09:12')).toBe(expected);
    expect(parseInstant('2017-03-14 09:12:00+0700')).toBe(expected);
    expect(parseInstant('2017-03-13T21:12:00-05:00')).toBe(expected);
    expect(parseInstant('2017-03-14T09:12:00.123456+07')).toBe(expected + 123);
    expect(parseInstant('2017-03-14')).toBe(startOfLocalDay('2017-03-14'));
    for (const bad of ['2017-03-14T25:00', '2017-02-30T10:00', 'yesterday', '2017-03-14T10:00+25:00']) {
      expect(() => parseInstant(bad)).toThrow(RangeError);
    }
  });

  it('instants format as local ISO with +07:00', () => {
    expect(formatInstant(localInstant('2017-01-25', '10:00'))).toBe('2017-01-25T10:00:00+07:00');
    expect(formatInstant(localInstant('2017-01-25', '23:59:59.5'))).toBe('2017-01-25T23:59:59.500+07:00');
    expect(parseInstant(formatInstant(1_234_567_890_123))).toBe(1_234_567_890_123);
  });

  it('toInstant accepts epoch ms, Date and ISO strings', () => {
    const t = localInstant('2020-01-22', '14:00');
    expect(toInstant(t)).toBe(t);
    expect(toInstant(new Date(t))).toBe(t);
    expect(toInstant('2020-01-22T14:00:00+07:00')).toBe(t);
    expect(() => toInstant(Number.NaN)).toThrow(RangeError);
    expect(() => toInstant(new Date(Number.NaN))).toThrow(RangeError);
  });
});
