import type { Agency } from '@tthc/contracts';
import { AgencyTree } from '@tthc/reference';
import { ReportError } from './report-errors';
import { problemOf } from './report-problems.filter';
import { ReportScope, successorOf } from './scope';

const agencies: Agency[] = [
  { code: 'P1', name: 'Tỉnh 1', parentCode: null, level: 'province' },
  { code: 'D1', name: 'Sở 1', parentCode: 'P1', level: 'department' },
  { code: 'H1', name: 'Huyện 1', parentCode: 'P1', level: 'district', validTo: '2025-06-30', successorCode: 'X1' },
  { code: 'C1', name: 'Xã 1', parentCode: 'H1', level: 'commune', validTo: '2025-06-30', successorCode: 'X1' },
  { code: 'X1', name: 'Xã mới', parentCode: 'P1', level: 'commune', validFrom: '2025-07-01' },
  { code: 'P2', name: 'Tỉnh 2', parentCode: null, level: 'province', successorCode: 'P1' },
  { code: 'D2', name: 'Sở 2', parentCode: 'P2', level: 'department' },
];
const tree = new AgencyTree(agencies);
const admin = { id: 'admin', role: 'admin' as const, name: 'admin', agencyCodes: [] };
const viewer = { id: 'v', role: 'viewer' as const, name: 'viewer', agencyCodes: ['H1'] };
const desk = { id: 'd', role: 'desk' as const, name: 'desk', agencyCodes: ['P1'] };

const statusOf = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    if (error instanceof ReportError) return problemOf(error).status;
    throw error;
  }
  return 200;
};

describe('report scope', () => {
  it('gives an admin everything by default and any known agency on request', () => {
    const all = ReportScope.forPrincipal(admin, undefined, tree);
    expect(all.agency).toEqual({ code: '*', name: 'Tất cả cơ quan' });
    expect(['P1', 'D2', 'UNKNOWN'].every((code) => all.includes(code))).toBe(true);
    expect(all.childOf('C1')).toBe('P1');
    expect(all.childOf('D2')).toBe('P2');
    const p2 = ReportScope.forPrincipal(admin, 'P2', tree);
    expect(p2.agency).toEqual({ code: 'P2', name: 'Tỉnh 2' });
    expect(p2.includes('D2')).toBe(true);
    expect(p2.includes('D1')).toBe(false);
    expect(statusOf(() => ReportScope.forPrincipal(admin, 'NOPE', tree))).toBe(404);
  });

  it('keeps a viewer inside its subtree: its own by default, 403 outside, 404 unknown; desks get 403', () => {
    const own = ReportScope.forPrincipal(viewer, undefined, tree);
    expect(own.agency).toEqual({ code: 'H1', name: 'Huyện 1' });
    expect(own.includes('C1')).toBe(true);
    expect(own.includes('H1')).toBe(true);
    expect(own.includes('D1')).toBe(false);
    expect(own.includes('P1')).toBe(false);
    expect(ReportScope.forPrincipal(viewer, 'C1', tree).includes('H1')).toBe(false);
    expect(statusOf(() => ReportScope.forPrincipal(viewer, 'D1', tree))).toBe(403);
    expect(statusOf(() => ReportScope.forPrincipal(viewer, 'P1', tree))).toBe(403);
    expect(statusOf(() => ReportScope.forPrincipal(viewer, 'NOPE', tree))).toBe(404);
    expect(statusOf(() => ReportScope.forPrincipal(desk, undefined, tree))).toBe(403);
    expect(statusOf(() => ReportScope.forPrincipal({ ...viewer, agencyCodes: [] }, undefined, tree))).toBe(403);
  });

  it('groups rows by the direct child of the scope agency, the agency itself keeping its own row', () => {
    const p1 = ReportScope.forPrincipal(admin, 'P1', tree);
    expect(p1.childOf('C1')).toBe('H1');
    expect(p1.childOf('H1')).toBe('H1');
    expect(p1.childOf('P1')).toBe('P1');
    expect(p1.childOf('D1')).toBe('D1');
    expect(p1.nameOf('D1')).toBe('Sở 1');
    expect(p1.nameOf('ZZ')).toBe('ZZ');
  });

  it('restates rows to the newest successor before the subtree test and grouping', () => {
    expect(successorOf(tree, 'C1')).toBe('X1');
    expect(successorOf(tree, 'D2')).toBe('D2');
    expect(successorOf(tree, 'P2')).toBe('P1');
    const restated = ReportScope.forPrincipal(admin, 'P1', tree, { restate: true });
    expect(restated.attribute('C1')).toBe('X1');
    expect(restated.childOf(restated.attribute('C1'))).toBe('X1');
    const recorded = ReportScope.forPrincipal(admin, 'P1', tree);
    expect(recorded.attribute('C1')).toBe('C1');
    expect(recorded.childOf('C1')).toBe('H1');
    // A viewer of an abolished district sees nothing once rows are restated away from it.
    const view = ReportScope.forPrincipal(viewer, undefined, tree, { restate: true });
    expect(view.includes(view.attribute('C1'))).toBe(false);
  });

  it('lists the reference agencies within the scope', () => {
    expect(
      ReportScope.forPrincipal(viewer, undefined, tree)
        .agencies()
        .map((agency) => agency.code)
        .sort(),
    ).toEqual(['C1', 'H1']);
    expect(ReportScope.forPrincipal(admin, undefined, tree).agencies()).toHaveLength(agencies.length);
  });
});
