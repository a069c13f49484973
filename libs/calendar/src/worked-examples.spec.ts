import { localInstant as at } from './time';
import { defaultCalendar as calendar } from './working-calendar';
import type { Duration } from './working-calendar';

/**
 * Due dates worked out by hand from the shipped table (holidays-vn.json) with the default policy:
 * sessions 07:00–11:30 (4.5 h) and 13:30–17:00 (3.5 h), 1 working day = 8 h, cut-off 15:00.
 * A due that completes a session is that session's end (17:00 of the day, not 07:00 of the next).
 */
const workingDays = (value: number): Duration => ({ value, unit: 'working_days' });
const workingHours = (value: number): Duration => ({ value, unit: 'working_hours' });
const calendarDays = (value: number): Duration => ({ value, unit: 'calendar_days' });

describe('worked examples: Tết Đinh Dậu 2017 (weekdays off Thu 26/1 – Wed 1/2)', () => {
  it('received Wed 2017-01-25 10:00 with 5 working days → Wed 2017-02-08 10:00', () => {
    // Clock starts 10:00 (inside the morning session, before 15:00). 5 working days = 40 h.
    // Wed 25/1: 10:00–11:30 (1.5 h) + 13:30–17:00 (3.5 h) = 5 h → 35 h left.
    // Thu 26, Fri 27 off; Sat 28 (mùng 1), Sun 29; Mon 30, Tue 31, Wed 1/2 off.
    // Thu 2/2, Fri 3/2, Mon 6/2, Tue 7/2: 4 × 8 h = 32 h → 3 h left.
    // Wed 8/2: 07:00 + 3 h = 10:00.
    expect(calendar.clockStart(at('2017-01-25', '10:00'))).toBe(at('2017-01-25', '10:00'));
    expect(calendar.dueAt(at('2017-01-25', '10:00'), workingDays(5))).toBe(at('2017-02-08', '10:00'));
  });

  it('received Wed 2017-01-25 16:00 with 5 working days → clock Thu 2017-02-02 07:00, due Wed 2017-02-08 17:00', () => {
    // 16:00 is after the 15:00 cut-off: the clock starts at the next working day's first session,
    // which is Thu 2/2 07:00 (26/1–1/2 are Tết). 40 h = five full days Thu 2, Fri 3, Mon 6, Tue 7,
    // Wed 8, the last one completing at 17:00 → due Wed 8/2 17:00 (date 2017-02-08).
    expect(calendar.clockStart(at('2017-01-25', '16:00'))).toBe(at('2017-02-02', '07:00'));
    expect(calendar.dueAt(at('2017-01-25', '16:00'), workingDays(5))).toBe(at('2017-02-08', '17:00'));
    expect(calendar.dueDate(at('2017-01-25', '16:00'), workingDays(5))).toBe('2017-02-08');
  });

  it('received Tue 2017-01-24 16:59 with 1 working day → clock Wed 25 07:00, due Wed 25 17:00 (just before Tết)', () => {
    expect(calendar.dueAt(at('2017-01-24', '16:59'), workingDays(1))).toBe(at('2017-01-25', '17:00'));
  });
});

describe('worked examples: Tết Canh Tý 2020 (weekdays off Thu 23/1 – Wed 29/1)', () => {
  it('received Wed 2020-01-22 14:00 with 3 working days → Mon 2020-02-03 14:00', () => {
    // Clock 14:00 (before 15:00). 3 working days = 24 h.
    // Wed 22/1: 14:00–17:00 = 3 h → 21 h left. Thu 23 – Wed 29 off (Tết, weekend in between).
    // Thu 30/1 8 h → 13 h; Fri 31/1 8 h → 5 h; Mon 3/2: 07:00–11:30 4.5 h → 0.5 h; 13:30 + 0.5 h = 14:00.
    expect(calendar.dueAt(at('2020-01-22', '14:00'), workingDays(3))).toBe(at('2020-02-03', '14:00'));
  });

  it('lunch: received Wed 2020-01-22 12:15 with 3.5 working hours → clock 13:30, due Wed 22 17:00 (not Thu 30 07:00)', () => {
    // 12:15 is in the lunch break → clock 13:30. 13:30 + 3.5 h = 17:00 exactly: the end of the session.
    expect(calendar.clockStart(at('2020-01-22', '12:15'))).toBe(at('2020-01-22', '13:30'));
    expect(calendar.dueAt(at('2020-01-22', '12:15'), workingHours(3.5))).toBe(at('2020-01-22', '17:00'));
  });

  it('lunch: received Wed 2020-01-22 12:15 with 4.5 working hours → Thu 2020-01-30 08:00', () => {
    // 3.5 h on Wed 22 from 13:30, 1 h left; next working day after Tết is Thu 30/1 → 08:00.
    expect(calendar.dueAt(at('2020-01-22', '12:15'), workingHours(4.5))).toBe(at('2020-01-30', '08:00'));
  });
});

