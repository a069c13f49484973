import fc from 'fast-check';
import { addDays, defaultCalendar, localDateOf, localInstant, startOfLocalDay, type LocalDate } from '@tthc/calendar';
import type { DossierSnapshot } from '@tthc/contracts';
import { classify, type Classification } from './classify';
import { contributionOf, type Contribution } from './contribution';
import { arbitrarySnapshot } from '../testing';
import { DEFAULT_COUNTING_POLICIES, effectiveDueHistory, sessionOrdinal, type CountingPolicies } from './policies';

/** An ISO instant from a local date and time (Asia/Ho_Chi_Minh). */
const at = (date: string, time: string) => new Date(localInstant(date, time)).toISOString();
const policies = (overrides: Partial<CountingPolicies>): CountingPolicies => ({
  ...DEFAULT_COUNTING_POLICIES,
  ...overrides,
});

// Tue 2017-03-14 09:00, 2 working days: due Thu 2017-03-16 09:00 (no holiday in March 2017).
const base: DossierSnapshot = {
  dossierCode: 'D-1',
  version: 1,
  status: 'processing',
  procedureCode: 'P',
  fieldCode: 'F',
  agencyCode: 'A',
  receivingAgencyCode: 'A',
  channel: 'online',
  receivedAt: at('2017-03-14', '09:00'),
  dueAt: at('2017-03-16', '09:00'),
  dueHistory: [{ dueAt: at('2017-03-16', '09:00'), reason: 'initial', effectiveAt: at('2017-03-14', '09:00') }],
  rescheduledDueAt: null,
  waiting: [],
  finishedAt: null,
  finishKind: null,
  outcome: null,
};
const finishedAt = (snapshot: DossierSnapshot, date: string, time: string): DossierSnapshot => ({
  ...snapshot,
  status: 'resolved',
  finishedAt: at(date, time),
  finishKind: 'resolved',
  outcome: 'approved',
});

describe('policy rescheduledDue', () => {
  // Apology letter (Mẫu 04) sent Wed 15 10:00, re-dating the dossier to Mon 20 17:00.
  const rescheduled: DossierSnapshot = {
    ...base,
    rescheduledDueAt: at('2017-03-20', '17:00'),
    rescheduledAt: at('2017-03-15', '10:00'),
  };
  const honoured = policies({ rescheduledDue: 'honoured' });

  it('ignored (default): the re-date is shown but a finish on Fri 17 is late against Thu 16', () => {
    expect(classify(finishedAt(rescheduled, '2017-03-17', '10:00')).outcome).toBe('late');
  });

  it('honoured: from Wed 15 10:00 the due is Mon 20, so a finish on Fri 17 is early', () => {
    expect(classify(finishedAt(rescheduled, '2017-03-17', '10:00'), honoured).outcome).toBe('early');
    expect(classify(finishedAt(rescheduled, '2017-03-20', '16:00'), honoured).outcome).toBe('on_time');
    expect(classify(finishedAt(rescheduled, '2017-03-21', '08:00'), honoured).outcome).toBe('late');
  });

  it('honoured: a finish before the re-date was recorded is judged with the due in force then', () => {
    const later = { ...rescheduled, rescheduledAt: at('2017-03-18', '10:00') };
    expect(classify(finishedAt(later, '2017-03-17', '10:00'), honoured).outcome).toBe('late');
  });

  it('honoured: the overdue split follows the re-date (overdue from Mon 20 instead of Thu 16)', () => {
    expect(contributionOf(rescheduled)?.overdueDeltas).toEqual([{ on: '2017-03-16', delta: 1 }]);
    expect(contributionOf(rescheduled, honoured)?.overdueDeltas).toEqual([{ on: '2017-03-20', delta: 1 }]);
  });

  it('honoured: a snapshot without rescheduledAt (published before the field existed) honours it from receipt', () => {
    const legacy = { ...rescheduled, rescheduledAt: undefined };
    expect(effectiveDueHistory(legacy, honoured)[0]).toEqual({
      dueAt: localInstant('2017-03-16', '09:00'),
      effectiveAt: localInstant('2017-03-14', '09:00'),
    });
    expect(classify(finishedAt(legacy, '2017-03-17', '10:00'), honoured).outcome).toBe('early');
  });

  it('honoured: a later pause still pushes the re-date by its working time', () => {
    // Paused Fri 17 09:00 → resumed Mon 20 09:00: 8 working hours; the fold pushed Thu 16 09:00.
    const paused: DossierSnapshot = {
      ...rescheduled,
      waiting: [{ kind: 'pause', from: at('2017-03-17', '09:00'), to: at('2017-03-20', '09:00') }],
      dueHistory: [
        ...rescheduled.dueHistory,
        { dueAt: at('2017-03-17', '09:00'), reason: 'pause_extension', effectiveAt: at('2017-03-20', '09:00') },
      ],
    };
    // Mon 20 17:00 + 8 working hours = Tue 21 17:00.
    const history = effectiveDueHistory(paused, honoured);
    expect(history.map((step) => new Date(step.dueAt!).toISOString())).toEqual([
      at('2017-03-16', '09:00'),
      at('2017-03-20', '17:00'),
      at('2017-03-21', '17:00'),
    ]);
    expect(classify(finishedAt(paused, '2017-03-21', '10:00'), honoured).outcome).toBe('on_time');
  });
});

