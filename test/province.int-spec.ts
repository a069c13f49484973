import { TEST_ADMIN_KEY, newNamespace } from '@tthc/testing';
import { buildOracle } from '../tools/oracle';
import { simulateProvince } from '../tools/simulator/province';
import { formatTable, planQueries, verifyAgainst } from '../tools/verify/verify';
import { Stack } from './support/stack';

/**
 * A province in a box, end to end over the real servers: 20,000 simulated dossiers of a
 * province-year, with 20% of the events delivered twice and 10% delivered late (out of order),
 * posted through intake's public API; the report API is then compared with the independent
 * oracle (tools/oracle) for every month, quarter and the year, random ranges, a dozen agencies
 * and field / channel filters (tools/verify).
 */
const DOSSIERS = 20_000;

describe('province in a box: 20,000 simulated dossiers against the oracle (real servers)', () => {
  const namespace = newNamespace('province');
  const stack = new Stack(namespace);

  afterAll(async () => {
    await stack.stopAll();
  });

  it('reports exactly what the oracle computes from the posted events', async () => {
    await stack.startAll();
    const simulation = simulateProvince({
      seed: 2017,
      years: [2017],
      dossiers: DOSSIERS,
      duplicateRate: 0.2,
      shuffle: 0.1,
    });
    await stack.putReference({
      agencies: [...simulation.reference.agencies],
      fields: [...simulation.reference.fields],
      procedures: [...simulation.reference.procedures],
    });
    const posted = [...simulation.events];
    expect(simulation.stats.duplicates).toBeGreaterThan(simulation.stats.events * 0.1);
    expect(simulation.stats.delayed).toBeGreaterThan(0);
    // Posted with the admin key: every event is the admin's (desk, eventId).
    await stack.postEvents(posted.map((item) => item.event));
    const oracle = buildOracle({
      ...simulation.reference,
      events: posted.map((item) => ({ desk: 'admin', event: item.event })),
    });
    const year = { from: '2017-01-01', to: '2017-12-31' };
    const expected = oracle.figures(year);
    expect(expected.received.new).toBeGreaterThan(DOSSIERS * 0.9);
    await stack.waitForSummary(year, expected, 480_000);
    const queries = planQueries({
      ...year,
      agencies: simulation.reference.agencies,
      fields: simulation.reference.fields,
      seed: 5,
    });
    expect(queries.length).toBeGreaterThan(100);
    const result = await verifyAgainst(stack.url('reporting'), TEST_ADMIN_KEY, oracle, queries);
    if (result.differences.length > 0) console.log(formatTable(result.differences, 50));
    expect(result.queries).toBe(queries.length);
    expect(result.differences).toEqual([]);
  }, 900_000);
});
