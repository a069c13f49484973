import { DOSSIER_FACTS, DOSSIER_OUTCOMES } from '@tthc/contracts';
import {
  call,
  generateDossierEvents,
  generatedReference,
  groupLag,
  newNamespace,
  rewindGroup,
  seededRandom,
  shuffled,
  waitFor,
} from '@tthc/testing';
import { buildOracle, type Oracle } from '../tools/oracle';
import { Stack } from './support/stack';

/**
 * Read-path acceptance over the real servers: 10,000 generated dossiers posted through intake
 * (shuffled, with duplicates) cross the whole pipeline; every summary and II.06a figure of many
 * periods and agency scopes equals the independent oracle (tools/oracle), the identity holds,
 * on-time-rate's rebuild finds nothing to change, and redelivering the lifecycle facts and the
 * classified dossiers from offset 0 changes no figure.
 */
const DOSSIERS = 10_000;

type Query = Record<string, string>;

const PERIODS: [string, string][] = [
  ['2017-03-01', '2017-03-31'],
  ['2017-04-01', '2017-04-30'],
  ['2017-05-01', '2017-05-31'],
  ['2017-06-01', '2017-06-30'],
  ['2017-07-01', '2017-07-31'],
  ['2017-01-01', '2017-03-31'],
  ['2017-04-01', '2017-06-30'],
  ['2017-07-01', '2017-09-30'],
  ['2017-01-01', '2017-06-30'],
  ['2017-01-01', '2017-12-31'],
  ['2017-03-15', '2017-04-14'],
  ['2017-04-21', '2017-05-20'],
  ['2017-05-10', '2017-05-10'],
  ['2017-06-05', '2017-06-11'],
  ['2017-02-01', '2017-02-28'],
  ['2017-09-01', '2017-12-31'],
];

function summaryQueries(): Query[] {
  const reference = generatedReference();
  const agencies = reference.agencies.map((agency) => agency.code);
  const random = seededRandom(7);
  const queries: Query[] = [];
  PERIODS.forEach(([from, to], index) => {
    queries.push({ from, to });
    queries.push({ from, to, agency: agencies[index % agencies.length] as string });
    const filter = [
      { field: 'G01-TP' },
      { procedure: '1.000002' },
      { channel: 'online' },
      { channel: 'postal', agency: agencies[1] as string },
    ][Math.floor(random() * 4)] as Query;
    queries.push({ from, to, ...filter });
  });
  return queries;
}

function form06aQueries(): Query[] {
  const root = generatedReference().agencies[0]?.code as string;
  const district = generatedReference().agencies[1]?.code as string;
  const queries: Query[] = [];
  for (const [from, to] of [PERIODS[0], PERIODS[6], PERIODS[9], PERIODS[11]] as [string, string][])
    for (const rows of ['field', 'agency', 'procedure'])
      for (const agency of [root, district]) queries.push({ from, to, rows, agency });
  return queries;
}

const search = (query: Query) => new URLSearchParams(query).toString();

function expectedSummary(oracle: Oracle, query: Query) {
  return oracle.figures({
    from: query.from as string,
    to: query.to as string,
    ...(query.agency === undefined ? {} : { agency: query.agency }),
    ...(query.field === undefined ? {} : { field: query.field }),
    ...(query.procedure === undefined ? {} : { procedure: query.procedure }),
    ...(query.channel === undefined ? {} : { channel: query.channel as 'online' }),
  });
}

function actualSummary(body: unknown) {
  const { received, resolved, pending, onTimeRate } = body as Record<string, unknown>;
  return { received, resolved, pending, onTimeRate };
}

function actualForm06a(body: unknown) {
  const report = body as { rows: ({ name?: string } & Record<string, unknown>)[]; total: Record<string, unknown> };
  return {
    rows: report.rows.map(({ name, ...row }) => {
      void name;
      return row;
    }),
    total: report.total,
  };
}

