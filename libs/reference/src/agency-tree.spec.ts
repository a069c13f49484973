import type { Agency } from '@tthc/contracts';
import { AgencyTree, validateAgencyUpload } from './agency-tree';

const agency = (code: string, parentCode: string | null, extra: Partial<Agency> = {}): Agency => ({
  code,
  name: code,
  parentCode,
  level: parentCode === null ? 'province' : 'department',
  ...extra,
});

describe('AgencyTree', () => {
  const tree = new AgencyTree([agency('P', null), agency('D1', 'P'), agency('C1', 'D1'), agency('D2', 'P')]);

  it('knows subtrees', () => {
    expect(tree.isWithin('C1', 'P')).toBe(true);
    expect(tree.isWithin('C1', 'D1')).toBe(true);
    expect(tree.isWithin('C1', 'D2')).toBe(false);
    expect(tree.isWithin('D1', 'D1')).toBe(true);
    expect(tree.isWithinAny('C1', ['D2', 'D1'])).toBe(true);
    expect(tree.isWithin('UNKNOWN', 'P')).toBe(false);
  });
});

describe('validateAgencyUpload (docs/api.md §3)', () => {
  it('accepts a hierarchy uploaded parents-after-children', () => {
    expect(validateAgencyUpload([agency('C', 'D'), agency('D', 'P'), agency('P', null)], [])).toEqual([]);
  });

  it('rejects an unknown parent, a cycle, reversed validity dates and an unknown successor', () => {
    const problems = validateAgencyUpload(
      [
        agency('A', 'NOPE'),
        agency('X', 'Y'),
        agency('Y', 'X'),
        agency('B', null, { validFrom: '2025-07-01', validTo: '2025-06-30' }),
        agency('S', null, { successorCode: 'GONE' }),
      ],
      [],
    );
    const messages = problems.map((problem) => `${problem.index}:${problem.path}:${problem.message}`);
    expect(messages).toEqual(
      expect.arrayContaining([
        '0:parentCode:unknown parent agency NOPE',
        expect.stringMatching(/^1:parentCode:the hierarchy has a cycle/),
        expect.stringMatching(/^2:parentCode:the hierarchy has a cycle/),
        '3:validTo:validTo 2025-06-30 is before validFrom 2025-07-01',
        '4:successorCode:unknown successor agency GONE',
      ]),
    );
  });

  it('accepts a parent that is already known', () => {
    expect(validateAgencyUpload([agency('D', 'P')], [agency('P', null)])).toEqual([]);
  });
});
