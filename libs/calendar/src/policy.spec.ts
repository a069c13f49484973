import { CalendarConfigError, validateYearTable } from './policy';
import { HOUR_MS, localInstant } from './time';
import { WorkingCalendar, createWorkingCalendar } from './working-calendar';

describe('validateYearTable (body of PUT /v1/reference/calendars/{year})', () => {
  it('accepts a valid table, duplicates and weekend holidays included', () => {
    expect(
      validateYearTable(2028, {
        holidays: ['2028-01-01', '2028-01-01', '2028-01-02'],
        workingSaturdays: ['2028-01-08'],
      }),
    ).toEqual([]);
    expect(validateYearTable(2028, { holidays: [], workingSaturdays: [] })).toEqual([]);
  });

  it('lists every problem with its path', () => {
    const issues = validateYearTable(2028, {
      holidays: ['2028-02-30', '2027-12-31', 20280101, '2028-01-08'],
      workingSaturdays: ['2028-01-09', '2028-01-08', '2029-01-06'],
    });
    expect(issues).toEqual([
      { path: '/holidays/0', message: 'must be a real date YYYY-MM-DD' },
      { path: '/holidays/1', message: '2027-12-31 is not in 2028' },
      { path: '/holidays/2', message: 'must be a real date YYYY-MM-DD' },
      { path: '/workingSaturdays/0', message: '2028-01-09 is not a Saturday' },
      { path: '/workingSaturdays/1', message: '2028-01-08 is also listed as a holiday' },
      { path: '/workingSaturdays/2', message: '2029-01-06 is not in 2028' },
    ]);
  });

  it('rejects a wrong shape or year', () => {
    expect(validateYearTable(2028, null)).toHaveLength(1);
    expect(validateYearTable(2028, [])).toHaveLength(1);
    expect(validateYearTable(2028, { holidays: 'x' })).toEqual([
      { path: '/holidays', message: 'must be an array of dates YYYY-MM-DD' },
      { path: '/workingSaturdays', message: 'must be an array of dates YYYY-MM-DD' },
    ]);
    expect(validateYearTable(20.5, { holidays: [], workingSaturdays: [] })).toHaveLength(1);
    expect(validateYearTable(99999, { holidays: [], workingSaturdays: [] })).toHaveLength(1);
  });
});

describe('CalendarPolicy', () => {
  it('defaults to docs/counting-rules.md §2: sessions 07:00–11:30 and 13:30–17:00, cut-off 15:00, 8 h a day', () => {
    const description = new WorkingCalendar().describe();
    expect(description.sessions).toEqual([
      { start: '07:00', end: '11:30' },
      { start: '13:30', end: '17:00' },
    ]);
    expect(description.cutoff).toBe('15:00');
    expect(description.workingDayHours).toBe(8);
    expect(description.years.map((y) => y.year)).toEqual([
      2017, 2018, 2019, 2020, 2021, 2022, 2023, 2024, 2025, 2026, 2027,
    ]);
  });

  it('sessions are configurable per province, and a working day follows their total', () => {
    const calendar = createWorkingCalendar({
      sessions: [
        { start: '07:30', end: '11:30' },
        { start: '13:00', end: '17:00' },
      ],
    });
    expect(calendar.sessionDayMs).toBe(8 * HOUR_MS);
    expect(calendar.clockStart(localInstant('2017-03-14', '07:00'))).toBe(localInstant('2017-03-14', '07:30'));
    expect(calendar.clockStart(localInstant('2017-03-14', '12:00'))).toBe(localInstant('2017-03-14', '13:00'));
    expect(calendar.dueAt(localInstant('2017-03-14', '07:00'), { value: 1, unit: 'working_days' })).toBe(
      localInstant('2017-03-14', '17:00'),
    );
    const longer = createWorkingCalendar({
      sessions: [
        { start: '08:00', end: '12:00' },
        { start: '13:00', end: '17:30' },
      ],
    });
    expect(longer.workingDayMs).toBe(8.5 * HOUR_MS);
    expect(longer.dueAt(localInstant('2017-03-14', '08:00'), { value: 2, unit: 'working_days' })).toBe(
      localInstant('2017-03-15', '17:30'),
    );
  });

  it('workingDayHours overrides the length of a working day', () => {
    const calendar = createWorkingCalendar({ workingDayHours: 7 });
    // 07:00 + 7 working hours: 4.5 h in the morning, 2.5 h from 13:30.
    expect(calendar.dueAt(localInstant('2017-03-14', '07:00'), { value: 1, unit: 'working_days' })).toBe(
      localInstant('2017-03-14', '16:00'),
    );
    expect(calendar.workingMillisOf({ value: 1, unit: 'working_hours' })).toBe(HOUR_MS);
  });

  it('a single all-day session and no cut-off work too', () => {
    const calendar = createWorkingCalendar({ sessions: [{ start: '08:00', end: '16:00' }], cutoff: null });
    expect(calendar.describe().cutoff).toBeNull();
    expect(calendar.clockStart(localInstant('2017-03-14', '15:59'))).toBe(localInstant('2017-03-14', '15:59'));
    expect(calendar.dueAt(localInstant('2017-03-14', '12:00'), { value: 1, unit: 'working_days' })).toBe(
      localInstant('2017-03-15', '12:00'),
    );
  });

  it('useDefaultTable: false gives plain Monday–Friday', () => {
    const plain = createWorkingCalendar({ useDefaultTable: false });
    expect(plain.isWorkingDay('2017-01-26')).toBe(true);
    expect(plain.hasTable(2017)).toBe(false);
    expect(plain.tableYears()).toEqual([]);
  });

  it('an invalid policy throws one CalendarConfigError listing every problem', () => {
    let error: unknown;
    try {
      createWorkingCalendar({
        sessions: [
          { start: '13:30', end: '17:00' },
          { start: '07:00', end: '11:30' },
          { start: '18:00', end: '24:00' },
          { start: '19:00', end: '18:00' },
          { start: '7h', end: '08:00' },
        ],
        cutoff: '25:00',
        workingDayHours: 0,
        years: { 2028: { holidays: ['2027-05-01'], workingSaturdays: [] } },
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CalendarConfigError);
    const issues = (error as CalendarConfigError).issues.map((i) => i.path);
    expect(issues).toEqual([
      '/sessions/1',
      '/sessions/2/end',
      '/sessions/3',
      '/sessions/4/start',
      '/cutoff',
      '/workingDayHours',
    ]);
    expect(() =>
      createWorkingCalendar({ years: { 2028: { holidays: ['2027-05-01'], workingSaturdays: [] } } }),
    ).toThrow(/\/years\/2028\/holidays\/0: 2027-05-01 is not in 2028/);
  });

  it('rejects an empty session list and a cut-off before the first session', () => {
    expect(() => createWorkingCalendar({ sessions: [] })).toThrow(/\/sessions/);
    expect(() => createWorkingCalendar({ cutoff: '07:00' })).toThrow(
      /\/cutoff: must be after the start of the first session/,
    );
    expect(() => createWorkingCalendar({ cutoff: '07:01' })).not.toThrow();
  });
});
