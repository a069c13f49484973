import * as fc from 'fast-check';
import shipped from '../data/holidays-vn.json';
import { DAY_MS, HOUR_MS, MINUTE_MS, localDateOf, localInstant, parseLocalDate, timeOfDayOf } from './time';
import { createWorkingCalendar, defaultCalendar } from './working-calendar';
import type { Duration, WorkingCalendar } from './working-calendar';
import type { YearTable } from './policy';

/**
 * Property tests over random instants 2017–2027. Besides algebraic properties, results are compared
 * with a deliberately naive reference model: it walks day by day with JavaScript Dates (no day
 * numbers, no prefix sums, no binary search) over the same JSON table.
 */

const FROM = localInstant('2017-01-01');
const TO = localInstant('2028-01-01') - 1;
const OFFSET = 7 * HOUR_MS;

interface Model {
  sessions: Array<[number, number]>; // minutes since midnight
  cutoffMinutes: number | null;
  off: Set<string>;
  workingSaturdays: Set<string>;
}

function modelOf(
  tables: Record<string, YearTable>,
  sessions: Array<[number, number]>,
  cutoffMinutes: number | null,
): Model {
  const off = new Set<string>();
  const workingSaturdays = new Set<string>();
  for (const table of Object.values(tables)) {
    table.holidays.forEach((d) => off.add(d));
    table.workingSaturdays.forEach((d) => workingSaturdays.add(d));
  }
  return { sessions, cutoffMinutes, off, workingSaturdays };
}

const defaultModel = modelOf(
  shipped.years,
  [
    [7 * 60, 11 * 60 + 30],
    [13 * 60 + 30, 17 * 60],
  ],
  15 * 60,
);

/** Local midnight of the local day holding `t`, via Date. */
function refMidnight(t: number): number {
  const d = new Date(t + OFFSET);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()) - OFFSET;
}

function refDate(midnight: number): string {
  return new Date(midnight + OFFSET).toISOString().slice(0, 10);
}

function refIsWorking(model: Model, midnight: number): boolean {
  const date = refDate(midnight);
  const weekday = new Date(midnight + OFFSET).getUTCDay();
  if (model.workingSaturdays.has(date)) return true;
  return weekday >= 1 && weekday <= 5 && !model.off.has(date);
}

function refSessions(model: Model, midnight: number): Array<[number, number]> {
  return model.sessions.map(([s, e]) => [midnight + s * MINUTE_MS, midnight + e * MINUTE_MS]);
}

function refBetween(model: Model, a: number, b: number): number {
  let total = 0;
  for (let midnight = refMidnight(a); midnight < b; midnight += DAY_MS) {
    if (!refIsWorking(model, midnight)) continue;
    for (const [s, e] of refSessions(model, midnight)) total += Math.max(0, Math.min(e, b) - Math.max(s, a));
  }
  return total;
}

function refAdd(model: Model, start: number, ms: number): number {
  if (ms === 0) return start;
  let rest = ms;
  for (let midnight = refMidnight(start); ; midnight += DAY_MS) {
    if (!refIsWorking(model, midnight)) continue;
    for (const [s, e] of refSessions(model, midnight)) {
      const from = Math.max(s, start);
      if (from >= e) continue;
      if (rest <= e - from) return from + rest;
      rest -= e - from;
    }
  }
}

function refClockStart(model: Model, t: number): number {
  for (let midnight = refMidnight(t); ; midnight += DAY_MS) {
    if (!refIsWorking(model, midnight)) continue;
    const cutoff = model.cutoffMinutes === null ? Infinity : midnight + model.cutoffMinutes * MINUTE_MS;
    for (const [s, e] of refSessions(model, midnight)) {
      const candidate = Math.max(s, t);
      if (candidate < e && candidate < cutoff) return candidate;
    }
  }
}

function refCalendarDays(model: Model, start: number, days: number): number {
  const last = model.sessions[model.sessions.length - 1]!;
  for (let midnight = refMidnight(start + Math.round(days * DAY_MS)); ; midnight += DAY_MS) {
    const due = midnight + last[1] * MINUTE_MS;
    if (refIsWorking(model, midnight) && due >= start) return due;
  }
}

/** True when `t` lies in [start, end] of a session of a working day. */
function inClosedSession(calendar: WorkingCalendar, t: number, openAtStart: boolean): boolean {
  const date = localDateOf(t);
  return calendar.sessionsOn(date).some(([s, e]) => (openAtStart ? t > s : t >= s) && t <= e);
}

