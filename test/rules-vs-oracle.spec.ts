import { addDays, defaultCalendar, endOfLocalDay, localDateOf } from '@tthc/calendar';
import type { DossierEvent } from '@tthc/contracts';
import { classify, effectiveDueHistory, isOverdueAtEndOf, pendingStateAt, type CountingPolicies } from '@tthc/counting';
import { generateDossierEvents, generatedReference } from '@tthc/testing';
import { foldDossier, type FoldContext, type StoredEvent } from '../apps/dossier-tracking/src/domain/fold';
import { buildOracle } from '../tools/oracle';

/**
 * The product's due rules (dossier-tracking's fold, then libs/counting under each counting
 * policy combination) against the independent oracle (tools/oracle, same policies), dossier by
 * dossier, without servers: outcome, pending-overdue at the end of sample days, and overdue as of
 * sample instants. The end-to-end version over the real pipeline is
 * test/non-default-policies.int-spec.ts.
 */
const COMBINATIONS: CountingPolicies[] = [];
for (const rescheduledDue of ['ignored', 'honoured'] as const)
  for (const supplement of ['restart', 'subtract'] as const)
    for (const outcomeBy of ['date', 'session'] as const) COMBINATIONS.push({ rescheduledDue, supplement, outcomeBy });

const reference = generatedReference();
const events = [...generateDossierEvents(14, 700, 'RVO'), ...generateDossierEvents(15, 700, 'RVP')];
const byDossier = new Map<string, DossierEvent[]>();
for (const event of events) byDossier.set(event.dossierCode, [...(byDossier.get(event.dossierCode) ?? []), event]);

const context: FoldContext = {
  procedure: (code) => {
    const procedure = reference.procedures.find((candidate) => candidate.code === code);
    return procedure === undefined
      ? undefined
      : { fieldCode: procedure.fieldCode, processingTime: procedure.processingTime };
  },
  due: defaultCalendar,
  desks: { scopeOfDesk: () => 'admin', lineageOf: (code) => [code] },
};
const snapshots = [...byDossier].flatMap(([code, list]) => {
  const stored: StoredEvent[] = list.map((event) => ({ deskId: 'admin', event, acceptedAt: event.occurredAt }));
  const folded = foldDossier(code, stored, context);
  return folded.kind === 'dossier' && folded.state.status !== 'voided' ? [{ ...folded.state, version: 1 }] : [];
});
const OUTCOME_NAMES = { early: 'early', on_time: 'onTime', late: 'late' } as const;

describe('the due rules of libs/counting agree with the oracle under every policy combination', () => {
  it('generates the cases the policies act on', () => {
    expect(snapshots.filter((s) => s.rescheduledDueAt !== null).length).toBeGreaterThan(10);
    expect(snapshots.filter((s) => s.waiting.some((w) => w.kind === 'supplement')).length).toBeGreaterThan(50);
    expect(snapshots.filter((s) => s.waiting.some((w) => w.kind === 'pause')).length).toBeGreaterThan(10);
  });

  it.each(COMBINATIONS)('%o', (policies) => {
    const oracle = buildOracle({ ...reference, policies, events: events.map((event) => ({ desk: 'admin', event })) });
    const differences: string[] = [];
    for (const snapshot of snapshots) {
      const expected = oracle.dossier(snapshot.dossierCode);
      const outcome = classify(snapshot, policies, defaultCalendar).outcome;
      const actual = outcome === null ? null : OUTCOME_NAMES[outcome];
      if (expected === undefined || actual !== expected.outcome) {
        differences.push(`${snapshot.dossierCode}: outcome ${String(actual)} ≠ oracle ${String(expected?.outcome)}`);
      }
    }
    // Pending-overdue at the end of sample days (the summaries' dated contributions).
    for (let day = '2017-03-10'; day <= '2017-07-31'; day = addDays(day, 9)) {
      const counted = snapshots.filter((s) => isOverdueAtEndOf(s, day, policies, defaultCalendar)).length;
      const far = '2030-01-01T00:00:00Z';
      const expected = oracle.figures({ from: day, to: day, now: far }).pending.overdue;
      if (counted !== expected) differences.push(`end of ${day}: overdue ${counted} ≠ oracle ${expected}`);
    }
    // Overdue as of "now" (the overdue list and a summary reaching today). The generated events run
    // past these days, so "now" is the day's last instant: the oracle judges today on all of
    // today's events, as the services do when no event is dated after now.
    for (let day = '2017-03-10'; day <= '2017-07-31'; day = addDays(day, 11)) {
      const now = endOfLocalDay(day) - 1;
      const listed = snapshots
        .filter((s) => pendingStateAt(s, effectiveDueHistory(s, policies, defaultCalendar), now).state === 'overdue')
        .map((s) => s.dossierCode)
        .sort();
      const expected = oracle
        .overdue({ now })
        .map((item) => item.code)
        .sort();
      if (listed.join() !== expected.join()) {
        differences.push(`now ${localDateOf(now)}: ${listed.length} overdue ≠ oracle ${expected.length}`);
      }
    }
    expect(differences.slice(0, 20)).toEqual([]);
  });

  it('honours a re-date of a dossier without a due date, pushed by a later pause, as the oracle does', () => {
    // Procedure without processing time (no published due). Re-dated on Tue 14 to Mon 20 17:00,
    // paused Wed 15 09:00 → Thu 16 09:00 (one working day): due Tue 21 17:00; resolved Tue 21 10:00.
    const code = 'RVQ-1';
    const steps: Array<[string, string, Record<string, unknown>]> = [
      [
        'dossier.received',
        '2017-03-13T09:00:00',
        { procedureCode: '1.000003', agencyCode: '000.01.01.H99', channel: 'online' },
      ],
      ['dossier.rescheduled', '2017-03-14T09:00:00', { newDueAt: '2017-03-20T17:00:00+07:00', reason: 'xin lỗi' }],
      ['dossier.paused', '2017-03-15T09:00:00', { reason: 'financial_obligation' }],
      ['dossier.resumed', '2017-03-16T09:00:00', {}],
      ['dossier.resolved', '2017-03-21T10:00:00', { outcome: 'approved' }],
    ];
    const list = steps.map(([type, at, data], index) => ({
      eventId: `${code}:${index}`,
      type,
      occurredAt: `${at}+07:00`,
      dossierCode: code,
      data,
    })) as DossierEvent[];
    const policies: CountingPolicies = { rescheduledDue: 'honoured', supplement: 'restart', outcomeBy: 'date' };
    const oracle = buildOracle({ ...reference, policies, events: list.map((event) => ({ desk: 'admin', event })) });
    const folded = foldDossier(
      code,
      list.map((event) => ({ deskId: 'admin', event, acceptedAt: event.occurredAt })),
      context,
    );
    if (folded.kind !== 'dossier') throw new Error('expected a dossier');
    expect(oracle.dossier(code)?.outcome).toBe('onTime');
    expect(classify({ ...folded.state, version: 1 }, policies, defaultCalendar).outcome).toBe('on_time');
  });
});
