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
import { arbitrarySnapshot, BASE, comparable, DAY, naiveFigures } from '@tthc/counting/testing';
import { AgencyTree } from '@tthc/reference';
import { CounterIndex, levelFor, Series, vectorOf, type Dimension } from './counter-index';
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

describe('subtree aggregates', () => {
  const codes = ['R', 'B', 'C', 'D', 'E', 'X'] as const;
  /** Random parent links among the codes (null, another code, or an unknown code; cycles possible), some codes unknown. */
  const arbitraryTree = fc
    .tuple(
      fc.array(fc.constantFrom<string | null>(null, ...codes, 'GHOST'), {
        minLength: codes.length,
        maxLength: codes.length,
      }),
      fc.array(fc.boolean(), { minLength: codes.length, maxLength: codes.length }),
      fc.array(fc.constantFrom<string | undefined>(undefined, undefined, ...codes), {
        minLength: codes.length,
        maxLength: codes.length,
      }),
    )
    .map(([parents, known, successors]) => {
      const list: Agency[] = [];
      codes.forEach((code, i) => {
        if (!known[i] && code !== 'R') return;
        list.push({
          code,
          name: code,
          parentCode: parents[i] ?? null,
          level: 'department',
          ...(successors[i] === undefined ? {} : { successorCode: successors[i] }),
        });
      });
      return new AgencyTree(list);
    });
  const treeRow = arbitraryRow.chain((row) =>
    fc.constantFrom<string>(...codes, 'GHOST', 'Z').map((agency) => ({ ...row, agency })),
  );
  const arbitraryScope = fc.record({
    root: fc.constantFrom<string | null>(null, ...codes, 'GHOST', 'Z'),
    restate: fc.boolean(),
  });
  const arbitraryQuery = fc.record({
    field: fc.constantFrom<string | undefined>(undefined, 'F1', 'F2', 'F3'),
    procedure: fc.constantFrom<string | undefined>(undefined, 'P', 'Q'),
    channel: fc.constantFrom<CounterRow['channel'] | undefined>(undefined, 'online', 'postal'),
    groupBy: fc.constantFrom<'field' | 'procedure' | 'channel' | 'agency' | undefined>(
      undefined,
      'field',
      'procedure',
      'channel',
      'agency',
    ),
    fromDay: fc.integer({ min: -2, max: 33 }),
    length: fc.integer({ min: 0, max: 35 }),
  });
  type Query = {
    field: string | undefined;
    procedure: string | undefined;
    channel: CounterRow['channel'] | undefined;
    groupBy: 'field' | 'procedure' | 'channel' | 'agency' | undefined;
    fromDay: number;
    length: number;
  };
  const scopeOf = (tree: AgencyTree, { root, restate }: { root: string | null; restate: boolean }) =>
    root === null
      ? ReportScope.forPrincipal(admin, undefined, tree, { restate })
      : ReportScope.forPrincipal({ id: 'v', role: 'viewer', name: 'v', agencyCodes: [root] }, undefined, tree, {
          restate,
        });
  const filtersOf = (query: Query) => ({
    ...(query.field === undefined ? {} : { field: query.field }),
    ...(query.procedure === undefined ? {} : { procedure: query.procedure }),
    ...(query.channel === undefined ? {} : { channel: query.channel }),
  });
  /** Sums per group from the index's selection. */
  const fromIndex = (index: CounterIndex, scope: ReportScope, query: Query) => {
    const from = addDays('2017-01-01', query.fromDay);
    const upper = addDays(from, query.length);
    const groups = new Map<string, ReturnType<typeof emptySums>>();
    const selected =
      query.groupBy === 'agency'
        ? index.select(scope, filtersOf(query))
        : index.select(scope, filtersOf(query), query.groupBy, { subtrees: true });
    for (const entry of selected) {
      const key =
        query.groupBy === undefined
          ? ''
          : query.groupBy === 'agency'
            ? scope.childOf(entry.agency)
            : entry.dimensions[query.groupBy];
      const sums = groups.get(key) ?? emptySums();
      entry.series.sumInto(sums, from, upper);
      groups.set(key, sums);
    }
    return groups;
  };
  /** Sums per group row by row with addCounter. */
  const naive = (rows: readonly CounterRow[], scope: ReportScope, query: Query) => {
    const from = addDays('2017-01-01', query.fromDay);
    const upper = addDays(from, query.length);
    const groups = new Map<string, ReturnType<typeof emptySums>>();
    for (const row of rows) {
      const agency = scope.attribute(row.agency);
      if (!scope.includes(agency) || row.date > upper) continue;
      if (query.field !== undefined && row.field !== query.field) continue;
      if (query.procedure !== undefined && row.procedure !== query.procedure) continue;
      if (query.channel !== undefined && row.channel !== query.channel) continue;
      const key =
        query.groupBy === undefined ? '' : query.groupBy === 'agency' ? scope.childOf(agency) : row[query.groupBy];
      const sums = groups.get(key) ?? emptySums();
      addCounter(sums, row, row, from, upper);
      groups.set(key, sums);
    }
    return groups;
  };
  /** Groups whose sums are all zero carry no information (a selected series may sum to nothing in the period). */
  const nonZero = (groups: Map<string, ReturnType<typeof emptySums>>) =>
    new Map([...groups].filter(([, sums]) => JSON.stringify(sums) !== JSON.stringify(emptySums())));
  const row = fc
    .tuple(treeRow, fc.constantFrom('P', 'Q'), fc.constantFrom('F1', 'F2', 'F3'))
    .map(([base, procedure, field]): CounterRow => ({ ...base, procedure, field }));

  it('answers exactly like the per-agency series and addCounter row by row, after increments and a tree change (property)', () => {
    fc.assert(
      fc.property(
        fc.array(row, { maxLength: 50 }),
        fc.array(row, { maxLength: 20 }),
        arbitraryTree,
        arbitraryTree,
        fc.array(fc.tuple(arbitraryScope, arbitraryQuery), { minLength: 1, maxLength: 4 }),
        (loaded, later, tree, changed, queries) => {
          const index = CounterIndex.of(loaded, tree);
          expect(index.aggregatesTree).toBe(tree);
          const check = (current: AgencyTree, rows: readonly CounterRow[]) => {
            // Always one query that reads the subtree aggregates (so a changed tree rebuilds them).
            const summary: Query = {
              field: undefined,
              procedure: undefined,
              channel: undefined,
              groupBy: undefined,
              fromDay: 0,
              length: 35,
            };
            for (const [scopeQuery, query] of [
              ...queries,
              [{ root: 'R', restate: false }, summary] as const,
              [{ root: null, restate: false }, summary] as const,
            ]) {
              const scope = scopeOf(current, scopeQuery);
              const expected = naive(rows, scope, query);
              expect(nonZero(fromIndex(index, scope, query))).toEqual(nonZero(expected));
              // The per-agency path agrees as well.
              const perAgency = emptySums();
              const from = addDays('2017-01-01', query.fromDay);
              const upper = addDays(from, query.length);
              const level = levelFor(new Set(Object.keys(filtersOf(query)) as Dimension[]));
              for (const { series } of index.selectPerAgency(scope, level, filtersOf(query)))
                series.sumInto(perAgency, from, upper);
              const total = emptySums();
              for (const sums of expected.values()) addSums(total, sums);
              expect(perAgency).toEqual(total);
            }
          };
          check(tree, loaded);
          for (const one of later) index.apply(one, one);
          check(tree, [...loaded, ...later]);
          // Another tree: the first query with it rebuilds the aggregates.
          check(changed, [...loaded, ...later]);
          expect(index.aggregatesTree).toBe(changed);
          const more = later.slice(0, 5).map((one) => ({ ...one, date: addDays(one.date, 3) }));
          for (const one of more) index.apply(one, one);
          check(changed, [...loaded, ...later, ...more]);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('reads one subtree series for a summary and one per field for II.06a by field', () => {
    const tree = new AgencyTree([
      { code: 'P', name: 'P', parentCode: null, level: 'province' },
      ...Array.from({ length: 50 }, (_, i) => ({
        code: `D${i}`,
        name: `D${i}`,
        parentCode: 'P',
        level: 'department' as const,
      })),
    ]);
    const rows: CounterRow[] = [];
    for (let i = 0; i < 50; i++)
      for (const field of ['F1', 'F2', 'F3'])
        rows.push({ agency: `D${i}`, field, procedure: 'P', channel: 'online', date: '2017-01-02', received: 1 });
    const index = CounterIndex.of(rows, tree);
    const province = ReportScope.forPrincipal(admin, 'P', tree);
    expect(index.select(province, {}, undefined, { subtrees: true })).toHaveLength(1);
    expect(index.select(province, { field: 'F2' }, undefined, { subtrees: true })).toHaveLength(1);
    expect(index.select(province, {}, 'field', { subtrees: true })).toHaveLength(3);
    expect(
      index.select(ReportScope.forPrincipal(admin, undefined, tree), {}, undefined, { subtrees: true }),
    ).toHaveLength(1);
    expect(index.select(province, {})).toHaveLength(50);
    expect(
      index.select(ReportScope.forPrincipal(admin, 'P', tree, { restate: true }), {}, undefined, { subtrees: true }),
    ).toHaveLength(50);
    expect(
      figuresOf(
        index.select(province, {}, 'field', { subtrees: true }),
        { from: '2017-01-01', to: '2017-01-31' },
        '2030-01-01',
      ).received.new,
    ).toBe(150);
  });
});

function addSums(target: ReturnType<typeof emptySums>, source: ReturnType<typeof emptySums>): void {
  for (const key of Object.keys(source) as (keyof typeof source)[]) {
    const value = source[key];
    if (typeof value === 'number') (target[key] as number) += value;
    else
      for (const channel of Object.keys(value) as (keyof typeof value)[])
        (target[key] as typeof value)[channel] += value[channel];
  }
}
