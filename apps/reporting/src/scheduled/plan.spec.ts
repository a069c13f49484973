import type { Agency } from '@tthc/contracts';
import type { Principal } from '@tthc/auth';
import { AgencyTree } from '@tthc/reference';
import { ReportScope } from '../reports/scope';
import {
  compareNewestFirst,
  monthEnded,
  monthOfRun,
  periodsOfMonth,
  planReports,
  previousMonth,
  provincesOf,
  reportIdOf,
} from './plan';

describe('periods of a scheduled run', () => {
  it('reports on the month before the run date, across a year end', () => {
    expect(monthOfRun('2026-12-01')).toBe('2026-11');
    expect(monthOfRun('2027-01-01')).toBe('2026-12');
    expect(previousMonth('2017-04-15')).toBe('2017-03');
  });

  it('adds the quarter when the month ends one', () => {
    expect(periodsOfMonth('2017-02')).toEqual([
      { kind: 'month', label: '2017-02', from: '2017-02-01', to: '2017-02-28' },
    ]);
    expect(periodsOfMonth('2016-02')[0]?.to).toBe('2016-02-29');
    expect(periodsOfMonth('2017-03')).toEqual([
      { kind: 'month', label: '2017-03', from: '2017-03-01', to: '2017-03-31' },
      { kind: 'quarter', label: '2017-Q1', from: '2017-01-01', to: '2017-03-31' },
    ]);
    expect(periodsOfMonth('2026-06')[1]).toEqual({
      kind: 'quarter',
      label: '2026-Q2',
      from: '2026-04-01',
      to: '2026-06-30',
    });
    expect(periodsOfMonth('2026-09')[1]?.label).toBe('2026-Q3');
    expect(periodsOfMonth('2026-12')[1]).toEqual({
      kind: 'quarter',
      label: '2026-Q4',
      from: '2026-10-01',
      to: '2026-12-31',
    });
    for (const month of ['01', '02', '04', '05', '07', '08', '10', '11'])
      expect(periodsOfMonth(`2026-${month}`)).toHaveLength(1);
    expect(() => periodsOfMonth('2026-13')).toThrow(/YYYY-MM/);
  });

  it('only produces months that have ended', () => {
    expect(monthEnded('2026-10', '2026-11-22')).toBe(true);
    expect(monthEnded('2026-11', '2026-11-22')).toBe(false);
    expect(monthEnded('2027-01', '2026-11-22')).toBe(false);
  });
});

const AGENCIES: Agency[] = [
  { code: 'PROV-B', name: 'Tỉnh B', parentCode: null, level: 'province' },
  { code: 'PROV-A', name: 'Tỉnh A', parentCode: null, level: 'province', validFrom: '2025-07-01' },
  { code: 'OLD-PROV', name: 'Tỉnh cũ', parentCode: null, level: 'province', validTo: '2025-06-30' },
  { code: 'MINISTRY', name: 'Bộ', parentCode: null, level: 'other' },
  { code: 'DEP', name: 'Sở', parentCode: 'PROV-A', level: 'department' },
  { code: 'DIST', name: 'Huyện', parentCode: 'PROV-A', level: 'district' },
];