describe('policy supplement', () => {
  // Supplement requested Wed 15 09:00, received Fri 17 09:00: 16 working hours of waiting.
  // restart (default): 2 working days from Fri 17 09:00 → Tue 21 09:00 (computed by dossier-tracking).
  const supplemented: DossierSnapshot = {
    ...base,
    waiting: [{ kind: 'supplement', from: at('2017-03-15', '09:00'), to: at('2017-03-17', '09:00') }],
    dueHistory: [
      ...base.dueHistory,
      { dueAt: at('2017-03-21', '09:00'), reason: 'supplement_restart', effectiveAt: at('2017-03-17', '09:00') },
    ],
    dueAt: at('2017-03-21', '09:00'),
  };
  const subtract = policies({ supplement: 'subtract' });

  it('restart (default, Decree 61 art.19(4)): the clock restarts; due Tue 21', () => {
    expect(classify(finishedAt(supplemented, '2017-03-20', '15:00')).outcome).toBe('early');
    expect(classify(finishedAt(supplemented, '2017-03-21', '10:00')).outcome).toBe('on_time');
  });

  it('subtract: Thu 16 09:00 extended by 16 working hours = Mon 20 09:00', () => {
    // Thu 16 09:00–17:00 = 6 h, Fri 17 = 8 h, Mon 20 07:00–09:00 = 2 h.
    expect(
      defaultCalendar.workingMillisBetween(localInstant('2017-03-15', '09:00'), localInstant('2017-03-17', '09:00')),
    ).toBe(16 * 3_600_000);
    const history = effectiveDueHistory(supplemented, subtract);
    expect(history[1]).toEqual({
      dueAt: localInstant('2017-03-20', '09:00'),
      effectiveAt: localInstant('2017-03-17', '09:00'),
    });
    expect(classify(finishedAt(supplemented, '2017-03-20', '15:00'), subtract).outcome).toBe('on_time');
    expect(classify(finishedAt(supplemented, '2017-03-21', '10:00'), subtract).outcome).toBe('late');
  });

  it('subtract: a dossier pending on Mon 20 evening is overdue from Mon 20 (restart: from Tue 21)', () => {
    expect(contributionOf(supplemented)?.overdueDeltas).toEqual([{ on: '2017-03-21', delta: 1 }]);
    expect(contributionOf(supplemented, subtract)?.overdueDeltas).toEqual([{ on: '2017-03-20', delta: 1 }]);
  });

  it('subtract: a supplement_received without a recorded wait keeps the due', () => {
    const unrequested = { ...supplemented, waiting: [] };
    expect(effectiveDueHistory(unrequested, subtract)[1]?.dueAt).toBe(localInstant('2017-03-16', '09:00'));
  });
});