describe('worked examples: Tết Bính Ngọ 2026 (weekdays off Mon 16/2 – Fri 20/2)', () => {
  it('received Fri 2026-02-13 14:00 with 1 working day → Mon 2026-02-23 14:00', () => {
    // Fri 13/2 14:00–17:00 = 3 h → 5 h left. Sat 14, Sun 15, Mon 16 – Fri 20 off, Sat 21, Sun 22.
    // Mon 23/2: 07:00–11:30 4.5 h → 0.5 h; 13:30 + 0.5 h = 14:00.
    expect(calendar.dueAt(at('2026-02-13', '14:00'), workingDays(1))).toBe(at('2026-02-23', '14:00'));
  });

  it('cut-off: received Fri 2026-02-13 at exactly 15:00 with 2 working days → clock Mon 23 07:00, due Tue 2026-02-24 17:00', () => {
    // "At or after 15:00" → next working day's first session: Mon 23/2 07:00. 16 h = Mon + Tue full.
    expect(calendar.clockStart(at('2026-02-13', '15:00'))).toBe(at('2026-02-23', '07:00'));
    expect(calendar.dueAt(at('2026-02-13', '15:00'), workingDays(2))).toBe(at('2026-02-24', '17:00'));
  });

  it('calendar_days landing on a holiday: received Fri 2026-02-06 10:00 with 10 calendar days → Mon 2026-02-23 17:00', () => {
    // Clock 10:00 Fri 6/2; 6/2 + 10 days = Mon 16/2 (Tết) → next working day Mon 23/2, end of its last session.
    expect(calendar.dueAt(at('2026-02-06', '10:00'), calendarDays(10))).toBe(at('2026-02-23', '17:00'));
  });
});

describe('worked examples: 30/4 – 1/5 2017 (break Sat 29/4 – Tue 2/5)', () => {
  it('received Fri 2017-04-28 09:00 with 2 working days → Thu 2017-05-04 09:00', () => {
    // 30/4 fell on Sunday → Tue 2/5 off, plus Mon 1/5. 2 working days = 16 h.
    // Fri 28/4: 09:00–11:30 2.5 h + 13:30–17:00 3.5 h = 6 h → 10 h left.
    // Sat 29 – Tue 2/5 off. Wed 3/5 8 h → 2 h left. Thu 4/5 07:00 + 2 h = 09:00.
    expect(calendar.dueAt(at('2017-04-28', '09:00'), workingDays(2))).toBe(at('2017-05-04', '09:00'));
  });

  it('calendar_days landing on a holiday: received Fri 2017-04-21 09:00 with 10 calendar days → Wed 2017-05-03 17:00', () => {
    // 21/4 + 10 days = Mon 1/5 (holiday) → Tue 2/5 (compensatory day off for 30/4) → Wed 3/5.
    expect(calendar.dueAt(at('2017-04-21', '09:00'), calendarDays(10))).toBe(at('2017-05-03', '17:00'));
  });

  it('calendar_days landing on the weekend before the break: received Wed 2017-04-19 09:00 with 10 calendar days → Wed 2017-05-03 17:00', () => {
    // 19/4 + 10 days = Sat 29/4 → Sun 30/4, Mon 1/5, Tue 2/5 are off → Wed 3/5.
    expect(calendar.dueAt(at('2017-04-19', '09:00'), calendarDays(10))).toBe(at('2017-05-03', '17:00'));
  });
});

