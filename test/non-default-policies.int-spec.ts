import { addDays, localDateOf } from '@tthc/calendar';
import type { CountingPolicies } from '@tthc/counting';
import { TEST_ADMIN_KEY, call, newNamespace } from '@tthc/testing';
import { buildOracle, type Oracle } from '../tools/oracle';
import { simulateProvince } from '../tools/simulator/province';
import { formatTable, planQueries, verifyAgainst } from '../tools/verify/verify';
import { Stack } from './support/stack';

/**
 * Every non-default counting-policy combination end to end (issue 14): the four services, with
 * on-time-rate configured with the policies (COUNTING_*), in a namespace of their own, fed a
 * simulated quarter ending yesterday (about 1,500 dossiers, many supplements, pauses and
 * re-dates, about a hundred still pending). Then, as of now:
 * - the overdue list's total (and its dossiers) = the summary's `pending.overdue` = the oracle's
 *   (tools/oracle, run with the same policies);
 * - every summary and II.06a figure of tools/verify's queries = the oracle's.
 * "Now" is the real clock: the services have no clock override, and none is needed — the oracle
 * is asked with the same `now`, and a check that straddles local midnight is taken again.
 */
const COMBINATIONS: CountingPolicies[] = [];
for (const rescheduledDue of ['ignored', 'honoured'] as const)
  for (const supplement of ['restart', 'subtract'] as const)
    for (const outcomeBy of ['date', 'session'] as const)
      if (rescheduledDue !== 'ignored' || supplement !== 'restart' || outcomeBy !== 'date')
        COMBINATIONS.push({ rescheduledDue, supplement, outcomeBy });

const today = localDateOf(Date.now());
const FROM = addDays(today, -90);
const simulation = simulateProvince({
  seed: 14,
  years: [Number(FROM.slice(0, 4)), Number(today.slice(0, 4))].filter(
    (year, index, all) => all.indexOf(year) === index,
  ),
  dossiers: 6000,
  startDate: FROM,
  endDate: addDays(today, -1),
  // Nothing after yesterday: what happens later stays pending (no event is dated after now).
  asOf: addDays(today, -1),
  rates: { apology: 0.05, supplement: 0.2, pause: 0.05, late: 0.1 },
  duplicateRate: 0.05,
  shuffle: 0.05,
});
const posted = [...simulation.events].map((item) => item.event);

interface OverduePage {
  items: Array<{ code: string }>;
  total: number;
}

/** Every page of the overdue list (admin scope): the codes and the total the first page reported. */
async function overdueList(stack: Stack): Promise<{ total: number; codes: string[] }> {
  const codes: string[] = [];
  let total = -1;
  for (let page = 1; ; page++) {
    const answer = await call(
      `${stack.url('reporting')}/v1/reports/overdue?pageSize=500&sort=code&order=asc&page=${page}`,
    );
    if (answer.status !== 200) throw new Error(`GET overdue: ${answer.status} ${answer.text}`);
    const body = answer.body as OverduePage;
    if (total === -1) total = body.total;
    codes.push(...body.items.map((item) => item.code));
    if (body.items.length < 500) return { total, codes };
  }
}

/** The overdue figures of the list, the summary and the oracle, all as of one local date. */
async function overdueNow(stack: Stack, oracle: Oracle) {
  for (;;) {
    const now = Date.now();
    const list = await overdueList(stack);
    const summary = await call(
      `${stack.url('reporting')}/v1/reports/summary?${new URLSearchParams({ from: FROM, to: localDateOf(now) }).toString()}`,
    );
    if (summary.status !== 200) throw new Error(`GET summary: ${summary.status} ${summary.text}`);
    // A check that straddles local midnight judges two different "todays": take it again.
    if (localDateOf(Date.now()) !== localDateOf(now)) continue;
    const oracleList = oracle.overdue({ now }).map((item) => item.code);
    return {
      list,
      summaryOverdue: (summary.body as { pending: { overdue: number } }).pending.overdue,
      oracleOverdue: oracle.figures({ from: FROM, to: localDateOf(now), now }).pending.overdue,
      oracleCodes: oracleList.sort(),
    };
  }
}

describe('non-default counting policies end to end: overdue list = pending.overdue = oracle (real servers)', () => {
  let stack: Stack | undefined;

  afterEach(async () => {
    await stack?.stopAll();
    stack = undefined;
  });

  it('simulates what the policies act on', () => {
    expect(simulation.stats.rescheduled).toBeGreaterThan(30);
    expect(simulation.stats.supplements).toBeGreaterThan(150);
    expect(simulation.stats.pauses).toBeGreaterThan(30);
    expect(posted.length).toBeGreaterThan(3000);
  });

  it.each(COMBINATIONS)(
    'rescheduledDue=$rescheduledDue supplement=$supplement outcomeBy=$outcomeBy',
    async (policies) => {
      const env = {
        COUNTING_RESCHEDULED_DUE: policies.rescheduledDue,
        COUNTING_SUPPLEMENT: policies.supplement,
        COUNTING_OUTCOME_BY: policies.outcomeBy,
      };
      stack = new Stack(newNamespace('policies'), { 'on-time-rate': env });
      await stack.startAll();
      await stack.putReference({
        agencies: [...simulation.reference.agencies],
        fields: [...simulation.reference.fields],
        procedures: [...simulation.reference.procedures],
      });
      await stack.postEvents(posted);
      const oracle = buildOracle({
        ...simulation.reference,
        policies,
        events: posted.map((event) => ({ desk: 'admin', event })),
      });
      const period = { from: FROM, to: today };
      const expected = oracle.figures({ ...period, now: Date.now() });
      expect(expected.pending.total).toBeGreaterThan(50);
      await stack.waitForSummary(period, expected, 240_000);

      const now = await overdueNow(stack, oracle);
      expect(now.oracleOverdue).toBeGreaterThan(0);
      expect(now.oracleCodes).toHaveLength(now.oracleOverdue);
      expect({ listTotal: now.list.total, listed: now.list.codes.length, summary: now.summaryOverdue }).toEqual({
        listTotal: now.oracleOverdue,
        listed: now.oracleOverdue,
        summary: now.oracleOverdue,
      });
      expect(now.list.codes).toEqual(now.oracleCodes);

      const queries = planQueries({
        ...period,
        agencies: simulation.reference.agencies,
        fields: simulation.reference.fields,
        seed: 14,
        randomRanges: 3,
        agencyCount: 6,
      });
      const result = await verifyAgainst(stack.url('reporting'), TEST_ADMIN_KEY, oracle, queries);
      if (result.differences.length > 0) console.log(formatTable(result.differences, 50));
      expect(result.queries).toBe(queries.length);
      expect(result.differences).toEqual([]);
    },
    400_000,
  );
});
