import type { Agency } from '@tthc/contracts';
import { emptySums, periodFigures } from '@tthc/counting';
import { AgencyTree } from '@tthc/reference';
import { CounterIndex } from './counter-index';
import { boundsOf, form06aRows, groupedFigures, indicatorsOf } from './report-math';
import { ReportScope } from './scope';

const tree = new AgencyTree([
  { code: 'P', name: 'Tỉnh', parentCode: null, level: 'province' },
  { code: 'D1', name: 'Sở 1', parentCode: 'P', level: 'department' },
  { code: 'D2', name: 'Sở 2', parentCode: 'P', level: 'department' },
  { code: 'U1', name: 'Phòng 1', parentCode: 'D1', level: 'other' },
] satisfies Agency[]);
const admin = { id: 'admin', role: 'admin' as const, name: 'admin', agencyCodes: [] };
const period = { from: '2017-02-01', to: '2017-02-28' };

describe('report arithmetic', () => {
  it('groups II.06a rows by direct child (own dossiers under the agency itself), omits zero rows, sorts by key', () => {
    const index = CounterIndex.of([
      { agency: 'U1', field: 'F', procedure: 'X', channel: 'online', date: '2017-02-03', received: 2, early: 1 },
      { agency: 'D1', field: 'F', procedure: 'X', channel: 'postal', date: '2017-01-03', received: 1 },
      { agency: 'P', field: 'G', procedure: 'Y', channel: 'in_person', date: '2017-02-04', received: 1, late: 1 },
      { agency: 'D2', field: 'G', procedure: 'Y', channel: 'online', date: '2017-03-04', received: 5 },
    ]);
    const scope = ReportScope.forPrincipal(admin, 'P', tree);
    const { groups, total } = groupedFigures(
      index.select(scope, {}),
      (e) => scope.childOf(e.agency),
      period,
      '2030-01-01',
    );
    const rows = form06aRows(groups, (key) => scope.nameOf(key));
    expect(rows.map((row) => row.key)).toEqual(['D1', 'P']); // D2 only has a row after the period
    expect(rows[0]).toEqual({
      key: 'D1',
      name: 'Sở 1',
      received: { total: 3, online: 2, inPersonOrPostal: 0, carriedOver: 1 },
      resolved: { total: 1, early: 1, onTime: 0, late: 0 },
      pending: { total: 2, withinDeadline: 2, overdue: 0 },
    });
    expect(rows[1]?.resolved).toEqual({ total: 1, early: 0, onTime: 0, late: 1 });
    expect(total.received.total).toBe(4);
    const byField = groupedFigures(index.select(scope, {}, 'field'), (e) => e.dimensions.field, period, '2030-01-01');
    expect(form06aRows(byField.groups, (key) => key).map((row) => [row.key, row.received.total])).toEqual([
      ['F', 3],
      ['G', 1],
    ]);
  });

  it('computes indicator 2.1 (20 × rate C) and 3.3 (12 × min(1, online share ÷ 50 %))', () => {
    const figures = periodFigures({
      ...emptySums(),
      newByChannel: { online: 3, in_person: 7, postal: 0 },
      early: 4,
      onTime: 2,
      late: 1,
      overdue: 1,
    });
    // all = (6 + withinDeadline 2) / 10
    const indicators = indicatorsOf(figures);
    expect(indicators.processingProgress.rate).toBeCloseTo(0.8);
    expect(indicators.processingProgress.points).toBeCloseTo(16);
    expect(indicators.onlineShare.share).toBeCloseTo(0.3);
    expect(indicators.onlineShare.points).toBeCloseTo(7.2);
    const online = indicatorsOf(
      periodFigures({ ...emptySums(), newByChannel: { online: 8, in_person: 2, postal: 0 } }),
    );
    expect(online.onlineShare.points).toBe(12);
    const none = indicatorsOf(periodFigures(emptySums()));
    expect(none.processingProgress.points).toBeNull();
    expect(none.onlineShare.points).toBeNull();
  });

  it('bounds a period by today when it reaches today', () => {
    expect(boundsOf({ from: '2017-01-01', to: '2017-12-31' }, '2017-06-01')).toEqual({
      upper: '2017-06-01',
      reachesToday: true,
    });
    expect(boundsOf({ from: '2017-01-01', to: '2017-06-01' }, '2017-06-01')).toEqual({
      upper: '2017-06-01',
      reachesToday: true,
    });
    expect(boundsOf({ from: '2017-01-01', to: '2017-05-31' }, '2017-06-01')).toEqual({
      upper: '2017-05-31',
      reachesToday: false,
    });
  });
});
