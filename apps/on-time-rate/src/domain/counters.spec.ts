import fc from 'fast-check';
import { addDays, localDateOf, startOfLocalDay } from '@tthc/calendar';
import type { DossierSnapshot } from '@tthc/contracts';
import { classify } from './classify';
import { contributionOf } from './contribution';
import {
  contributionDiff,
  counterId,
  dimensionsOf,
  mergeIncrements,
  type AppliedContribution,
  type CounterIncrement,
  type CounterKey,
} from './counters';
import { periodFigures, type CounterSums } from './period-figures';

const DAY = 86_400_000;
const BASE = Date.parse('2017-01-01T01:00:00Z');

const arbitrarySnapshot = (index: number) =>
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

/** CONTRACT §5 read literally, dossier by dossier, for a past period (asOf = the day after `to`). */
function naiveFigures(dossiers: readonly DossierSnapshot[], from: string, to: string, agency: string | null) {
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
    if (inForce?.dueAt == null || day(inForce.dueAt) >= addDays(to, 1)) return false;
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

function sumCounters(
  counters: Map<string, { key: CounterKey; value: CounterIncrement }>,
  from: string,
  to: string,
  agency: string | null,
): CounterSums {
  const sums: CounterSums = {
    receivedBefore: 0,
    finishedBefore: 0,
    newByChannel: { online: 0, in_person: 0, postal: 0 },
    early: 0,
    onTime: 0,
    late: 0,
    withdrawn: 0,
    overdue: 0,
  };
  for (const { key, value } of counters.values()) {
    if (agency !== null && key.agency !== agency) continue;
    if (key.date > to) continue;
    sums.overdue += value.overdue ?? 0;
    if (key.date < from) {
      sums.receivedBefore += value.received ?? 0;
      sums.finishedBefore += (value.early ?? 0) + (value.onTime ?? 0) + (value.late ?? 0);
      continue;
    }
    sums.newByChannel[key.channel] += value.received ?? 0;
    sums.early += value.early ?? 0;
    sums.onTime += value.onTime ?? 0;
    sums.late += value.late ?? 0;
    sums.withdrawn += value.withdrawn ?? 0;
  }
  return sums;
}

function applyAll(
  counters: Map<string, { key: CounterKey; value: CounterIncrement }>,
  parts: ReturnType<typeof contributionDiff>,
) {
  for (const { key, inc } of parts) {
    const entry = counters.get(counterId(key)) ?? { key, value: {} };
    for (const [metric, amount] of Object.entries(inc))
      entry.value[metric as keyof CounterIncrement] = (entry.value[metric as keyof CounterIncrement] ?? 0) + amount;
    counters.set(counterId(key), entry);
  }
}

const applied = (snapshot: DossierSnapshot): AppliedContribution | null => {
  const contribution = contributionOf(snapshot);
  return contribution === null ? null : { dimensions: dimensionsOf(snapshot), contribution };
};

describe('counters answer any period exactly like the contract read dossier by dossier', () => {
  it('matches the naive figures for random dossiers, periods and agencies (property)', () => {
    fc.assert(
      fc.property(
        fc
          .array(fc.nat(), { minLength: 1, maxLength: 40 })
          .chain((seeds) => fc.tuple(...seeds.map((_, index) => arbitrarySnapshot(index)))),
        fc.integer({ min: 0, max: 100 }),
        fc.integer({ min: 0, max: 60 }),
        fc.constantFrom<string | null>(null, 'A1', 'A2'),
        (dossiers, fromDay, length, agency) => {
          const counters = new Map<string, { key: CounterKey; value: CounterIncrement }>();
          applyAll(counters, mergeIncrements(dossiers.flatMap((d) => contributionDiff(null, applied(d)))));
          const from = localDateOf(BASE + fromDay * DAY);
          const to = addDays(from, length);
          const figures = periodFigures(sumCounters(counters, from, to, agency));
          const expected = naiveFigures(dossiers, from, to, agency);
          expect({
            carriedOver: figures.received.carriedOver,
            new: figures.received.new,
            online: figures.received.newByChannel.online,
            early: figures.resolved.early,
            onTime: figures.resolved.onTime,
            late: figures.resolved.late,
            withdrawn: figures.resolved.withdrawn,
            pending: figures.pending.total,
            overdue: figures.pending.overdue,
          }).toEqual(expected);
          expect(figures.received.carriedOver + figures.received.new).toBe(
            figures.resolved.total + figures.pending.total,
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it('replacing a contribution by a newer one leaves exactly the newer one (transfer, finish, void)', () => {
    fc.assert(
      fc.property(arbitrarySnapshot(0), arbitrarySnapshot(0), (older, newer) => {
        const stepwise = new Map<string, { key: CounterKey; value: CounterIncrement }>();
        applyAll(stepwise, contributionDiff(null, applied(older)));
        applyAll(stepwise, contributionDiff(applied(older), applied(newer)));
        const direct = new Map<string, { key: CounterKey; value: CounterIncrement }>();
        applyAll(direct, contributionDiff(null, applied(newer)));
        const nonZero = (map: typeof direct) =>
          Object.fromEntries(
            [...map]
              .map(([id, { value }]) => [id, Object.fromEntries(Object.entries(value).filter(([, v]) => v !== 0))])
              .filter(([, v]) => Object.keys(v as object).length > 0),
          );
        expect(nonZero(stepwise)).toEqual(nonZero(direct));
      }),
      { numRuns: 300 },
    );
  });

  it('gives null rates when the denominators are 0', () => {
    const empty = periodFigures({
      receivedBefore: 0,
      finishedBefore: 0,
      newByChannel: { online: 0, in_person: 0, postal: 0 },
      early: 0,
      onTime: 0,
      late: 0,
      withdrawn: 0,
      overdue: 0,
    });
    expect(empty.onTimeRate).toEqual({ resolved: null, due: null, all: null });
  });
});
