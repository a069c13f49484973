/**
 * `verify`: compares the live report API (docs/api.md §5) with the independent oracle (tools/oracle)
 * for many periods, agencies and filters, and lists every difference.
 *
 * The oracle is asked with `now` = the answer's `dataAsOf` (so both judge overdue on the same
 * day); figures are compared leaf by leaf, rates with a tolerance of 1e-6. Form 06a rows are
 * matched by key; a row missing on one side counts as all zeros (so an empty row listed by one side
 * only is no difference).
 */
import type { Form06a, Form06aCells, Oracle, Channel } from '../oracle';
import { seededRandom } from '../../libs/testing/src/generator';

export interface VerifyQuery {
  report: 'summary' | 'form-06a';
  from: string;
  to: string;
  /** Agency code; absent = the key's own scope (everything for the admin key). */
  agency?: string;
  field?: string;
  procedure?: string;
  channel?: Channel;
  /** form-06a only. */
  rows?: 'field' | 'agency' | 'procedure';
}

export interface Difference {
  query: string;
  figure: string;
  expected: number | string | null;
  actual: number | string | null;
}

export interface VerifyResult {
  queries: number;
  differences: Difference[];
}

export interface VerifyOptions {
  /** Fallback `now` when an answer has no `dataAsOf` (default: the real current time). */
  now?: number | string | Date;
  /** Parallel requests (default 4). */
  concurrency?: number;
  /** Tolerance of rates (default 1e-6). */
  tolerance?: number;
  fetch?: typeof fetch;
  onProgress?: (done: number, total: number) => void;
}

/** The URL path and query string of a query (also its label in the differences table). */
export function queryPath(query: VerifyQuery): string {
  const params = new URLSearchParams({ from: query.from, to: query.to });
  if (query.agency !== undefined) params.set('agency', query.agency);
  if (query.field !== undefined) params.set('field', query.field);
  if (query.procedure !== undefined) params.set('procedure', query.procedure);
  if (query.channel !== undefined) params.set('channel', query.channel);
  if (query.report === 'form-06a') params.set('rows', query.rows ?? 'field');
  return `/v1/reports/${query.report}?${params.toString()}`;
}

type Leaves = Map<string, number | null>;

function flatten(value: unknown, prefix: string, out: Leaves): Leaves {
  if (value === null || typeof value === 'number') {
    out.set(prefix, value);
  } else if (typeof value === 'object' && !Array.isArray(value)) {
    for (const [key, inner] of Object.entries(value as Record<string, unknown>)) {
      flatten(inner, prefix === '' ? key : `${prefix}.${key}`, out);
    }
  }
  return out;
}

const SUMMARY_FIGURES = ['received', 'resolved', 'pending', 'onTimeRate'] as const;

function compareLeaves(
  label: string,
  prefix: string,
  expected: Leaves,
  actualObject: unknown,
  tolerance: number,
  out: Difference[],
): void {
  const actual = flatten(actualObject ?? {}, prefix, new Map());
  for (const [figure, want] of expected) {
    const got = actual.has(figure) ? (actual.get(figure) as number | null) : undefined;
    const isRate = figure.includes('onTimeRate');
    const equal =
      got === want ||
      (isRate && typeof got === 'number' && typeof want === 'number' && Math.abs(got - want) <= tolerance);
    if (!equal) out.push({ query: label, figure, expected: want, actual: got === undefined ? 'missing' : got });
  }
}

const ZERO_CELLS: Form06aCells = {
  received: { total: 0, online: 0, inPersonOrPostal: 0, carriedOver: 0 },
  resolved: { total: 0, early: 0, onTime: 0, late: 0 },
  pending: { total: 0, withinDeadline: 0, overdue: 0 },
};

function cellsOnly(row: unknown): unknown {
  if (row === null || typeof row !== 'object') return row;
  const { received, resolved, pending } = row as Record<string, unknown>;
  return { received, resolved, pending };
}