const instant = fc.integer({ min: FROM, max: TO });
/** Instants on whole minutes, which hit session boundaries and the cut-off far more often. */
const minuteInstant = fc
  .integer({ min: Math.ceil(FROM / MINUTE_MS), max: Math.floor(TO / MINUTE_MS) })
  .map((m) => m * MINUTE_MS);
const anyInstant = fc.oneof(instant, minuteInstant);
const workingDuration: fc.Arbitrary<Duration> = fc.oneof(
  fc.integer({ min: 0, max: 800 }).map((n): Duration => ({ value: n / 2, unit: 'working_days' })),
  fc.integer({ min: 0, max: 4000 }).map((n): Duration => ({ value: n / 4, unit: 'working_hours' })),
  fc.double({ min: 0, max: 60, noNaN: true }).map((value): Duration => ({ value, unit: 'working_hours' })),
);
const anyDuration: fc.Arbitrary<Duration> = fc.oneof(
  workingDuration,
  fc.integer({ min: 0, max: 400 }).map((n): Duration => ({ value: n, unit: 'calendar_days' })),
  fc.double({ min: 0, max: 100, noNaN: true }).map((value): Duration => ({ value, unit: 'calendar_days' })),
);

const RUNS = { numRuns: 300 };

describe('properties of the default calendar over 2017–2027', () => {
  const calendar = defaultCalendar;

  it('isWorkingDay agrees with the reference model on every day 2016–2028', () => {
    for (let t = localInstant('2016-01-01'); t < localInstant('2029-01-01'); t += DAY_MS) {
      expect([localDateOf(t), calendar.isWorkingDay(localDateOf(t))]).toEqual([
        localDateOf(t),
        refIsWorking(defaultModel, t),
      ]);
    }
  });

  it('clockStart lands on a working day inside a session before the cut-off, never before receipt, and agrees with the model', () => {
    fc.assert(
      fc.property(anyInstant, (t) => {
        const start = calendar.clockStart(t);
        expect(start).toBeGreaterThanOrEqual(t);
        expect(calendar.isWorkingDay(localDateOf(start))).toBe(true);
        expect(calendar.isWithinSession(start)).toBe(true);
        expect(timeOfDayOf(start)).toBeLessThan(15 * HOUR_MS);
        expect(start).toBe(refClockStart(defaultModel, t));
      }),
      RUNS,
    );
  });

  it('clockStart is idempotent', () => {
    fc.assert(
      fc.property(anyInstant, (t) => {
        const start = calendar.clockStart(t);
        expect(calendar.clockStart(start)).toBe(start);
      }),
      RUNS,
    );
  });

  it('working time skipped before the clock starts is only the rest of a receipt day after the cut-off', () => {
    fc.assert(
      fc.property(anyInstant, (t) => {
        const skipped = calendar.workingMillisBetween(t, calendar.clockStart(t));
        if (timeOfDayOf(t) < 15 * HOUR_MS) expect(skipped).toBe(0);
        else expect(skipped).toBe(calendar.workingMillisBetween(t, localInstant(localDateOf(t), '17:00')));
        expect(skipped).toBeLessThanOrEqual(2 * HOUR_MS);
      }),
      RUNS,
    );
  });

  it('adding then measuring gives back the duration (working_hours / working_days)', () => {
    fc.assert(
      fc.property(anyInstant, workingDuration, (t, duration) => {
        const start = calendar.clockStart(t);
        const due = calendar.addWorkingTime(start, duration);
        expect(calendar.workingMillisBetween(start, due)).toBe(calendar.workingMillisOf(duration));
      }),
      RUNS,
    );
  });

  it('adding from any instant (not only a clock start) gives back the duration too', () => {
    fc.assert(
      fc.property(anyInstant, fc.integer({ min: 0, max: 200 * 8 * 60 }), (t, minutes) => {
        const due = calendar.extendByWorkingTime(t, minutes * MINUTE_MS);
        expect(calendar.workingMillisBetween(t, due)).toBe(minutes * MINUTE_MS);
      }),
      RUNS,
    );
  });

  it('the due is the earliest instant with that much working time: inside a session or exactly at its end', () => {
    fc.assert(
      fc.property(anyInstant, workingDuration, (t, duration) => {
        const start = calendar.clockStart(t);
        const due = calendar.addWorkingTime(start, duration);
        const ms = calendar.workingMillisOf(duration);
        if (ms === 0) {
          expect(due).toBe(start);
        } else {
          // In (session start, session end] of a working day: never 07:00 or 13:30, possibly 11:30 or 17:00.
          expect(inClosedSession(calendar, due, true)).toBe(true);
          expect(calendar.workingMillisBetween(start, due - 1)).toBe(ms - 1);
        }
      }),
      RUNS,
    );
  });

  it('addWorkingTime agrees with the day-by-day reference model', () => {
    fc.assert(
      fc.property(anyInstant, workingDuration, (t, duration) => {
        const start = calendar.clockStart(t);
        expect(calendar.addWorkingTime(start, duration)).toBe(
          refAdd(defaultModel, start, calendar.workingMillisOf(duration)),
        );
      }),
      { numRuns: 150 },
    );
  });

  it('workingMillisBetween agrees with the reference model', () => {
    fc.assert(
      fc.property(anyInstant, anyInstant, (a, b) => {
        const [from, to] = a <= b ? [a, b] : [b, a];
        expect(calendar.workingMillisBetween(from, to)).toBe(refBetween(defaultModel, from, to));
        expect(calendar.workingMillisBetween(to, from)).toBe(0);
      }),
      { numRuns: 150 },
    );
  });

  it('calendar_days gives the end of the last session of the first working day on or after start + N days', () => {
    fc.assert(
      fc.property(anyInstant, fc.integer({ min: 0, max: 400 }), (t, days) => {
        const start = calendar.clockStart(t);
        const due = calendar.addWorkingTime(start, { value: days, unit: 'calendar_days' });
        expect(timeOfDayOf(due)).toBe(17 * HOUR_MS);
        expect(calendar.isWorkingDay(localDateOf(due))).toBe(true);
        const target = parseLocalDate(localDateOf(start)) + days;
        expect(calendar.workingDayOnOrAfter(target)).toBe(parseLocalDate(localDateOf(due)));
        expect(due).toBe(refCalendarDays(defaultModel, start, days));
      }),
      RUNS,
    );
  });

  it('a longer duration never gives an earlier due', () => {
    fc.assert(
      fc.property(anyInstant, anyDuration, fc.double({ min: 0, max: 50, noNaN: true }), (t, duration, extra) => {
        const start = calendar.clockStart(t);
        const longer: Duration = { value: duration.value + extra, unit: duration.unit };
        expect(calendar.addWorkingTime(start, longer)).toBeGreaterThanOrEqual(calendar.addWorkingTime(start, duration));
      }),
      RUNS,
    );
  });

  it('a later receipt never gives an earlier due', () => {
    fc.assert(
      fc.property(anyInstant, fc.integer({ min: 0, max: 20 * DAY_MS }), anyDuration, (t, later, duration) => {
        const first = calendar.dueAt(t, duration);
        const second = calendar.dueAt(t + later, duration);
        expect(first).not.toBeNull();
        expect(second).toBeGreaterThanOrEqual(first ?? Infinity);
      }),
      RUNS,
    );
  });

  it('workingMillisBetween is additive over a middle point', () => {
    fc.assert(
      fc.property(fc.array(anyInstant, { minLength: 3, maxLength: 3 }), (points) => {
        const [a, m, b] = [...points].sort((x, y) => x - y) as [number, number, number];
        expect(calendar.workingMillisBetween(a, b)).toBe(
          calendar.workingMillisBetween(a, m) + calendar.workingMillisBetween(m, b),
        );
      }),
      RUNS,
    );
  });

  it('workingMillisBetween never exceeds the elapsed time and grows with the interval', () => {
    fc.assert(
      fc.property(
        anyInstant,
        fc.integer({ min: 0, max: 30 * DAY_MS }),
        fc.integer({ min: 0, max: DAY_MS }),
        (a, span, more) => {
          const w = calendar.workingMillisBetween(a, a + span);
          expect(w).toBeGreaterThanOrEqual(0);
          expect(w).toBeLessThanOrEqual(span);
          expect(calendar.workingMillisBetween(a, a + span + more)).toBeGreaterThanOrEqual(w);
        },
      ),
      RUNS,
    );
  });

  it('a pause pushes the due by exactly the working time it lasted', () => {
    fc.assert(
      fc.property(
        anyInstant,
        workingDuration,
        anyInstant,
        fc.integer({ min: 0, max: 30 * DAY_MS }),
        (t, duration, pausedAt, length) => {
          const due = calendar.dueAt(t, duration) ?? Number.NaN;
          const paused = calendar.workingMillisBetween(pausedAt, pausedAt + length);
          const extended = calendar.extendByWorkingTime(due, paused);
          expect(extended).toBeGreaterThanOrEqual(due);
          expect(calendar.workingMillisBetween(due, extended)).toBe(paused);
        },
      ),
      RUNS,
    );
  });

  it('the due date is the local date of the due instant, and never before the receipt date', () => {
    fc.assert(
      fc.property(anyInstant, anyDuration, (t, duration) => {
        const due = calendar.dueAt(t, duration) ?? Number.NaN;
        const date = calendar.dueDate(t, duration);
        expect(date).toBe(localDateOf(due));
        expect((date ?? '') >= localDateOf(t)).toBe(true);
      }),
      RUNS,
    );
  });
});