describe('policy outcomeBy', () => {
  const session = policies({ outcomeBy: 'session' });
  const outcome = (snapshot: DossierSnapshot, date: string, time: string, p = session) =>
    classify(finishedAt(snapshot, date, time), p).outcome;

  it('date (default): any time on Thu 16 is on time against a due of Thu 16 09:00', () => {
    expect(outcome(base, '2017-03-16', '14:00', DEFAULT_COUNTING_POLICIES)).toBe('on_time');
  });

  it('session: due Thu 16 09:00 is the morning session; the afternoon is late, Wed afternoon early', () => {
    expect(outcome(base, '2017-03-16', '10:00')).toBe('on_time');
    expect(outcome(base, '2017-03-16', '11:30')).toBe('on_time'); // session end belongs to it
    expect(outcome(base, '2017-03-16', '14:00')).toBe('late');
    expect(outcome(base, '2017-03-15', '16:00')).toBe('early');
  });

  it('session: a finish outside the sessions belongs to the next session', () => {
    expect(outcome(base, '2017-03-16', '06:30')).toBe('on_time'); // before 07:00 → Thu morning
    expect(outcome(base, '2017-03-15', '18:00')).toBe('on_time'); // Wed evening → Thu morning (by date: early)
    expect(outcome(base, '2017-03-16', '12:00')).toBe('late'); // lunch → Thu afternoon
  });

  it('session: a due of 17:00 is the afternoon; 17:00 sharp is on time, later is the next working morning', () => {
    const dueAt = at('2017-03-17', '17:00'); // Fri
    const friday = { ...base, dueAt, dueHistory: [{ ...base.dueHistory[0]!, dueAt }] };
    expect(outcome(friday, '2017-03-17', '17:00')).toBe('on_time');
    expect(outcome(friday, '2017-03-17', '13:30')).toBe('on_time');
    expect(outcome(friday, '2017-03-17', '11:00')).toBe('early');
    expect(outcome(friday, '2017-03-18', '10:00')).toBe('late'); // Saturday → Mon 20 morning
  });

  it('session ordinals follow working days: Sat and Sun map to Monday morning', () => {
    const monday = sessionOrdinal(localInstant('2017-03-20', '07:00'), defaultCalendar);
    expect(sessionOrdinal(localInstant('2017-03-18', '10:00'), defaultCalendar)).toBe(monday);
    expect(sessionOrdinal(localInstant('2017-03-17', '17:01'), defaultCalendar)).toBe(monday);
    expect(sessionOrdinal(localInstant('2017-03-20', '13:30'), defaultCalendar)).toBe(monday + 1);
  });

  it('session: a finish at or before the due instant is never late, after it never early (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 30 * 24 * 60 }), fc.integer({ min: 0, max: 30 * 24 * 60 }), (d, f) => {
        const origin = localInstant('2017-04-20', '00:00');
        const dueAt = new Date(origin + d * 60_000).toISOString();
        const snapshot = {
          ...base,
          receivedAt: at('2017-04-01', '09:00'),
          dueAt,
          dueHistory: [{ ...base.dueHistory[0]!, dueAt, effectiveAt: at('2017-04-01', '09:00') }],
        };
        const finished = {
          ...finishedAt(snapshot, '2017-04-01', '09:00'),
          finishedAt: new Date(origin + f * 60_000).toISOString(),
        };
        const result = classify(finished, session).outcome;
        if (f <= d) expect(result).not.toBe('late');
        else expect(result).not.toBe('early');
      }),
      { numRuns: 500 },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// The defaults give exactly the previous results: the implementation before policies, verbatim.

function legacyDueInForceAt(snapshot: Pick<DossierSnapshot, 'dueHistory'>, at: number): string | null {
  let due: string | null = null;
  for (const change of snapshot.dueHistory) if (Date.parse(change.effectiveAt) <= at) due = change.dueAt;
  return due;
}

function legacyClassify(snapshot: DossierSnapshot): Classification {
  if (snapshot.finishedAt === null) return { outcome: null, withdrawn: false };
  if (snapshot.finishKind === 'withdrawn') return { outcome: 'on_time', withdrawn: true };
  const finished = Date.parse(snapshot.finishedAt);
  const due = legacyDueInForceAt(snapshot, finished);
  if (due === null) return { outcome: 'on_time', withdrawn: false };
  const finishDate = localDateOf(finished);
  const dueDate = localDateOf(Date.parse(due));
  return { outcome: finishDate < dueDate ? 'early' : finishDate === dueDate ? 'on_time' : 'late', withdrawn: false };
}

function legacyContributionOf(snapshot: DossierSnapshot): Contribution | null {
  const endOfDay = (date: LocalDate): number => startOfLocalDay(addDays(date, 1)) - 1;
  const pendingDueDate = (date: LocalDate): LocalDate | null => {
    const end = endOfDay(date);
    if (Date.parse(snapshot.receivedAt) > end) return null;
    if (snapshot.finishedAt !== null && Date.parse(snapshot.finishedAt) <= end) return null;
    const due = legacyDueInForceAt(snapshot, end);
    const waiting = snapshot.waiting.some(
      (wait) => Date.parse(wait.from) <= end && (wait.to === null || Date.parse(wait.to) > end),
    );
    if (due === null || waiting) return null;
    return localDateOf(Date.parse(due));
  };
  if (snapshot.status === 'voided') return null;
  const classification = legacyClassify(snapshot);
  const receivedOn = localDateOf(Date.parse(snapshot.receivedAt));
  const finishedOn = snapshot.finishedAt === null ? null : localDateOf(Date.parse(snapshot.finishedAt));
  const changes = new Set<LocalDate>([receivedOn]);
  if (finishedOn !== null) changes.add(finishedOn);
  for (const change of snapshot.dueHistory) {
    changes.add(localDateOf(Date.parse(change.effectiveAt)));
    if (change.dueAt !== null) changes.add(localDateOf(Date.parse(change.dueAt)));
  }
  for (const wait of snapshot.waiting) {
    changes.add(localDateOf(Date.parse(wait.from)));
    if (wait.to !== null) changes.add(localDateOf(Date.parse(wait.to)));
  }
  const overdueDeltas: Contribution['overdueDeltas'] = [];
  const dueSameDayOn: LocalDate[] = [];
  let overdue = false;
  for (const date of [...changes].filter((d) => d >= receivedOn).sort()) {
    const dueDate = pendingDueDate(date);
    const now = dueDate !== null && dueDate <= date;
    if (now !== overdue) overdueDeltas.push({ on: date, delta: now ? 1 : -1 });
    if (dueDate === date) dueSameDayOn.push(date);
    overdue = now;
  }
  return {
    receivedOn,
    channel: snapshot.channel,
    finishedOn,
    outcome: classification.outcome,
    withdrawn: classification.withdrawn,
    overdueDeltas,
    dueSameDayOn,
  };
}

/** Varied snapshots, some re-dated (recorded re-dates never count by default) and with supplement waits. */
const arbitraryVaried = fc
  .tuple(
    fc.integer({ min: 0, max: 10_000 }),
    fc.option(fc.tuple(fc.integer({ min: 0, max: 30 }), fc.integer({ min: 0, max: 30 })), { nil: null }),
    fc.boolean(),
  )
  .chain(([index, reschedule, supplementWait]) =>
    arbitrarySnapshot(index).map((snapshot): DossierSnapshot => {
      const received = Date.parse(snapshot.receivedAt);
      const restart = snapshot.dueHistory.find((change) => change.reason === 'supplement_restart');
      return {
        ...snapshot,
        ...(reschedule === null
          ? {}
          : {
              rescheduledDueAt: new Date(received + reschedule[0] * 86_400_000).toISOString(),
              rescheduledAt: new Date(received + reschedule[1] * 43_200_000).toISOString(),
            }),
        waiting:
          supplementWait && restart !== undefined
            ? [{ kind: 'supplement', from: snapshot.receivedAt, to: restart.effectiveAt }, ...snapshot.waiting]
            : snapshot.waiting,
      };
    }),
  );

describe('the default policies give exactly the previous results', () => {
  it('classify and contributionOf, implicit and explicit defaults, equal the implementation before policies', () => {
    fc.assert(
      fc.property(arbitraryVaried, (snapshot) => {
        expect(classify(snapshot)).toEqual(legacyClassify(snapshot));
        expect(classify(snapshot, DEFAULT_COUNTING_POLICIES, defaultCalendar)).toEqual(legacyClassify(snapshot));
        expect(contributionOf(snapshot)).toEqual(legacyContributionOf(snapshot));
        expect(contributionOf(snapshot, { ...DEFAULT_COUNTING_POLICIES })).toEqual(legacyContributionOf(snapshot));
      }),
      { numRuns: 1000 },
    );
  });

  it('honoured without a re-date, and subtract without a supplement restart, change nothing', () => {
    fc.assert(
      fc.property(arbitraryVaried, (varied) => {
        const plain = { ...varied, rescheduledDueAt: null, rescheduledAt: undefined };
        expect(contributionOf(plain, policies({ rescheduledDue: 'honoured' }))).toEqual(legacyContributionOf(plain));
        const noRestart = {
          ...varied,
          dueHistory: varied.dueHistory.filter((change) => change.reason !== 'supplement_restart'),
        };
        expect(contributionOf(noRestart, policies({ supplement: 'subtract' }))).toEqual(
          legacyContributionOf(noRestart),
        );
      }),
      { numRuns: 500 },
    );
  });
});
