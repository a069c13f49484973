import { resolve } from 'node:path';
import { checkRepository } from '../tools/standalone/standalone-check';

const ROOT = resolve(__dirname, '..');
/** The checker and its tests spell the patterns they refuse. */
const CHECKER = [
  'tools/standalone/standalone-check.ts',
  'tools/standalone/standalone-check.spec.ts',
  'test/standalone.spec.ts',
];

describe('the repository stands alone', () => {
  it('has no link, path or citation outside the repository in README, docs, code or comments', () => {
    const problems = checkRepository(ROOT, CHECKER).map((p) => `${p.file}:${p.line} ${p.rule}: ${p.text}`);
    expect(problems).toEqual([]);
  });
});
