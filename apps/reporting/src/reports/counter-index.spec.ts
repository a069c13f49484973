import fc from 'fast-check';
import { addDays, localDateOf } from '@tthc/calendar';
import type { Agency, DossierSnapshot } from '@tthc/contracts';
import {
  addCounter,
  contributionDiff,
  contributionOf,
  dimensionsOf,
  emptySums,
  mergeIncrements,
  type AppliedContribution,
  type CounterRow,
} from '@tthc/counting';
import {
  arbitrarySnapshot,
  BASE,
  comparable,
  DAY,
  naiveFigures,
} from '../../../../libs/counting/src/figures.test-support';
import { AgencyTree } from '@tthc/reference';
import { CounterIndex, Series, vectorOf } from './counter-index';
import { figuresOf, timeseriesOf } from './report-math';
import { ReportScope } from './scope';

const applied = (snapshot: DossierSnapshot): AppliedContribution | null => {
  const contribution = contributionOf(snapshot);
  return contribution === null ? null : { dimensions: dimensionsOf(snapshot), contribution };
};

const agencies: Agency[] = [
  { code: 'ROOT', name: 'Tỉnh', parentCode: null, level: 'province' },
  { code: 'A1', name: 'Sở 1', parentCode: 'ROOT', level: 'department' },
  { code: 'A2', name: 'Sở 2', parentCode: 'ROOT', level: 'department' },
];
const tree = new AgencyTree(agencies);
const admin = { id: 'admin', role: 'admin' as const, name: 'admin', agencyCodes: [] };

const arbitraryRow = fc.record({
  agency: fc.constantFrom('A1', 'A2'),
  field: fc.constantFrom('F1', 'F2'),
  procedure: fc.constant('P'),
  channel: fc.constantFrom('online' as const, 'in_person' as const, 'postal' as const),
  date: fc.integer({ min: 0, max: 30 }).map((day) => addDays('2017-01-01', day)),
  received: fc.integer({ min: -2, max: 5 }),
  early: fc.integer({ min: 0, max: 3 }),
  onTime: fc.integer({ min: 0, max: 3 }),
  late: fc.integer({ min: 0, max: 3 }),
  withdrawn: fc.integer({ min: 0, max: 2 }),
  overdue: fc.integer({ min: -2, max: 2 }),
  dueSameDay: fc.integer({ min: 0, max: 2 }),
});

