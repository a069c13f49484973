import fc from 'fast-check';
import { addDays, localDateOf, startOfLocalDay } from '@tthc/calendar';
import type { DossierSnapshot } from '@tthc/contracts';
import { classify } from '../src/classify';
import type { PeriodFigures } from '../src/period-figures';

/**
 * Test support shared by the unit and integration tests of the counters: random dossier
 * snapshots, and docs/counting-rules.md read literally dossier by dossier (deliberately plain code that
 * does not use the contribution or counter code it checks).
 */
export const DAY = 86_400_000;
export const BASE = Date.parse('2017-01-01T01:00:00Z');

export const arbitrarySnapshot = (index: number) =>
  fc
    .record({
      receivedDay: fc.integer({ min: 0, max: 80 }),
      hour: fc.integer({ min: 0, max: 23 }),
      dueDays: fc.option(fc.integer({ min: 0, max: 20 }), { nil: null }),
      restart: fc.option(fc.tuple(fc.integer({ min: 1, max: 15 }), fc.integer({ min: 1, max: 20 })), { nil: null }),
      wait: fc.option(fc.tuple(fc.integer({ min: 0, max: 10 }), fc.integer({ min: 1, max: 10 }), fc.boolean()), {
        nil: null,
      }),
      finishDays: fc.option(fc.integer({ min: 0, max: 40 }), { nil: null }),
      withdrawn: fc.boolean(),
      voided: fc.boolean(),
      channel: fc.constantFrom('online' as const, 'in_person' as const, 'postal' as const),
      agency: fc.constantFrom('A1', 'A2'),
    })
    .map((r): DossierSnapshot => {
      const received = BASE + r.receivedDay * DAY + r.hour * 3_600_000;
      const iso = (ms: number) => new Date(ms).toISOString();
      const dueHistory: DossierSnapshot['dueHistory'] = [
        {
          dueAt: r.dueDays === null ? null : iso(received + r.dueDays * DAY),
          reason: 'initial',
          effectiveAt: iso(received),
        },
      ];
      if (r.restart !== null) {
        const effective = received + r.restart[0] * DAY;
        dueHistory.push({
          dueAt: iso(effective + r.restart[1] * DAY),
          reason: 'supplement_restart',
          effectiveAt: iso(effective),
        });
      }
      const waiting: DossierSnapshot['waiting'] =
        r.wait === null
          ? []
          : [
              {
                kind: 'pause',
                from: iso(received + r.wait[0] * DAY),
                to: r.wait[2] ? null : iso(received + (r.wait[0] + r.wait[1]) * DAY),
              },
            ];
      const finishedAt = r.finishDays === null ? null : iso(received + r.finishDays * DAY + 3_600_000);
      return {
        dossierCode: `D${index}`,
        version: 1,
        status: r.voided ? 'voided' : finishedAt === null ? 'processing' : r.withdrawn ? 'withdrawn' : 'resolved',
        procedureCode: 'P',
        fieldCode: 'F',
        agencyCode: r.agency,
        receivingAgencyCode: r.agency,
        channel: r.channel,
        receivedAt: iso(received),
        dueAt: dueHistory[dueHistory.length - 1]?.dueAt ?? null,
        dueHistory,
        rescheduledDueAt: null,
        waiting,
        finishedAt,
        finishKind: finishedAt === null ? null : r.withdrawn ? 'withdrawn' : 'resolved',
        outcome: finishedAt !== null && !r.withdrawn ? 'approved' : null,
      };
    });

/**
 * docs/counting-rules.md §6 read literally, dossier by dossier: for a past period asOf's date is the day after
 * `to`; for a period that reaches today it is `to` itself (asOf = now).
 */
export function naiveFigures(
  dossiers: readonly DossierSnapshot[],
  from: string,
  to: string,
  agency: string | null,
  asOfDate: string = addDays(to, 1),
) {
  const endOfTo = startOfLocalDay(addDays(to, 1)) - 1;
  const counted = dossiers.filter((d) => d.status !== 'voided' && (agency === null || d.agencyCode === agency));
  const day = (iso: string) => localDateOf(Date.parse(iso));
  const finishedBy = (d: DossierSnapshot, date: string) => d.finishedAt !== null && day(d.finishedAt) <= date;
  const carriedOver = counted.filter(
    (d) => day(d.receivedAt) < from && !(d.finishedAt !== null && day(d.finishedAt) < from),
  ).length;
  const fresh = counted.filter((d) => day(d.receivedAt) >= from && day(d.receivedAt) <= to);
  const resolved = counted.filter((d) => d.finishedAt !== null && day(d.finishedAt) >= from && day(d.finishedAt) <= to);
  const outcomes = resolved.map((d) => classify(d));
  const pending = counted.filter((d) => day(d.receivedAt) <= to && !finishedBy(d, to));
  const overdue = pending.filter((d) => {
    const inForce = d.dueHistory.filter((change) => Date.parse(change.effectiveAt) <= endOfTo).pop();
    if (inForce?.dueAt == null || day(inForce.dueAt) >= asOfDate) return false;
    return !d.waiting.some((w) => Date.parse(w.from) <= endOfTo && (w.to === null || Date.parse(w.to) > endOfTo));
  }).length;
  return {
    carriedOver,
    new: fresh.length,
    online: fresh.filter((d) => d.channel === 'online').length,
    early: outcomes.filter((o) => o.outcome === 'early').length,
    onTime: outcomes.filter((o) => o.outcome === 'on_time').length,
    late: outcomes.filter((o) => o.outcome === 'late').length,
    withdrawn: outcomes.filter((o) => o.withdrawn).length,
    pending: pending.length,
    overdue,
  };
}

/** The figures in the shape of {@link naiveFigures}, to compare the two. */
export function comparable(figures: PeriodFigures): ReturnType<typeof naiveFigures> {
  return {
    carriedOver: figures.received.carriedOver,
    new: figures.received.new,
    online: figures.received.newByChannel.online,
    early: figures.resolved.early,
    onTime: figures.resolved.onTime,
    late: figures.resolved.late,
    withdrawn: figures.resolved.withdrawn,
    pending: figures.pending.total,
    overdue: figures.pending.overdue,
  };
}
