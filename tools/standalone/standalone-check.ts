import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, extname, join, relative, resolve, sep } from 'node:path';

/**
 * The repository stands alone: nothing in it may send a reader outside it. A clone on another
 * machine has no `../shared`, no product notes beside it and no `/work` tree, so every rule, API
 * detail and link must be in the repository itself (docs/api.md, docs/counting-rules.md).
 *
 * Rules (each a {@link StandaloneProblem} `rule`):
 * - `external-notes`: citations of notes kept outside the repository (the product's contract,
 *   domain and examples notes by name or section sign);
 * - `outside-path`: relative paths (`../…`) that climb above the repository's root from the file
 *   they are written in, absolute paths of this machine's work tree or home folders, `file://` links;
 * - `broken-link`: a relative Markdown link whose target is outside the repository or does not exist;
 * - `private-url`: an http(s) URL, in Markdown or in a code comment, to a host that only exists on a
 *   private network (a single-label host, `.local`, `.internal`, `.lan`, `.corp`, `.intranet`,
 *   `.home`, or a private IPv4 address). Public URLs (specifications, libraries, sources) and the
 *   local stack (`localhost`, `127.0.0.1`) are fine.
 */
export interface StandaloneProblem {
  file: string;
  line: number;
  rule: 'external-notes' | 'outside-path' | 'broken-link' | 'private-url';
  text: string;
}

const NOTE_NAMES = ['CONTRACT', 'DOMAIN', 'EXAMPLES'].join('|');
const EXTERNAL_NOTES = [
  new RegExp(`\\b(?:${NOTE_NAMES})(?:\\.md)?[ \\t]*§`),
  new RegExp(`\\b(?:${NOTE_NAMES})\\.md\\b`),
  // The bare upper-case word (not an identifier such as CONTRACT_PORTS).
  /(?<![\w$])CONTRACT(?![\w$])/,
];
/** A relative path that starts with `../` (not `../` inside a longer path or URL such as `/assets/../x`). */
const CLIMBING_PATH = /(?<![\w./])((?:\.\.\/)+)[\w@.-]/g;
const OUTSIDE_PATHS = [/\bshared\/product\b/, /(?<![\w.~-])\/(?:work|home|root|Users)\/[\w.-]/, /\bfile:\/\//];
const URL = /\bhttps?:\/\/([^\s/:?#)`'"<>\]]+)/g;
const MARKDOWN_LINK = /\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g;
const PRIVATE_SUFFIXES = ['.local', '.internal', '.lan', '.corp', '.intranet', '.home'];

/** True when an http(s) host only exists on a private network. */
export function isPrivateHost(host: string): boolean {
  const name = host.toLowerCase();
  if (name === 'localhost' || name === '127.0.0.1' || name.startsWith('${')) return false;
  const ipv4 = /^(\d{1,3})\.(\d{1,3})\.\d{1,3}\.\d{1,3}$/.exec(name);
  if (ipv4 !== null) {
    const [a, b] = [Number(ipv4[1]), Number(ipv4[2])];
    return a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 169 && b === 254);
  }
  if (!name.includes('.')) return true;
  return PRIVATE_SUFFIXES.some((suffix) => name.endsWith(suffix));
}

/** A line of code that is (or ends in) a comment: `//`, `/*`, ` * `, `#`. */
function commentOf(line: string, extension: string): string | null {
  const trimmed = line.trimStart();
  if (['.sh', '.yaml', '.yml', '.env', ''].includes(extension) || extension === '.properties') {
    const hash = line.indexOf('#');
    return hash >= 0 ? line.slice(hash) : null;
  }
  if (trimmed.startsWith('*') || trimmed.startsWith('/*') || trimmed.startsWith('//')) return trimmed;
  const inline = line.indexOf(' // ');
  return inline >= 0 ? line.slice(inline) : null;
}

/**
 * The problems of one file of the repository. `file` is its path relative to `root` (with `/`),
 * `exists` tells whether a path (absolute) exists, for relative Markdown links.
 */
export function checkText(
  file: string,
  text: string,
  root: string,
  exists: (absolutePath: string) => boolean = existsSync,
): StandaloneProblem[] {
  const problems: StandaloneProblem[] = [];
  const extension = extname(file);
  const markdown = extension === '.md';
  const lines = text.split('\n');
  lines.forEach((line, index) => {
    const at = { file, line: index + 1, text: line.trim().slice(0, 200) };
    if (EXTERNAL_NOTES.some((pattern) => pattern.test(line))) problems.push({ ...at, rule: 'external-notes' });
    const climbsOut = [...line.matchAll(CLIMBING_PATH)].some((match) => {
      const target = resolve(root, dirname(file), match[1] ?? '');
      return target !== root && !target.startsWith(root + sep);
    });
    if (climbsOut || OUTSIDE_PATHS.some((pattern) => pattern.test(line)))
      problems.push({ ...at, rule: 'outside-path' });
    const urlText = markdown ? line : commentOf(line, extension);
    if (urlText !== null) {
      for (const match of urlText.matchAll(URL)) {
        if (isPrivateHost(match[1] ?? '')) problems.push({ ...at, rule: 'private-url' });
      }
    }
    if (markdown) {
      for (const match of line.matchAll(MARKDOWN_LINK)) {
        const target = (match[1] ?? '').split('#')[0] ?? '';
        if (target === '' || /^[a-z][a-z0-9+.-]*:/i.test(target)) continue;
        const absolute = target.startsWith('/') ? target : resolve(root, dirname(file), decodeURI(target));
        const inside = absolute === root || absolute.startsWith(root + sep);
        if (!inside || !exists(absolute)) problems.push({ ...at, rule: 'broken-link' });
      }
    }
  });
  return problems;
}

const SKIPPED_DIRECTORIES = new Set(['node_modules', 'dist', '.git', '.local', 'coverage']);
const TEXT_EXTENSIONS = new Set([
  '.ts',
  '.js',
  '.mjs',
  '.cjs',
  '.json',
  '.md',
  '.sh',
  '.yaml',
  '.yml',
  '.html',
  '.css',
  '.env',
  '.properties',
  '.xml',
  '.java',
  '',
]);

/** Every text file of the repository under `root` (relative paths with `/`), dependencies and builds left out. */
export function repositoryFiles(root: string): string[] {
  const files: string[] = [];
  const walk = (directory: string): void => {
    for (const entry of readdirSync(directory, { withFileTypes: true })) {
      const path = join(directory, entry.name);
      if (entry.isDirectory()) {
        if (!SKIPPED_DIRECTORIES.has(entry.name)) walk(path);
      } else if (
        entry.isFile() &&
        !SKIPPED_DIRECTORIES.has(entry.name) &&
        TEXT_EXTENSIONS.has(extname(entry.name)) &&
        statSync(path).size < 2_000_000
      ) {
        files.push(relative(root, path).split(sep).join('/'));
      }
    }
  };
  walk(root);
  return files.sort();
}

/** The problems of the whole repository, `except` files (the checker and its tests, which spell the patterns). */
export function checkRepository(root: string, except: readonly string[] = []): StandaloneProblem[] {
  return repositoryFiles(root)
    .filter((file) => !except.includes(file))
    .flatMap((file) => checkText(file, readFileSync(join(root, file), 'utf8'), root));
}
