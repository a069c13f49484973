import fc from 'fast-check';
import { addDays, createWorkingCalendar, localDateOf, startOfLocalDay } from '@tthc/calendar';
import type { DossierSnapshot } from '@tthc/contracts';
import {
  acceptsReDate,
  clockStartDue,
  countingDueStepsOf,
  countingHistoryOf,
  dueInForceOf,
  dueInstantReachedAt,
  extendedByWaitOf,
  extendedByWorkingTime,
  initialDue,
  isOpen,
  isPendingAt,
  isWaitingAt,
  pendingStateAt,
  publishedDueHistory,
  restartedDue,
  settledDueOf,
  type EffectiveDue,
} from './due-rules';

/**
 * The due rules one by one (docs/counting.md, "Where each rule lives"). 2017-03 has no holiday;
 * sessions 07:00–11:30 and 13:30–17:00 (8 working hours a day), cut-off 15:00.
 */
const calendar = createWorkingCalendar();
const local = (text: string) => Date.parse(`${text}+07:00`);
const iso = (text: string) => new Date(local(text)).toISOString();
const TEN_DAYS = { value: 10, unit: 'working_days' } as const;

function snapshot(overrides: Partial<DossierSnapshot> = {}): DossierSnapshot {
  return {
    dossierCode: 'D',
    version: 1,
    status: 'processing',
    procedureCode: 'P',
    fieldCode: 'F',
    agencyCode: 'A',
    receivingAgencyCode: 'A',
    channel: 'online',
    receivedAt: iso('2017-03-01T09:00:00'),
    dueAt: iso('2017-03-15T09:00:00'),
    dueHistory: [{ dueAt: iso('2017-03-15T09:00:00'), reason: 'initial', effectiveAt: iso('2017-03-01T09:00:00') }],
    rescheduledDueAt: null,
    waiting: [],
    finishedAt: null,
    finishKind: null,
    outcome: null,
    ...overrides,
  };
}

describe('initialDue / restartedDue / clockStartDue', () => {
  it('counts the processing time on the working calendar from the receipt', () => {
    expect(initialDue(local('2017-03-01T09:00:00'), undefined, TEN_DAYS, calendar)).toBe(local('2017-03-15T09:00:00'));
  });
  it('takes the due the desk printed over the processing time', () => {
    expect(initialDue(local('2017-03-01T09:00:00'), '2017-03-31T17:00:00+07:00', TEN_DAYS, calendar)).toBe(
      local('2017-03-31T17:00:00'),
    );
  });
  it('has no due without a processing time and none printed', () => {
    expect(initialDue(local('2017-03-01T09:00:00'), undefined, null, calendar)).toBeNull();
  });
  it('restarts the clock at the supplement with the same rule (after the 15:00 cut-off: next morning)', () => {
    expect(restartedDue(local('2017-03-13T14:00:00'), undefined, TEN_DAYS, calendar)).toBe(
      local('2017-03-27T14:00:00'),
    );
    expect(restartedDue(local('2017-03-13T15:30:00'), undefined, TEN_DAYS, calendar)).toBe(
      local('2017-03-27T17:00:00'),
    );
  });
  it('is the same rule at receipt and at restart, for any instant', () => {
    fc.assert(
      fc.property(fc.integer({ min: local('2017-01-01T00:00:00'), max: local('2019-12-31T00:00:00') }), (at) => {
        expect(initialDue(at, undefined, TEN_DAYS, calendar)).toBe(restartedDue(at, undefined, TEN_DAYS, calendar));
        expect(clockStartDue(at, undefined, TEN_DAYS, calendar)).toBeGreaterThan(at);
      }),
    );
  });
});