/** Every figure of every query, as served now (and the differences from the oracle). */
async function readAll(stack: Stack, oracle: Oracle) {
  const differences: string[] = [];
  const served: unknown[] = [];
  for (const query of summaryQueries()) {
    const answer = await call(`${stack.url('reporting')}/v1/reports/summary?${search(query)}`);
    expect(answer.status).toBe(200);
    const actual = actualSummary(answer.body);
    served.push(actual);
    const expected = expectedSummary(oracle, query);
    if (JSON.stringify(actual) !== JSON.stringify(expected))
      differences.push(
        `summary ${search(query)}\n  expected ${JSON.stringify(expected)}\n  actual   ${JSON.stringify(actual)}`,
      );
    const figures = actual as ReturnType<typeof expectedSummary>;
    expect(figures.received.carriedOver + figures.received.new).toBe(figures.resolved.total + figures.pending.total);
  }
  for (const query of form06aQueries()) {
    const answer = await call(`${stack.url('reporting')}/v1/reports/form-06a?${search(query)}`);
    expect(answer.status).toBe(200);
    const actual = actualForm06a(answer.body);
    served.push(actual);
    const expected = oracle.form06a({
      from: query.from as string,
      to: query.to as string,
      agency: query.agency as string,
      rows: query.rows as 'field',
    });
    if (JSON.stringify(actual) !== JSON.stringify(expected))
      differences.push(
        `form-06a ${search(query)}\n  expected ${JSON.stringify(expected)}\n  actual   ${JSON.stringify(actual)}`,
      );
  }
  return { differences, served };
}

describe('read path acceptance: 10,000 dossiers against the independent oracle (real servers)', () => {
  const namespace = newNamespace('readpath');
  const stack = new Stack(namespace);
  const reference = generatedReference();
  let oracle: Oracle;

  beforeAll(async () => {
    await stack.startAll();
    await stack.putReference(reference);
    const events = generateDossierEvents(20_261_122, DOSSIERS, 'RP');
    const random = seededRandom(5);
    const posted = shuffled([...events, ...events.filter(() => random() < 0.2)], 11);
    oracle = buildOracle({ ...reference, events: posted.map((event) => ({ desk: 'admin', event })) });
    await stack.postEvents(posted);
    const year = { from: '2017-01-01', to: '2017-12-31' };
    const expected = JSON.stringify(expectedSummary(oracle, year));
    await waitFor(
      async () => {
        const answer = await call(`${stack.url('reporting')}/v1/reports/summary?${search(year)}`);
        return answer.status === 200 && JSON.stringify(actualSummary(answer.body)) === expected ? true : undefined;
      },
      { what: 'reporting to reflect every posted event', timeoutMs: 300_000 },
    );
  }, 600_000);

  afterAll(async () => {
    await stack.stopAll();
  });

  let before: unknown[] = [];

  it('answers ≥ 20 periods and scopes exactly like the oracle, summary and II.06a', async () => {
    expect(summaryQueries().length + form06aQueries().length).toBeGreaterThanOrEqual(20);
    const { differences, served } = await readAll(stack, oracle);
    expect(differences).toEqual([]);
    before = served;
  });

  it("on-time-rate's rebuild reproduces the incremental counters exactly", async () => {
    const started = await call(`${stack.url('on-time-rate')}/v1/admin/rebuilds`, { method: 'POST', body: {} });
    expect(started.status).toBe(202);
    const { id } = started.body as { id: string };
    const finished = await waitFor(
      async () => {
        const answer = await call(`${stack.url('on-time-rate')}/v1/admin/rebuilds/${id}`);
        const body = answer.body as { state: string };
        return body.state === 'completed' || body.state === 'failed' ? body : undefined;
      },
      { what: 'the rebuild to finish', timeoutMs: 300_000 },
    );
    expect(finished).toMatchObject({ state: 'completed', differences: { count: 0 } });
    expect((finished as unknown as { processed: number }).processed).toBeGreaterThan(DOSSIERS * 0.9);
  });

  it('redelivering the lifecycle facts and the classified dossiers from offset 0 changes nothing', async () => {
    await stack.stop('on-time-rate');
    await stack.stop('reporting');
    await rewindGroup(namespace, 'on-time-rate', DOSSIER_FACTS);
    await rewindGroup(namespace, 'reporting', DOSSIER_OUTCOMES);
    expect(await groupLag(namespace, 'reporting', DOSSIER_OUTCOMES)).toBeGreaterThanOrEqual(DOSSIERS);
    await stack.start('on-time-rate');
    await stack.start('reporting');
    await waitFor(
      async () => {
        const lag =
          (await groupLag(namespace, 'on-time-rate', DOSSIER_FACTS)) +
          (await groupLag(namespace, 'reporting', DOSSIER_OUTCOMES));
        return lag === 0 ? true : undefined;
      },
      { what: 'both consumers to re-read their topics', timeoutMs: 300_000 },
    );
    const { differences, served } = await readAll(stack, oracle);
    expect(differences).toEqual([]);
    expect(served).toEqual(before);
  });
});