describe('properties with other policies and uploaded tables', () => {
  // Three sessions, an unusual cut-off, a 7.5 h working day.
  const sessions: Array<[number, number]> = [
    [6 * 60, 8 * 60],
    [9 * 60 + 15, 12 * 60],
    [13 * 60, 18 * 60 + 45],
  ];
  const odd = createWorkingCalendar({
    sessions: [
      { start: '06:00', end: '08:00' },
      { start: '09:15', end: '12:00' },
      { start: '13:00', end: '18:45' },
    ],
    cutoff: '16:00',
    workingDayHours: 7.5,
  });
  const oddModel = modelOf(shipped.years, sessions, 16 * 60);

  it('three sessions: clockStart, addWorkingTime and workingMillisBetween agree with the model', () => {
    fc.assert(
      fc.property(anyInstant, workingDuration, anyInstant, (t, duration, other) => {
        const start = odd.clockStart(t);
        expect(start).toBe(refClockStart(oddModel, t));
        const ms = odd.workingMillisOf(duration);
        const due = odd.addWorkingTime(start, duration);
        expect(due).toBe(refAdd(oddModel, start, ms));
        expect(odd.workingMillisBetween(start, due)).toBe(ms);
        const [a, b] = t <= other ? [t, other] : [other, t];
        expect(odd.workingMillisBetween(a, b)).toBe(refBetween(oddModel, a, b));
        expect(odd.addWorkingTime(start, { value: 3, unit: 'calendar_days' })).toBe(
          refCalendarDays(oddModel, start, 3),
        );
      }),
      { numRuns: 100 },
    );
  });

  const year = 2030;
  const daysOf2030 = Array.from({ length: 365 }, (_, i) => localDateOf(localInstant('2030-01-01') + i * DAY_MS));
  const weekdays2030 = daysOf2030.filter((d) => {
    const w = new Date(`${d}T00:00:00Z`).getUTCDay();
    return w >= 1 && w <= 5;
  });
  const saturdays2030 = daysOf2030.filter((d) => new Date(`${d}T00:00:00Z`).getUTCDay() === 6);

  it('random uploaded tables: the calendar follows the table exactly', () => {
    fc.assert(
      fc.property(
        fc.subarray(weekdays2030, { maxLength: 60 }),
        fc.subarray(saturdays2030, { maxLength: 20 }),
        fc.integer({ min: localInstant('2029-11-01'), max: localInstant('2031-02-01') }),
        fc.integer({ min: 0, max: 120 * 8 * 60 }),
        (holidays, workingSaturdays, t, minutes) => {
          const table: YearTable = { holidays, workingSaturdays };
          const uploaded = defaultCalendar.withYear(year, table);
          const model = modelOf({ ...shipped.years, [year]: table }, defaultModel.sessions, 15 * 60);
          const start = uploaded.clockStart(t);
          expect(start).toBe(refClockStart(model, t));
          const due = uploaded.extendByWorkingTime(start, minutes * MINUTE_MS);
          expect(due).toBe(refAdd(model, start, minutes * MINUTE_MS));
          expect(uploaded.workingMillisBetween(t, due)).toBe(refBetween(model, t, due));
          expect(uploaded.workingDaysBetween('2029-12-31', '2030-12-31')).toBe(
            weekdays2030.length - holidays.length + workingSaturdays.length,
          );
        },
      ),
      { numRuns: 100 },
    );
  });
});