/** Differences of one answer against the oracle (exported for tests). */
export function compareAnswer(
  query: VerifyQuery,
  body: unknown,
  oracle: Oracle,
  now: number | string | Date,
  tolerance = 1e-6,
): Difference[] {
  const label = queryPath(query);
  const out: Difference[] = [];
  const answer = (body ?? {}) as Record<string, unknown>;
  const filters = { field: query.field, procedure: query.procedure, channel: query.channel };
  if (query.report === 'summary') {
    const expected = oracle.figures({ from: query.from, to: query.to, agency: query.agency, ...filters, now });
    for (const figure of SUMMARY_FIGURES) {
      compareLeaves(label, figure, flatten(expected[figure], figure, new Map()), answer[figure], tolerance, out);
    }
    return out;
  }
  const root = query.agency ?? '';
  const expected: Form06a = oracle.form06a({
    from: query.from,
    to: query.to,
    agency: root,
    rows: query.rows ?? 'field',
    ...filters,
    now,
  });
  compareLeaves(label, 'total', flatten(expected.total, 'total', new Map()), cellsOnly(answer.total), tolerance, out);
  const actualRows = new Map<string, unknown>();
  for (const row of Array.isArray(answer.rows) ? (answer.rows as Array<Record<string, unknown>>) : []) {
    actualRows.set(String(row.key), cellsOnly(row));
  }
  const expectedRows = new Map(expected.rows.map((row) => [row.key, row as Form06aCells]));
  const keys = [...new Set([...expectedRows.keys(), ...actualRows.keys()])].sort();
  for (const key of keys) {
    const want = flatten(cellsOnly(expectedRows.get(key) ?? ZERO_CELLS), `rows[${key}]`, new Map());
    compareLeaves(label, `rows[${key}]`, want, actualRows.get(key) ?? ZERO_CELLS, tolerance, out);
  }
  if (!Array.isArray(answer.rows)) out.push({ query: label, figure: 'rows', expected: 'array', actual: 'missing' });
  return out;
}

/** Asks the report API every query and compares each answer with the oracle. */
export async function verifyAgainst(
  baseUrl: string,
  key: string,
  oracle: Oracle,
  queries: readonly VerifyQuery[],
  options: VerifyOptions = {},
): Promise<VerifyResult> {
  const base = baseUrl.replace(/\/+$/, '');
  const doFetch = options.fetch ?? fetch;
  const concurrency = Math.max(1, options.concurrency ?? 4);
  const tolerance = options.tolerance ?? 1e-6;
  const results: Difference[][] = new Array<Difference[]>(queries.length);
  let next = 0;
  let done = 0;
  const worker = async () => {
    for (let index = next++; index < queries.length; index = next++) {
      const query = queries[index] as VerifyQuery;
      const label = queryPath(query);
      try {
        const response = await doFetch(`${base}${label}`, {
          headers: { Authorization: `Bearer ${key}`, Accept: 'application/json' },
        });
        const text = await response.text();
        if (response.status !== 200) {
          results[index] = [{ query: label, figure: 'HTTP status', expected: 200, actual: response.status }];
        } else {
          const body = JSON.parse(text) as Record<string, unknown>;
          const asOf = typeof body.dataAsOf === 'string' ? body.dataAsOf : (options.now ?? Date.now());
          results[index] = compareAnswer(query, body, oracle, asOf, tolerance);
        }
      } catch (error) {
        results[index] = [
          {
            query: label,
            figure: 'request',
            expected: 'answer',
            actual: error instanceof Error ? error.message : String(error),
          },
        ];
      }
      options.onProgress?.(++done, queries.length);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, queries.length) }, worker));
  return { queries: queries.length, differences: results.flat() };
}

// ---------------------------------------------------------------------------------------------
// Which queries
// ---------------------------------------------------------------------------------------------

export interface PlanInput {
  /** First and last dates with data (inclusive). */
  from: string;
  to: string;
  agencies: ReadonlyArray<{ code: string; parentCode: string | null; level: string }>;
  fields: ReadonlyArray<{ code: string }>;
  seed?: number;
  /** Random periods in addition to months, quarters and years (default 6). */
  randomRanges?: number;
  /** Agencies besides the roots (default 12). */
  agencyCount?: number;
}

