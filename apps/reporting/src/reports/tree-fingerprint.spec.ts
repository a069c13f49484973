import { AgencyTree } from '@tthc/reference';
import { treeFingerprint } from './overdue-index';

describe('agency tree fingerprint (when the overdue index is re-keyed)', () => {
  const agencies = [
    { code: 'PROV', name: 'Tỉnh', parentCode: null, level: 'province' as const },
    { code: 'DIST', name: 'Huyện', parentCode: 'PROV', level: 'district' as const },
    { code: 'COM', name: 'Xã', parentCode: 'DIST', level: 'commune' as const },
  ];

  it('ignores the order and the names, changes with a parent or an agency', () => {
    const base = treeFingerprint(new AgencyTree(agencies));
    expect(treeFingerprint(new AgencyTree([...agencies].reverse()))).toBe(base);
    expect(treeFingerprint(new AgencyTree(agencies.map((a) => ({ ...a, name: `${a.name}!` }))))).toBe(base);
    expect(
      treeFingerprint(new AgencyTree(agencies.map((a) => (a.code === 'COM' ? { ...a, parentCode: 'PROV' } : a)))),
    ).not.toBe(base);
    expect(treeFingerprint(new AgencyTree(agencies.slice(0, 2)))).not.toBe(base);
  });

  it('is the same when asked again of the same tree (cached per tree object)', () => {
    const tree = new AgencyTree(agencies);
    expect(treeFingerprint(tree)).toBe(treeFingerprint(tree));
    expect(treeFingerprint(tree)).toMatch(/^[0-9a-f]{64}$/);
  });
});
