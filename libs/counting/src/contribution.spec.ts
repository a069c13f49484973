import fc from 'fast-check';
import { addDays, localDateOf } from '@tthc/calendar';
import type { DossierSnapshot } from '@tthc/contracts';
import { contributionOf, isOverdueAtEndOf } from './contribution';

const local = (value: string) => new Date(`${value}+07:00`).toISOString();
const snapshot = (overrides: Partial<DossierSnapshot> = {}): DossierSnapshot => ({
  dossierCode: 'D',
  version: 1,
  status: 'processing',
  procedureCode: 'P',
  fieldCode: 'F',
  agencyCode: 'A',
  receivingAgencyCode: 'A',
  channel: 'in_person',
  receivedAt: local('2017-03-14T09:00:00'),
  dueAt: local('2017-03-20T17:00:00'),
  dueHistory: [{ dueAt: local('2017-03-20T17:00:00'), reason: 'initial', effectiveAt: local('2017-03-14T09:00:00') }],
  rescheduledDueAt: null,
  waiting: [],
  finishedAt: null,
  finishKind: null,
  outcome: null,
  ...overrides,
});

describe('contribution of a dossier to the period figures (docs/counting-rules.md §6)', () => {
  it('is pending within deadline until the end of its due date, then overdue', () => {
    const pending = snapshot();
    expect(isOverdueAtEndOf(pending, '2017-03-19')).toBe(false);
    // "overdue if its due date is before asOf's date": asOf of a period ending on the 20th is the 21st.
    expect(isOverdueAtEndOf(pending, '2017-03-20')).toBe(true);
    expect(contributionOf(pending)?.overdueDeltas).toEqual([{ on: '2017-03-20', delta: 1 }]);
  });

  it('counts a dossier paused or waiting for a supplement as within deadline', () => {
    const waiting = snapshot({
      waiting: [{ kind: 'supplement', from: local('2017-03-18T09:00:00'), to: null }],
      status: 'waiting_supplement',
    });
    expect(isOverdueAtEndOf(waiting, '2017-03-25')).toBe(false);
    const resumed = snapshot({
      waiting: [{ kind: 'pause', from: local('2017-03-21T09:00:00'), to: local('2017-03-23T09:00:00') }],
    });
    expect(contributionOf(resumed)?.overdueDeltas).toEqual([
      { on: '2017-03-20', delta: 1 },
      { on: '2017-03-21', delta: -1 },
      { on: '2017-03-23', delta: 1 },
    ]);
  });

  it('judges the past with the due date in force then (a later restart does not rewrite it)', () => {
    const restarted = snapshot({
      dueAt: local('2017-04-05T17:00:00'),
      dueHistory: [
        { dueAt: local('2017-03-20T17:00:00'), reason: 'initial', effectiveAt: local('2017-03-14T09:00:00') },
        {
          dueAt: local('2017-04-05T17:00:00'),
          reason: 'supplement_restart',
          effectiveAt: local('2017-03-22T09:00:00'),
        },
      ],
    });
    expect(isOverdueAtEndOf(restarted, '2017-03-21')).toBe(true);
    expect(isOverdueAtEndOf(restarted, '2017-03-22')).toBe(false);
  });

  it('stops counting on the finish date, and records the outcome on it', () => {
    const late = snapshot({
      status: 'resolved',
      finishedAt: local('2017-03-24T10:00:00'),
      finishKind: 'resolved',
      outcome: 'approved',
    });
    expect(contributionOf(late)).toMatchObject({
      receivedOn: '2017-03-14',
      finishedOn: '2017-03-24',
      outcome: 'late',
      withdrawn: false,
      overdueDeltas: [
        { on: '2017-03-20', delta: 1 },
        { on: '2017-03-24', delta: -1 },
      ],
    });
  });

  it('contributes nothing when voided', () => {
    expect(contributionOf(snapshot({ status: 'voided' }))).toBeNull();
  });

  it('sums its overdue deltas to the day-by-day predicate on every date (property)', () => {
    const day = 86_400_000;
    const base = Date.parse('2017-03-01T00:00:00Z');
    const instant = fc
      .integer({ min: 0, max: 60 * 24 })
      .map((hours) => new Date(base + hours * 3_600_000).toISOString());
    fc.assert(
      fc.property(
        instant,
        fc.array(fc.tuple(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 40 })), { maxLength: 3 }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 1, max: 10 }), fc.boolean()), {
          maxLength: 2,
        }),
        fc.option(fc.integer({ min: 0, max: 60 }), { nil: null }),
        (receivedAt, dues, waits, finishAfterDays) => {
          const received = Date.parse(receivedAt);
          const dueHistory = [
            { dueAt: new Date(received + 5 * day).toISOString(), reason: 'initial' as const, effectiveAt: receivedAt },
            ...dues
              .map(([after, length]) => ({ effective: received + after * day, due: received + (after + length) * day }))
              .sort((a, b) => a.effective - b.effective)
              .map(({ effective, due }) => ({
                dueAt: new Date(due).toISOString(),
                reason: 'supplement_restart' as const,
                effectiveAt: new Date(effective).toISOString(),
              })),
          ];
          let cursor = received;
          const waiting = waits.map(([gap, length, open]) => {
            const from = cursor + gap * day;
            cursor = from + length * day;
            return {
              kind: 'pause' as const,
              from: new Date(from).toISOString(),
              to: open ? null : new Date(cursor).toISOString(),
            };
          });
          const finishedAt =
            finishAfterDays === null ? null : new Date(received + finishAfterDays * day + 3_600_000).toISOString();
          const dossier = snapshot({
            receivedAt,
            dueHistory,
            waiting,
            finishedAt,
            finishKind: finishedAt === null ? null : 'resolved',
            status: finishedAt === null ? 'processing' : 'resolved',
          });
          const contribution = contributionOf(dossier);
          if (contribution === null) throw new Error('not voided');
          let running = 0;
          let date = localDateOf(received - day);
          const last = localDateOf(received + 120 * day);
          while (date <= last) {
            for (const delta of contribution.overdueDeltas) if (delta.on === date) running += delta.delta;
            expect(running === 1).toBe(isOverdueAtEndOf(dossier, date));
            expect(running === 0 || running === 1).toBe(true);
            date = addDays(date, 1);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