function lastDayOf(year: number, month: number): string {
  const day = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

function addIsoDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/**
 * Months, quarters and years overlapping [from, to], some random ranges; the summary and both
 * form 06a layouts for the roots; summaries for ≥ 10 agencies (departments, districts, communes)
 * over the years and quarters; field and channel filters.
 */
export function planQueries(input: PlanInput): VerifyQuery[] {
  const random = seededRandom(input.seed ?? 1);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const periods: Array<{ from: string; to: string; kind: 'month' | 'quarter' | 'year' | 'range' }> = [];
  const firstYear = Number(input.from.slice(0, 4));
  const lastYear = Number(input.to.slice(0, 4));
  for (let year = firstYear; year <= lastYear; year++) {
    for (let month = 1; month <= 12; month++) {
      const from = `${year}-${String(month).padStart(2, '0')}-01`;
      const to = lastDayOf(year, month);
      if (to >= input.from && from <= input.to) periods.push({ from, to, kind: 'month' });
    }
    for (let quarter = 0; quarter < 4; quarter++) {
      const from = `${year}-${String(quarter * 3 + 1).padStart(2, '0')}-01`;
      const to = lastDayOf(year, quarter * 3 + 3);
      if (to >= input.from && from <= input.to) periods.push({ from, to, kind: 'quarter' });
    }
    periods.push({ from: `${year}-01-01`, to: `${year}-12-31`, kind: 'year' });
  }
  const span = Math.max(1, Math.round((Date.parse(input.to) - Date.parse(input.from)) / 86_400_000));
  for (let index = 0; index < (input.randomRanges ?? 6); index++) {
    const start = addIsoDays(input.from, Math.floor(random() * span));
    const end = addIsoDays(start, Math.floor(random() * 120));
    periods.push({ from: start, to: end > input.to ? input.to : end, kind: 'range' });
  }

  const roots = input.agencies.filter((agency) => agency.parentCode === null).map((agency) => agency.code);
  const byLevel = (level: string) => input.agencies.filter((agency) => agency.level === level).map((a) => a.code);
  const sample = (codes: string[], count: number) => {
    const pool = [...codes];
    const out: string[] = [];
    while (out.length < count && pool.length > 0)
      out.push(pool.splice(Math.floor(random() * pool.length), 1)[0] as string);
    return out;
  };
  const wanted = input.agencyCount ?? 12;
  const departments = sample(byLevel('department'), Math.ceil(wanted / 3));
  const districts = sample(byLevel('district'), Math.ceil(wanted / 3));
  const communes = sample(byLevel('commune'), Math.ceil(wanted / 3));
  const others = sample(byLevel('other'), 1);
  const agencies = [...departments, ...districts, ...communes, ...others];
  const fields = sample(
    input.fields.map((field) => field.code),
    3,
  );

  const queries: VerifyQuery[] = [];
  for (const period of periods) {
    const { from, to } = period;
    queries.push({ report: 'summary', from, to });
    for (const root of roots) {
      queries.push({ report: 'summary', from, to, agency: root });
      queries.push({ report: 'form-06a', from, to, agency: root, rows: 'field' });
      queries.push({ report: 'form-06a', from, to, agency: root, rows: 'agency' });
    }
    if (period.kind === 'year' || period.kind === 'quarter') {
      for (const agency of agencies) queries.push({ report: 'summary', from, to, agency });
      for (const district of districts) queries.push({ report: 'form-06a', from, to, agency: district, rows: 'field' });
    }
    if (period.kind === 'year' || period.kind === 'range') {
      const root = pick(roots);
      for (const field of fields) queries.push({ report: 'summary', from, to, agency: root, field });
      for (const channel of ['online', 'in_person', 'postal'] as const) {
        queries.push({ report: 'summary', from, to, agency: root, channel });
      }
      queries.push({ report: 'form-06a', from, to, agency: root, rows: 'procedure', channel: 'online' });
    }
  }
  return queries;
}

/** The differences as an aligned text table. */
export function formatTable(differences: readonly Difference[], limit = 200): string {
  const header = ['query', 'figure', 'expected', 'actual'];
  const rows = differences.slice(0, limit).map((d) => [d.query, d.figure, String(d.expected), String(d.actual)]);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] as string).length)),
  );
  const line = (cells: string[]) => cells.map((cell, column) => cell.padEnd(widths[column] as number)).join('  ');
  const out = [line(header), widths.map((width) => '-'.repeat(width)).join('  '), ...rows.map(line)];
  if (differences.length > limit) out.push(`… ${differences.length - limit} more`);
  return out.join('\n');
}