describe('extendedByWaitOf / extendedByWorkingTime (pause, and supplement under subtract)', () => {
  it('pushes the due by the working time of the wait', () => {
    // Paused Thu 03-16 16:00 → Mon 03-20 08:00: 1 h + 8 h + 1 h = 10 h. 03-28 09:00 + 10 h = 03-29 11:00.
    expect(
      extendedByWaitOf(
        local('2017-03-28T09:00:00'),
        local('2017-03-16T16:00:00'),
        local('2017-03-20T08:00:00'),
        calendar,
      ),
    ).toBe(local('2017-03-29T11:00:00'));
  });
  it('keeps no due as no due', () => {
    expect(extendedByWaitOf(null, local('2017-03-16T16:00:00'), local('2017-03-20T08:00:00'), calendar)).toBeNull();
    expect(extendedByWorkingTime(null, 3_600_000, calendar)).toBeNull();
  });
  it('never moves the due back, and a wait outside working time moves nothing', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: local('2017-01-01T00:00:00'), max: local('2018-12-31T00:00:00') }),
        fc.integer({ min: 0, max: 30 * 86_400_000 }),
        fc.integer({ min: local('2017-01-01T00:00:00'), max: local('2018-12-31T00:00:00') }),
        (from, length, due) => {
          const extended = extendedByWaitOf(due, from, from + length, calendar) as number;
          expect(extended).toBeGreaterThanOrEqual(due);
          expect(calendar.workingMillisBetween(due, extended)).toBe(calendar.workingMillisBetween(from, from + length));
        },
      ),
    );
    // Saturday to Sunday: no working time.
    expect(
      extendedByWaitOf(
        local('2017-03-15T09:00:00'),
        local('2017-03-18T08:00:00'),
        local('2017-03-19T20:00:00'),
        calendar,
      ),
    ).toBe(local('2017-03-15T09:00:00'));
  });
  it('adds up: two waits extend like one wait of their total working time', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 40 * 3_600_000 }), fc.integer({ min: 0, max: 40 * 3_600_000 }), (a, b) => {
        const due = local('2017-03-15T09:00:00');
        const twice = extendedByWorkingTime(extendedByWorkingTime(due, a, calendar), b, calendar);
        expect(twice).toBe(extendedByWorkingTime(due, a + b, calendar));
      }),
    );
  });
});

describe('acceptsReDate', () => {
  it('accepts the first re-date only (Decree 61/2018 art.19(9))', () => {
    expect(acceptsReDate(null)).toBe(true);
    expect(acceptsReDate(iso('2017-04-10T17:00:00'))).toBe(false);
  });
});

describe('dueInForceOf / publishedDueHistory / countingHistoryOf', () => {
  const history: EffectiveDue[] = [
    { dueAt: local('2017-03-15T09:00:00'), effectiveAt: local('2017-03-01T09:00:00') },
    { dueAt: local('2017-03-27T14:00:00'), effectiveAt: local('2017-03-13T14:00:00') },
  ];
  it('gives the last step in force (none before the first)', () => {
    expect(dueInForceOf(history, local('2017-02-28T00:00:00'))).toBeNull();
    expect(dueInForceOf(history, local('2017-03-13T13:59:59'))).toBe(local('2017-03-15T09:00:00'));
    expect(dueInForceOf(history, local('2017-03-13T14:00:00'))).toBe(local('2017-03-27T14:00:00'));
  });
  it('reads the published history, or the current due from receipt for a snapshot without one', () => {
    expect(publishedDueHistory(snapshot())).toEqual([history[0]]);
    expect(publishedDueHistory(snapshot({ dueHistory: [] }))).toEqual([history[0]]);
  });
  it('round-trips the counting steps an outcome carries; without them reads the published history', () => {
    expect(countingHistoryOf(snapshot(), countingDueStepsOf(history))).toEqual(history);
    expect(countingHistoryOf(snapshot(), undefined)).toEqual(publishedDueHistory(snapshot()));
    expect(countingDueStepsOf([{ dueAt: null, effectiveAt: Number.NaN }])).toEqual([]);
  });
});