describe('worked examples: working Saturdays', () => {
  it('New Year 2019 swap: received Fri 2018-12-28 10:00 with 4 working days → Sat 2019-01-05 10:00', () => {
    // Mon 31/12/2018 (swapped day, listed under 2018) and Tue 1/1/2019 are off; Sat 5/1/2019 is the
    // make-up working Saturday (listed under 2019). 4 working days = 32 h.
    // Fri 28/12: 10:00–11:30 1.5 h + 3.5 h = 5 h → 27 h. Wed 2/1 8 h → 19 h; Thu 3/1 → 11 h; Fri 4/1 → 3 h.
    // Sat 5/1 (working): 07:00 + 3 h = 10:00.
    expect(calendar.dueAt(at('2018-12-28', '10:00'), workingDays(4))).toBe(at('2019-01-05', '10:00'));
  });

  it('New Year 2026 swap: received Fri 2026-01-09 16:00 with 1 working day → clock Sat 10/1 07:00, due Sat 2026-01-10 17:00', () => {
    // After the cut-off on Friday; the next working day is the make-up Saturday 10/1/2026 (for the
    // swapped Fri 2/1). One full day there ends at 17:00.
    expect(calendar.clockStart(at('2026-01-09', '16:00'))).toBe(at('2026-01-10', '07:00'));
    expect(calendar.dueAt(at('2026-01-09', '16:00'), workingDays(1))).toBe(at('2026-01-10', '17:00'));
  });

  it('received on the working Saturday 2024-05-04 at 09:00 with 1 working day → Mon 2024-05-06 09:00', () => {
    expect(calendar.dueAt(at('2024-05-04', '09:00'), workingDays(1))).toBe(at('2024-05-06', '09:00'));
  });
});

describe('worked examples: cut-off, lunch, pause', () => {
  it('cut-off: received Tue 2017-03-14 14:59 with 1 working day → Wed 15 14:59; at 15:00 → Wed 15 17:00', () => {
    // 14:59: clock 14:59; Tue 14:59–17:00 = 2 h 01 → 5 h 59 left; Wed 07:00–11:30 4 h 30 → 1 h 29;
    // 13:30 + 1 h 29 = 14:59. 15:00: clock Wed 07:00, one full day → Wed 17:00.
    expect(calendar.dueAt(at('2017-03-14', '14:59'), workingDays(1))).toBe(at('2017-03-15', '14:59'));
    expect(calendar.dueAt(at('2017-03-14', '15:00'), workingDays(1))).toBe(at('2017-03-15', '17:00'));
  });

  it('Giỗ Tổ 2017 and lunch: received Wed 2017-04-05 11:45 with 2 working days → Mon 2017-04-10 11:30', () => {
    // 11:45 is lunch → clock 13:30. Wed 5/4 13:30–17:00 = 3.5 h → 12.5 h left. Thu 6/4 Giỗ Tổ off.
    // Fri 7/4 8 h → 4.5 h. Mon 10/4 07:00 + 4.5 h = 11:30 (end of the morning session, not 13:30).
    expect(calendar.dueAt(at('2017-04-05', '11:45'), workingDays(2))).toBe(at('2017-04-10', '11:30'));
  });

  it('pause over a weekend: received Tue 2017-03-14 09:00, 5 working days, paused Thu 16 16:00 → resumed Mon 20 08:00', () => {
    // Due before the pause: Tue 14 6 h (09:00–11:30, 13:30–17:00) → 34 h; Wed 15, Thu 16, Fri 17,
    // Mon 20 (32 h) → 2 h; Tue 21 07:00 + 2 h = 09:00.
    // Pause: Thu 16:00–17:00 1 h + Fri 8 h + Mon 07:00–08:00 1 h = 10 h.
    // New due: Tue 21 09:00 + 10 h = 6 h on Tue + 4 h on Wed 22 → 11:00.
    const due = calendar.dueAt(at('2017-03-14', '09:00'), workingDays(5));
    expect(due).toBe(at('2017-03-21', '09:00'));
    const pause = calendar.workingMillisBetween(at('2017-03-16', '16:00'), at('2017-03-20', '08:00'));
    expect(calendar.extendByWorkingTime(at('2017-03-21', '09:00'), pause)).toBe(at('2017-03-22', '11:00'));
  });

  it('a long duration: received Wed 2017-01-25 10:00 with 365 working days → Mon 2018-07-16 10:00', () => {
    // 365 × 8 h = 2920 h = 5 h left on Wed 25/1 + 364 full days + 3 h on the 365th working day after
    // 25/1, which ends at 10:00. Counting working days: 2017 has 260 weekdays − 10 holidays = 250;
    // up to 25/1 it has 17 (18 weekdays 2–25/1 minus Mon 2/1), so 233 remain after 25/1. 365 − 233 =
    // 132 more in 2018: Mon 1/1 – Mon 16/7/2018 is 197 days = 28 weeks + 1 day → 141 weekdays, minus 9
    // holidays (1/1, 14–16/2, 19–20/2, 25/4, 30/4, 1/5) = 132 → the 132nd is Mon 16/7/2018.
    const due = calendar.dueAt(at('2017-01-25', '10:00'), workingDays(365));
    expect(due).toBe(at('2018-07-16', '10:00'));
    expect(calendar.workingDaysBetween('2017-01-25', '2018-07-16')).toBe(365);
  });
});
