import fc from 'fast-check';
import { addDays, localDateOf } from '@tthc/calendar';
import type { DossierSnapshot } from '@tthc/contracts';
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
import { arbitrarySnapshot, BASE, comparable, DAY, naiveFigures } from '../testing';
import { addCounter, emptySums, periodFigures, type CounterSums } from './period-figures';

function sumCounters(
  counters: Map<string, { key: CounterKey; value: CounterIncrement }>,
  from: string,
  to: string,
  agency: string | null,
): CounterSums {
  const sums = emptySums();
  for (const { key, value } of counters.values()) {
    if ((agency === null || key.agency === agency) && key.date <= to) addCounter(sums, key, value, from, to);
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
          expect(comparable(figures)).toEqual(expected);
          expect(figures.received.carriedOver + figures.received.new).toBe(
            figures.resolved.total + figures.pending.total,
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it('for a period that reaches today, a dossier due today is not overdue yet (property)', () => {
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
          const today = addDays(from, length);
          const figures = periodFigures(sumCounters(counters, from, today, agency), true);
          expect(comparable(figures)).toEqual(naiveFigures(dossiers, from, today, agency, today));
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
    expect(periodFigures(emptySums()).onTimeRate).toEqual({ resolved: null, due: null, all: null });
    const empty = periodFigures({
      receivedBefore: 0,
      finishedBefore: 0,
      newByChannel: { online: 0, in_person: 0, postal: 0 },
      early: 0,
      onTime: 0,
      late: 0,
      withdrawn: 0,
      overdue: 0,
      dueOnLastDay: 0,
    });
    expect(empty.onTimeRate).toEqual({ resolved: null, due: null, all: null });
  });
});