describe('isOpen / isPendingAt / isWaitingAt', () => {
  const finished = snapshot({ status: 'resolved', finishedAt: iso('2017-03-10T10:00:00'), finishKind: 'resolved' });
  it('is pending from the receipt until (excluded) the finish', () => {
    expect(isPendingAt(snapshot(), local('2017-03-01T08:59:59'))).toBe(false);
    expect(isPendingAt(snapshot(), local('2017-03-01T09:00:00'))).toBe(true);
    expect(isPendingAt(finished, local('2017-03-10T09:59:59'))).toBe(true);
    expect(isPendingAt(finished, local('2017-03-10T10:00:00'))).toBe(false);
    expect(isOpen(finished)).toBe(false);
  });
  it('never counts a voided dossier', () => {
    expect(isPendingAt(snapshot({ status: 'voided' }), local('2017-03-05T00:00:00'))).toBe(false);
    expect(isOpen(snapshot({ status: 'voided' }))).toBe(false);
  });
  it('waits from the start of a wait until (excluded) its end, or for ever while open', () => {
    const paused = snapshot({
      waiting: [
        { kind: 'pause', from: iso('2017-03-03T10:00:00'), to: iso('2017-03-06T10:00:00') },
        { kind: 'supplement', from: iso('2017-03-08T10:00:00'), to: null },
      ],
    });
    expect(isWaitingAt(paused, local('2017-03-03T09:59:59'))).toBe(false);
    expect(isWaitingAt(paused, local('2017-03-03T10:00:00'))).toBe(true);
    expect(isWaitingAt(paused, local('2017-03-06T10:00:00'))).toBe(false);
    expect(isWaitingAt(paused, local('2030-01-01T00:00:00'))).toBe(true);
  });
});

describe('pendingStateAt (the pending split: overdue list, summaries, II.06a)', () => {
  const history = publishedDueHistory(snapshot());
  it('is within deadline up to and including the due date, overdue from the next day', () => {
    expect(pendingStateAt(snapshot(), history, local('2017-03-15T16:00:00'))).toEqual({
      state: 'within_deadline',
      due: local('2017-03-15T09:00:00'),
    });
    expect(pendingStateAt(snapshot(), history, local('2017-03-16T00:00:00'))).toEqual({
      state: 'overdue',
      due: local('2017-03-15T09:00:00'),
    });
  });
  it('at the end of a past day D (asOf = D + 1) counts a dossier due on D as overdue', () => {
    const endOf15 = startOfLocalDay('2017-03-16') - 1;
    expect(pendingStateAt(snapshot(), history, endOf15, '2017-03-16').state).toBe('overdue');
    expect(pendingStateAt(snapshot(), history, endOf15).state).toBe('within_deadline');
  });
  it('is within deadline while waiting, without a due, and not pending before receipt or after the finish', () => {
    const later = local('2017-04-01T10:00:00');
    const waiting = snapshot({ waiting: [{ kind: 'pause', from: iso('2017-03-20T10:00:00'), to: null }] });
    expect(pendingStateAt(waiting, history, later).state).toBe('within_deadline');
    expect(pendingStateAt(snapshot(), [{ dueAt: null, effectiveAt: local('2017-03-01T09:00:00') }], later)).toEqual({
      state: 'within_deadline',
      due: null,
    });
    expect(pendingStateAt(snapshot(), history, local('2017-02-01T00:00:00')).state).toBe('not_pending');
    const done = snapshot({ finishedAt: iso('2017-03-20T10:00:00'), status: 'resolved', finishKind: 'resolved' });
    expect(pendingStateAt(done, history, later).state).toBe('not_pending');
  });
  it('judges with the history it is given (a policy-adjusted due moves the split)', () => {
    const reDated = [...history, { dueAt: local('2017-04-10T17:00:00'), effectiveAt: local('2017-03-14T09:00:00') }];
    expect(pendingStateAt(snapshot(), reDated, local('2017-04-01T10:00:00')).state).toBe('within_deadline');
    expect(pendingStateAt(snapshot(), history, local('2017-04-01T10:00:00')).state).toBe('overdue');
  });
  it('is overdue exactly when pending, not waiting, and the due date is before asOf (property)', () => {
    const base = local('2017-03-01T00:00:00');
    const day = 86_400_000;
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 60 * day }),
        fc.integer({ min: 0, max: 60 * day }),
        fc.option(fc.integer({ min: 0, max: 60 * day })),
        fc.option(fc.tuple(fc.integer({ min: 0, max: 60 * day }), fc.option(fc.integer({ min: 0, max: 10 * day })))),
        fc.integer({ min: 0, max: 90 * day }),
        (received, dueOffset, finishOffset, wait, atOffset) => {
          const receivedAt = base + received;
          const due = receivedAt + dueOffset;
          const s = snapshot({
            receivedAt: new Date(receivedAt).toISOString(),
            finishedAt: finishOffset === null ? null : new Date(receivedAt + finishOffset).toISOString(),
            waiting:
              wait === null
                ? []
                : [
                    {
                      kind: 'pause',
                      from: new Date(receivedAt + wait[0]).toISOString(),
                      to: wait[1] === null ? null : new Date(receivedAt + wait[0] + wait[1]).toISOString(),
                    },
                  ],
          });
          const at = base + atOffset;
          const h = [{ dueAt: due, effectiveAt: receivedAt }];
          const state = pendingStateAt(s, h, at).state;
          const pending = receivedAt <= at && (finishOffset === null || receivedAt + finishOffset > at);
          const waiting =
            wait !== null && receivedAt + wait[0] <= at && (wait[1] === null || receivedAt + wait[0] + wait[1] > at);
          const expected = !pending
            ? 'not_pending'
            : !waiting && localDateOf(due) < localDateOf(at)
              ? 'overdue'
              : 'within_deadline';
          expect(state).toBe(expected);
          // The same instant judged at a day's end with asOf = the next day: overdue iff due date ≤ that day.
          const endState = pendingStateAt(s, h, at, addDays(localDateOf(at), 1)).state;
          if (pending && !waiting) expect(endState === 'overdue').toBe(localDateOf(due) <= localDateOf(at));
        },
      ),
    );
  });
});

