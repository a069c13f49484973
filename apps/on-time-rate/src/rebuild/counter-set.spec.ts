import fc from 'fast-check';
import { contributionDiff, mergeIncrements, counterId, dimensionsOf, contributionOf } from '@tthc/counting';
import type { DossierSnapshot } from '@tthc/contracts';
import { arbitrarySnapshot } from '@tthc/counting/testing';
import { classificationDiffers, classifiedSnapshotOf } from '../domain/classified';
import { orderOf } from '../persistence/on-time-rate-ledger';
import { addToCounterSet, compareCounterSets, nonZeroMetrics, type CounterSet } from './counter-set';

const appliedOf = (snapshot: DossierSnapshot) => {
  const contribution = contributionOf(snapshot);
  return contribution === null ? null : { dimensions: dimensionsOf(snapshot), contribution };
};

describe('rebuild counter sets', () => {
  it('the rebuilt set equals the merged increments of every dossier (as the ledger applies them)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 1_000_000 }), { minLength: 1, maxLength: 40 }), (seeds) => {
        const snapshots = seeds.map(
          (seed, index) => fc.sample(arbitrarySnapshot(index), { numRuns: 1, seed })[0] as DossierSnapshot,
        );
        const set: CounterSet = new Map();
        for (const snapshot of snapshots) addToCounterSet(set, appliedOf(snapshot));
        const merged: CounterSet = new Map(
          mergeIncrements(snapshots.flatMap((snapshot) => contributionDiff(null, appliedOf(snapshot)))).map(
            ({ key, inc }) => [counterId(key), nonZeroMetrics(inc)],
          ),
        );
        expect(compareCounterSets(merged, set)).toEqual({ count: 0, sample: [] });
      }),
      { numRuns: 100 },
    );
  });

  it('ignores zero-valued metrics and reports differing counters with both values, first 100 by id', () => {
    const incremental: CounterSet = new Map([
      ['a', nonZeroMetrics({ received: 1, overdue: 0, journals: ['x'] })],
      ['b', { received: 2 }],
    ]);
    const rebuilt: CounterSet = new Map([
      ['a', { received: 1 }],
      ['b', { received: 2, late: 1 }],
      ['c', { early: 1 }],
    ]);
    expect(compareCounterSets(incremental, rebuilt)).toEqual({
      count: 2,
      sample: [
        { id: 'b', incremental: { received: 2 }, rebuilt: { received: 2, late: 1 } },
        { id: 'c', incremental: {}, rebuilt: { early: 1 } },
      ],
    });
    expect(compareCounterSets(incremental, rebuilt, 1).sample).toHaveLength(1);
  });

  it('orders a dossier by version first, then revision', () => {
    expect(orderOf({ version: 3, revision: 0 })).toBeGreaterThan(orderOf({ version: 2, revision: 5 }));
    expect(orderOf({ version: 2, revision: 1 })).toBeGreaterThan(orderOf({ version: 2 }));
  });

  it('a reclassification differs only when the counts or the outcome do', () => {
    const snapshot = fc.sample(arbitrarySnapshot(1), { numRuns: 1, seed: 7 })[0] as DossierSnapshot;
    const a = classifiedSnapshotOf(snapshot, 1);
    const b = classifiedSnapshotOf(snapshot, 1, {
      policies: { rescheduledDue: 'ignored', supplement: 'restart', outcomeBy: 'date' },
      calendar: undefined as never,
      revision: 4,
    });
    expect(classificationDiffers(a, b)).toBe(false);
    expect(classificationDiffers(a, { ...a, withdrawn: !a.withdrawn })).toBe(true);
  });
});