describe('provinces and report ids', () => {
  it('takes root agencies of level province valid on the date, by code', () => {
    expect(provincesOf(AGENCIES, '2026-11-22').map((a) => a.code)).toEqual(['PROV-A', 'PROV-B']);
    expect(provincesOf(AGENCIES, '2025-06-30').map((a) => a.code)).toEqual(['OLD-PROV', 'PROV-B']);
  });

  it('gives deterministic, unambiguous ids', () => {
    expect(reportIdOf('PROV', '2017-Q1', 'field', 'xlsx')).toBe('PROV:2017-Q1:field:xlsx');
    expect(reportIdOf('000.00.12.H56', '2017-03', 'agency', 'csv')).toBe('000.00.12.H56:2017-03:agency:csv');
    expect(reportIdOf('A:B/C', '2017-03', 'agency', 'csv')).toBe('A%3AB%2FC:2017-03:agency:csv');
  });

  it('plans rows field and agency in xlsx and csv per province and period, each id once', () => {
    const planned = planReports(provincesOf(AGENCIES, '2026-11-22'), '2017-03');
    expect(planned).toHaveLength(2 * 2 * 2 * 2);
    expect(new Set(planned.map((report) => report.id)).size).toBe(planned.length);
    expect(planned[0]).toEqual({
      id: 'PROV-A:2017-03:field:xlsx',
      agency: { code: 'PROV-A', name: 'Tỉnh A' },
      period: { kind: 'month', label: '2017-03', from: '2017-03-01', to: '2017-03-31' },
      rows: 'field',
      format: 'xlsx',
    });
    expect(planReports(provincesOf(AGENCIES, '2026-11-22'), '2017-04')).toHaveLength(2 * 2 * 2);
    // The same run again plans the same ids (replace, never duplicate).
    expect(planReports(provincesOf(AGENCIES, '2026-11-22'), '2017-03').map((r) => r.id)).toEqual(
      planned.map((r) => r.id),
    );
  });

  it('lists newest period first, a month before the quarter ending with it', () => {
    const item = (from: string, to: string, code = 'P', rows = 'field', format = 'csv') => ({
      period: { from, to },
      agency: { code },
      rows,
      format,
    });
    const sorted = [
      item('2017-01-01', '2017-03-31'),
      item('2017-04-01', '2017-04-30'),
      item('2017-03-01', '2017-03-31', 'Q'),
      item('2017-03-01', '2017-03-31', 'P', 'agency'),
      item('2017-03-01', '2017-03-31', 'P', 'agency', 'xlsx'),
    ].sort(compareNewestFirst);
    expect(sorted).toEqual([
      item('2017-04-01', '2017-04-30'),
      item('2017-03-01', '2017-03-31', 'P', 'agency'),
      item('2017-03-01', '2017-03-31', 'P', 'agency', 'xlsx'),
      item('2017-03-01', '2017-03-31', 'Q'),
      item('2017-01-01', '2017-03-31'),
    ]);
  });
});

describe('ReportScope.forSystem and ReportScope.permits', () => {
  const tree = new AgencyTree(AGENCIES);
  const viewer = (agency: string): Principal => ({ id: 'v', role: 'viewer', name: 'v', agencyCodes: [agency] });
  const admin: Principal = { id: 'admin', role: 'admin', name: 'admin', agencyCodes: [] };
  const desk: Principal = { id: 'd', role: 'desk', name: 'd', agencyCodes: ['PROV-A'] };

  it('builds the same scope as an admin asking for the agency', () => {
    const system = ReportScope.forSystem('PROV-A', tree);
    const asked = ReportScope.forPrincipal(admin, 'PROV-A', tree);
    expect(system.agency).toEqual(asked.agency);
    for (const code of ['PROV-A', 'DEP', 'DIST', 'PROV-B', 'UNKNOWN'])
      expect(system.includes(code)).toBe(asked.includes(code));
    expect(system.childOf('DEP')).toBe('DEP');
    expect(() => ReportScope.forSystem('UNKNOWN', tree)).toThrow(/not known/);
  });

  it('permits a whole province to an admin and to a viewer of the province only', () => {
    expect(ReportScope.permits(admin, 'PROV-A', tree)).toBe(true);
    expect(ReportScope.permits(viewer('PROV-A'), 'PROV-A', tree)).toBe(true);
    expect(ReportScope.permits(viewer('DIST'), 'PROV-A', tree)).toBe(false);
    expect(ReportScope.permits(viewer('PROV-B'), 'PROV-A', tree)).toBe(false);
    expect(ReportScope.permits(desk, 'PROV-A', tree)).toBe(false);
    // Same answer as the on-demand check.
    expect(() => ReportScope.forPrincipal(viewer('DIST'), 'PROV-A', tree)).toThrow();
    expect(() => ReportScope.forPrincipal(viewer('PROV-A'), 'PROV-A', tree)).not.toThrow();
  });
});