describe('dueInstantReachedAt (the timer: due_instant_reached)', () => {
  it('is reached at the published due instant, a day before the dossier is overdue', () => {
    const s = snapshot();
    expect(dueInstantReachedAt(s, local('2017-03-15T08:59:59'))).toBe(false);
    expect(dueInstantReachedAt(s, local('2017-03-15T09:00:00'))).toBe(true);
    expect(pendingStateAt(s, publishedDueHistory(s), local('2017-03-15T09:00:00')).state).toBe('within_deadline');
  });
  it('is not reached while waiting, without a due, finished or voided', () => {
    const at = local('2017-03-20T10:00:00');
    expect(
      dueInstantReachedAt(snapshot({ waiting: [{ kind: 'pause', from: iso('2017-03-14T10:00:00'), to: null }] }), at),
    ).toBe(false);
    expect(dueInstantReachedAt(snapshot({ dueAt: null }), at)).toBe(false);
    expect(dueInstantReachedAt(snapshot({ status: 'voided' }), at)).toBe(false);
    expect(
      dueInstantReachedAt(
        snapshot({ status: 'resolved', finishedAt: iso('2017-03-16T10:00:00'), finishKind: 'resolved' }),
        at,
      ),
    ).toBe(false);
  });
});

describe('settledDueOf (the overdue index key)', () => {
  const history: EffectiveDue[] = [
    { dueAt: local('2017-03-20T10:00:00'), effectiveAt: local('2017-03-01T08:00:00') },
    { dueAt: local('2017-03-24T10:00:00'), effectiveAt: local('2017-03-30T08:00:00') },
  ];
  it('is the last step of the history, in force or not yet', () => {
    expect(settledDueOf(snapshot(), history)).toBe(local('2017-03-24T10:00:00'));
  });
  it('is null for a finished, voided or open-ended waiting dossier, or one without a due', () => {
    expect(settledDueOf(snapshot({ finishedAt: iso('2017-03-21T08:00:00'), status: 'resolved' }), history)).toBeNull();
    expect(settledDueOf(snapshot({ status: 'voided' }), history)).toBeNull();
    expect(
      settledDueOf(snapshot({ waiting: [{ kind: 'pause', from: iso('2017-03-02T08:00:00'), to: null }] }), history),
    ).toBeNull();
    expect(settledDueOf(snapshot(), [{ dueAt: null, effectiveAt: local('2017-03-01T08:00:00') }])).toBeNull();
  });
  it('keeps a dossier whose waits have all ended', () => {
    const waited = snapshot({
      waiting: [{ kind: 'pause', from: iso('2017-03-02T08:00:00'), to: iso('2017-03-03T08:00:00') }],
    });
    expect(settledDueOf(waited, history)).toBe(local('2017-03-24T10:00:00'));
  });
});
