import { checkText, isPrivateHost } from './standalone-check';

const ROOT = '/repo';
const existing = new Set(['/repo/docs/api.md', '/repo/docs/counting-rules.md', '/repo/README.md']);
const exists = (path: string): boolean => existing.has(path);
const rules = (file: string, text: string): string[] => checkText(file, text, ROOT, exists).map((p) => p.rule);

describe('the repository stands alone (rules)', () => {
  it('refuses citations of the product notes kept outside the repository', () => {
    expect(rules('apps/a.ts', '/** Due dates (CONTRACT §5). */')).toEqual(['external-notes']);
    expect(rules('docs/x.md', 'as DOMAIN §4 says')).toEqual(['external-notes']);
    expect(rules('docs/x.md', 'see CONTRACT.md')).toEqual(['external-notes']);
    expect(rules('docs/x.md', 'the 13 columns (DOMAIN.md §5)')).toEqual(['external-notes']);
    expect(rules('deploy/Dockerfile', "# PORT is that service's CONTRACT port")).toEqual(['external-notes']);
  });

  it('accepts the repository’s own documents and identifiers that merely contain the word', () => {
    expect(rules('apps/a.ts', '/** Due dates (docs/counting-rules.md §3). */')).toEqual([]);
    expect(rules('deploy/k8s.spec.ts', 'const CONTRACT_PORTS = { intake: 3001 };')).toEqual([]);
    expect(rules('docs/x.md', 'the published API is [docs/api.md](api.md)')).toEqual([]);
  });

  // Built at run time so this file itself names no path outside the repository.
  const sibling = ['..', 'shared', 'product', 'notes'].join('/');
  const machinePath = ['', 'work', 'main', 'holidays.json'].join('/');

  it('refuses paths outside the repository', () => {
    expect(rules('README.md', `see ${sibling}`)).toEqual(['outside-path']);
    expect(rules('apps/intake/src/events/a.ts', `import { x } from '../../../../../${'shared'}/y';`)).toEqual([
      'outside-path',
    ]);
    expect(rules('apps/intake/src/events/a.ts', `import { publishOr503 } from '../${'shared'}/publish';`)).toEqual([]);
    expect(rules('test/a.int-spec.ts', "await get('/assets/../../package.json'); // a traversal attempt")).toEqual([]);
    expect(rules('apps/a.ts', `const f = '${machinePath}';`)).toEqual(['outside-path']);
    expect(rules('docs/x.md', 'open file:///etc/hosts')).toEqual(['outside-path']);
    expect(rules('docs/x.md', 'written to /tmp/province.json first')).toEqual([]);
  });

  it('refuses Markdown links that leave the repository or point at nothing', () => {
    expect(rules('README.md', `[contract](../${'shared'}/x.md)`)).toEqual(['outside-path', 'broken-link']);
    expect(rules('docs/x.md', '[gone](missing.md)')).toEqual(['broken-link']);
    expect(rules('docs/x.md', '[up](../../other/README.md)')).toEqual(['outside-path', 'broken-link']);
    expect(rules('docs/x.md', '[rules](counting-rules.md#6-period-figures) and [top](../README.md)')).toEqual([]);
    expect(rules('docs/x.md', '[section](#errors) and [spec](https://www.rfc-editor.org/rfc/rfc9457)')).toEqual([]);
  });

  it('refuses URLs of private places in Markdown and code comments, not in code', () => {
    expect(rules('docs/x.md', 'the wiki at https://wiki.corp/tthc')).toEqual(['private-url']);
    expect(rules('apps/a.ts', ' * notes: http://intranet/tthc')).toEqual(['private-url']);
    expect(rules('apps/a.ts', "const base = 'http://x'; // a test host")).toEqual([]);
    expect(rules('docs/x.md', 'the dashboard at <http://127.0.0.1:3004/>')).toEqual([]);
  });

  it('tells private hosts from public ones', () => {
    for (const host of ['intranet', 'nas.local', 'svc.internal', '10.1.2.3', '172.20.0.1', '192.168.1.10', 'h'])
      expect(isPrivateHost(host)).toBe(true);
    for (const host of ['localhost', '127.0.0.1', 'github.com', 'www.rfc-editor.org', '8.8.8.8', 'vbpl.vn'])
      expect(isPrivateHost(host)).toBe(false);
  });
});
