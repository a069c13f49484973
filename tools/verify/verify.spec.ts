import { policiesOf } from './cli';
import { buildOracle, type Channel, type Oracle } from '../oracle';
import { simulateProvince } from '../simulator/province';
import { formatTable, planQueries, queryPath, verifyAgainst } from './verify';

const DATA_AS_OF = '2017-07-01T00:00:00+07:00';

/** A stand-in for the report API answering from an oracle (optionally tampered with). */
function fakeApi(oracle: Oracle, tamper?: (path: string, body: Record<string, unknown>) => void): typeof fetch {
  return ((input: string | URL) => {
    const url = new URL(input);
    const q = url.searchParams;
    const filters = {
      from: q.get('from') as string,
      to: q.get('to') as string,
      field: q.get('field') ?? undefined,
      procedure: q.get('procedure') ?? undefined,
      channel: (q.get('channel') ?? undefined) as Channel | undefined,
      now: DATA_AS_OF,
    };
    let body: Record<string, unknown>;
    if (url.pathname === '/v1/reports/summary') {
      body = { ...oracle.figures({ ...filters, agency: q.get('agency') ?? undefined }), dataAsOf: DATA_AS_OF };
    } else if (url.pathname === '/v1/reports/form-06a') {
      const rows = q.get('rows') as 'field' | 'agency' | 'procedure';
      const form = oracle.form06a({ ...filters, agency: q.get('agency') as string, rows });
      body = {
        period: { from: filters.from, to: filters.to },
        agency: { code: q.get('agency'), name: 'x' },
        rows: form.rows.map((row) => ({ ...row, name: row.key })),
        total: form.total,
        dataAsOf: DATA_AS_OF,
      };
    } else {
      return Promise.resolve(new Response('{}', { status: 404 }));
    }
    tamper?.(`${url.pathname}${url.search}`, body);
    return Promise.resolve(
      new Response(JSON.stringify(body), { status: 200, headers: { 'Content-Type': 'application/json' } }),
    );
  }) as typeof fetch;
}

describe('verify', () => {
  const simulation = simulateProvince({ seed: 2, years: [2017], dossiers: 3_000, endDate: '2017-06-30' });
  const oracle = buildOracle({ ...simulation.reference, events: [...simulation.events] });
  const queries = planQueries({
    from: '2017-01-01',
    to: '2017-06-30',
    agencies: simulation.reference.agencies,
    fields: simulation.reference.fields,
  });

  it('plans months, quarters, the year, random ranges, ≥ 10 agencies and filters', () => {
    const paths = queries.map(queryPath);
    expect(new Set(paths).size).toBeGreaterThan(100);
    expect(paths).toContain('/v1/reports/summary?from=2017-03-01&to=2017-03-31&agency=000.00.00.H56');
    expect(paths).toContain('/v1/reports/summary?from=2017-04-01&to=2017-06-30&agency=000.00.00.H56');
    expect(paths).toContain('/v1/reports/form-06a?from=2017-01-01&to=2017-12-31&agency=000.00.00.H56&rows=agency');
    const agencies = new Set(queries.map((query) => query.agency).filter((agency) => agency !== undefined));
    expect(agencies.size).toBeGreaterThanOrEqual(10);
    expect(queries.some((query) => query.field !== undefined)).toBe(true);
    expect(queries.some((query) => query.channel === 'postal')).toBe(true);
    expect(queries.some((query) => query.report === 'form-06a' && query.rows === 'field')).toBe(true);
  });

  it('finds no difference when the API agrees with the oracle', async () => {
    const result = await verifyAgainst('http://reports.test/', 'k', oracle, queries, { fetch: fakeApi(oracle) });
    expect(result.queries).toBe(queries.length);
    expect(result.differences).toEqual([]);
  });

  it('lists each differing figure, missing rows and HTTP errors', async () => {
    const api = fakeApi(oracle, (path, body) => {
      if (path === '/v1/reports/summary?from=2017-03-01&to=2017-03-31&agency=000.00.00.H56') {
        (body.resolved as { late: number }).late += 1;
        (body.onTimeRate as { resolved: number }).resolved = 0.5;
      }
      if (path.startsWith('/v1/reports/form-06a?from=2017-02-01&to=2017-02-28&agency=000.00.00.H56&rows=field')) {
        (body.rows as unknown[]).pop();
      }
    });
    const few = queries.filter(
      (query) => query.from.startsWith('2017-02') || query.from === '2017-03-01' || query.from === '2017-04-01',
    );
    const result = await verifyAgainst('http://reports.test', 'k', oracle, few, { fetch: api });
    const figures = result.differences.map((difference) => difference.figure);
    expect(figures).toContain('resolved.late');
    expect(figures).toContain('onTimeRate.resolved');
    expect(figures.some((figure) => /^rows\[.+\]\.received\.total$/.test(figure))).toBe(true);
    const failing: typeof fetch = () => Promise.resolve(new Response('nope', { status: 500 }));
    const errors = await verifyAgainst('http://reports.test', 'k', oracle, few.slice(0, 3), { fetch: failing });
    expect(errors.differences).toHaveLength(3);
    expect(errors.differences[0]).toMatchObject({ figure: 'HTTP status', expected: 200, actual: 500 });
    expect(formatTable(result.differences)).toMatch(/query\s+figure\s+expected\s+actual/);
  });
});

describe('verify CLI: the counting policies', () => {
  it('reads the three COUNTING_* values and refuses others', () => {
    expect(policiesOf({})).toEqual({});
    expect(policiesOf({ 'rescheduled-due': 'honoured', supplement: 'subtract', 'outcome-by': 'session' })).toEqual({
      rescheduledDue: 'honoured',
      supplement: 'subtract',
      outcomeBy: 'session',
    });
    expect(() => policiesOf({ supplement: 'skip' })).toThrow(/--supplement must be one of restart, subtract/);
  });
});