describe('counter series and index', () => {
  it('sums a period exactly like addCounter row by row (property)', () => {
    fc.assert(
      fc.property(
        fc.array(arbitraryRow, { maxLength: 60 }),
        fc.integer({ min: -2, max: 33 }),
        fc.integer({ min: 0, max: 35 }),
        (rows: CounterRow[], fromDay, length) => {
          const from = addDays('2017-01-01', fromDay);
          const upper = addDays(from, length);
          const expected = emptySums();
          for (const row of rows) if (row.date <= upper) addCounter(expected, row, row, from, upper);
          const index = CounterIndex.of(rows);
          const scope = ReportScope.forPrincipal(admin, undefined, tree);
          const actual = emptySums();
          for (const { series } of index.select(scope, {})) series.sumInto(actual, from, upper);
          expect(actual).toEqual(expected);
          const merged = Series.merge(
            [...index.select(scope, {})].map((entry) => entry.series),
            upper,
          );
          const fromMerged = emptySums();
          merged.sumInto(fromMerged, from, upper);
          expect(fromMerged).toEqual(expected);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('answers the contract figures of random dossiers for an agency subtree (property)', () => {
    fc.assert(
      fc.property(
        fc
          .array(fc.nat(), { minLength: 1, maxLength: 30 })
          .chain((seeds) => fc.tuple(...seeds.map((_, index) => arbitrarySnapshot(index)))),
        fc.integer({ min: 0, max: 100 }),
        fc.integer({ min: 0, max: 60 }),
        fc.constantFrom<string | undefined>(undefined, 'A1', 'A2', 'ROOT'),
        (dossiers, fromDay, length, agency) => {
          const index = new CounterIndex();
          for (const { key, inc } of mergeIncrements(dossiers.flatMap((d) => contributionDiff(null, applied(d)))))
            index.apply(key, inc);
          const from = localDateOf(BASE + fromDay * DAY);
          const to = addDays(from, length);
          const scope = ReportScope.forPrincipal(admin, agency, tree);
          const naiveAgency = agency === undefined || agency === 'ROOT' ? null : agency;
          const far = '2099-01-01';
          expect(comparable(figuresOf(index.select(scope, {}), { from, to }, far))).toEqual(
            naiveFigures(dossiers, from, to, naiveAgency),
          );
          // A period reaching today: rows up to today, a dossier due today not overdue yet.
          expect(comparable(figuresOf(index.select(scope, {}), { from, to: far }, to))).toEqual(
            naiveFigures(dossiers, from, to, naiveAgency, to),
          );
        },
      ),
      { numRuns: 200 },
    );
  });

  it('keeps the index equal to a rebuild when journal increments arrive one by one (property)', () => {
    fc.assert(
      fc.property(fc.array(arbitraryRow, { maxLength: 40 }), (rows: CounterRow[]) => {
        const stepwise = new CounterIndex();
        for (const row of rows) stepwise.apply(row, row);
        const scope = ReportScope.forPrincipal(admin, undefined, tree);
        const summed = (index: CounterIndex) => {
          const sums = emptySums();
          for (const { series } of index.select(scope, {})) series.sumInto(sums, '2017-01-10', '2017-01-20');
          return sums;
        };
        const merged = new Map<string, CounterRow>();
        for (const row of rows) {
          const id = `${row.agency}|${row.field}|${row.procedure}|${row.channel}|${row.date}`;
          const entry = merged.get(id) ?? {
            ...row,
            received: 0,
            early: 0,
            onTime: 0,
            late: 0,
            withdrawn: 0,
            overdue: 0,
            dueSameDay: 0,
          };
          for (const metric of ['received', 'early', 'onTime', 'late', 'withdrawn', 'overdue', 'dueSameDay'] as const)
            entry[metric] = (entry[metric] ?? 0) + (row[metric] ?? 0);
          merged.set(id, entry);
        }
        const rebuilt = CounterIndex.of(merged.values());
        expect(summed(stepwise)).toEqual(summed(rebuilt));
        expect(stepwise.rows).toBe(merged.size);
      }),
    );
  });

  it('filters by field, procedure and channel', () => {
    const index = CounterIndex.of([
      { agency: 'A1', field: 'F1', procedure: 'P1', channel: 'online', date: '2017-01-02', received: 1 },
      { agency: 'A1', field: 'F2', procedure: 'P2', channel: 'postal', date: '2017-01-02', received: 2 },
      { agency: 'A2', field: 'F1', procedure: 'P1', channel: 'postal', date: '2017-01-02', received: 4 },
    ]);
    const scope = ReportScope.forPrincipal(admin, undefined, tree);
    const total = (filters: Parameters<CounterIndex['select']>[1]) =>
      figuresOf(index.select(scope, filters), { from: '2017-01-01', to: '2017-01-31' }, '2030-01-01').received.new;
    expect(total({})).toBe(7);
    expect(total({ field: 'F1' })).toBe(5);
    expect(total({ procedure: 'P2' })).toBe(2);
    expect(total({ channel: 'postal' })).toBe(6);
    expect(total({ field: 'F1', channel: 'postal' })).toBe(4);
    expect(
      figuresOf(
        index.select(ReportScope.forPrincipal(admin, 'A2', tree), {}),
        { from: '2017-01-01', to: '2017-01-31' },
        '2030-01-01',
      ).received.new,
    ).toBe(4);
  });

  it('answers a timeseries like a summary per interval', () => {
    const rows: CounterRow[] = [];
    for (let day = 0; day < 200; day++)
      rows.push({
        agency: 'A1',
        field: 'F',
        procedure: 'P',
        channel: 'online',
        date: addDays('2017-01-01', day),
        received: 1,
        early: day % 3 === 0 ? 1 : 0,
        overdue: day % 50 === 0 ? 1 : 0,
      });
    const index = CounterIndex.of(rows);
    const scope = ReportScope.forPrincipal(admin, undefined, tree);
    const points = timeseriesOf(
      index.select(scope, {}),
      { from: '2017-01-15', to: '2017-06-10' },
      'month',
      '2017-05-20',
    );
    expect(points.map((p) => p.period)).toEqual([
      { from: '2017-01-15', to: '2017-01-31' },
      { from: '2017-02-01', to: '2017-02-28' },
      { from: '2017-03-01', to: '2017-03-31' },
      { from: '2017-04-01', to: '2017-04-30' },
      { from: '2017-05-01', to: '2017-05-31' },
      { from: '2017-06-01', to: '2017-06-10' },
    ]);
    for (const point of points)
      expect(point.figures).toEqual(figuresOf(index.select(scope, {}), point.period, '2017-05-20'));
    expect(vectorOf('postal', { received: 3 })[2]).toBe(3);
  });
});
