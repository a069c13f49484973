/**
 * How a fault scenario is judged, through the public API and Kafka's own bookkeeping only:
 *
 * - quiet: every shared consumer group of the namespace (dossier-tracking, on-time-rate,
 *   reporting) has committed up to the end of every partition it reads, and the checked report
 *   answers are unchanged between two reads a few seconds apart;
 * - exact: then the summary and form II.06a of the simulated year (admin scope and the province
 *   root, by field and by agency, and the root's quarters) equal the oracle's, compared by
 *   tools/verify (every count equal; rates within 1e-6);
 * - dead letters: the sum of the end offsets of the namespace's `.dlt` topics.
 */
import type { Admin } from 'kafkajs';
import type { Oracle } from '../oracle';
import { queryPath, verifyAgainst, type Difference, type VerifyQuery } from '../verify/verify';
import { sleep, type Logger } from './process';

/** The queries of a scenario: the year's summary and II.06a (both layouts) and the root's quarters. */
export function checkQueries(year: number, roots: readonly string[]): VerifyQuery[] {
  const from = `${year}-01-01`;
  const to = `${year}-12-31`;
  const queries: VerifyQuery[] = [{ report: 'summary', from, to }];
  for (const agency of roots) {
    queries.push({ report: 'summary', from, to, agency });
    queries.push({ report: 'form-06a', from, to, agency, rows: 'field' });
    queries.push({ report: 'form-06a', from, to, agency, rows: 'agency' });
    for (const [first, last] of [
      ['01-01', '03-31'],
      ['04-01', '06-30'],
      ['07-01', '09-30'],
      ['10-01', '12-31'],
    ] as const) {
      queries.push({ report: 'summary', from: `${year}-${first}`, to: `${year}-${last}`, agency });
    }
  }
  return queries;
}

/** The shared consumer groups of a namespace: `<prefix>tthc.<service>`, without the per-process broadcast groups. */
export function isSharedGroup(groupId: string, topicPrefix: string): boolean {
  return groupId.startsWith(`${topicPrefix}tthc.`) && !groupId.includes('.broadcast.');
}

export interface PartitionOffsets {
  partition: number;
  /** -1 when nothing is committed. */
  committed: number;
  end: number;
}

/** Messages not yet committed: end − committed per partition (nothing committed = everything from 0). */
export function lagOf(partitions: readonly PartitionOffsets[]): number {
  return partitions.reduce((sum, p) => sum + Math.max(0, p.end - Math.max(0, p.committed)), 0);
}

export interface LagReport {
  total: number;
  groups: Record<string, number>;
}

/** Lag of every shared group of the namespace on every topic it has offsets for. */
export async function namespaceLag(admin: Admin, topicPrefix: string, expectedGroups: number): Promise<LagReport> {
  const { groups } = await admin.listGroups();
  const shared = groups.map((group) => group.groupId).filter((id) => isSharedGroup(id, topicPrefix));
  const report: LagReport = { total: 0, groups: {} };
  for (const groupId of shared) {
    const topics = await admin.fetchOffsets({ groupId });
    let lag = 0;
    for (const { topic, partitions } of topics) {
      const ends = new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, Number(p.high)]));
      lag += lagOf(
        partitions.map((p) => ({
          partition: p.partition,
          committed: Number(p.offset),
          end: ends.get(p.partition) ?? 0,
        })),
      );
      // partitions of the topic without any committed offset yet
      for (const [partition, end] of ends) {
        if (!partitions.some((p) => p.partition === partition)) lag += lagOf([{ partition, committed: -1, end }]);
      }
    }
    report.groups[groupId] = lag;
    report.total += lag;
  }
  if (shared.length < expectedGroups) report.total += 1; // a group that has not committed anything yet
  return report;
}

/** Dead letters of the namespace: end offset of every `.dlt` topic (those with any). */
export async function deadLetters(admin: Admin, topicPrefix: string): Promise<Record<string, number>> {
  const topics = (await admin.listTopics()).filter((topic) => topic.startsWith(topicPrefix) && topic.endsWith('.dlt'));
  const out: Record<string, number> = {};
  for (const topic of topics) {
    const count = (await admin.fetchTopicOffsets(topic)).reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
    if (count > 0) out[topic.slice(topicPrefix.length)] = count;
  }
  return out;
}

/** The figures of an answer without its time stamps, to see whether two reads agree. */
export function stableView(body: unknown): string {
  return JSON.stringify(body, (key, value: unknown) =>
    key === 'dataAsOf' || key === 'generatedAt' || key === 'asOf' ? undefined : value,
  );
}

export interface SettleOptions {
  reportingUrl: () => string | undefined;
  adminKey: string;
  admin: Admin;
  topicPrefix: string;
  oracle: Oracle;
  queries: readonly VerifyQuery[];
  /** Absolute time (ms) at which to give up. */
  deadline: number;
  /** After the first quiet moment with differences, how long to keep looking before failing. */
  graceMs: number;
  log: Logger;
}

export interface SettleResult {
  exact: boolean;
  quiet: boolean;
  differences: Difference[];
  lag: LagReport | undefined;
  /** Seconds from the call until quiet (and exact, when it was). */
  seconds: number;
  reason?: string;
}

async function snapshot(options: SettleOptions): Promise<string | undefined> {
  const base = options.reportingUrl();
  if (base === undefined) return undefined;
  const parts: string[] = [];
  for (const query of options.queries) {
    const answer = await fetch(`${base}${queryPath(query)}`, {
      headers: { authorization: `Bearer ${options.adminKey}` },
      signal: AbortSignal.timeout(30_000),
    }).catch(() => undefined);
    if (answer === undefined) return undefined;
    const text = await answer.text();
    if (answer.status !== 200) return undefined;
    parts.push(stableView(JSON.parse(text)));
  }
  return parts.join('\n');
}

/**
 * Waits for quiet, then compares with the oracle; differences at a quiet moment are looked at
 * again until `graceMs` has passed (something may still be on its way, e.g. a rebalance), then
 * reported. Never "eventually ≥": a result is exact only if every figure is equal.
 */
export async function settleAndCompare(options: SettleOptions): Promise<SettleResult> {
  const started = Date.now();
  let previous: string | undefined;
  let lag: LagReport | undefined;
  let differences: Difference[] = [];
  let firstQuietWithDifferences: number | undefined;
  let lastNote = 0;
  for (;;) {
    lag = await namespaceLag(options.admin, options.topicPrefix, 3).catch(() => undefined);
    let quiet = false;
    if (lag !== undefined && lag.total === 0) {
      const current = await snapshot(options);
      quiet = current !== undefined && current === previous;
      previous = current;
    } else {
      previous = undefined;
    }
    if (quiet) {
      const base = options.reportingUrl();
      const result =
        base === undefined
          ? undefined
          : await verifyAgainst(base, options.adminKey, options.oracle, options.queries, { concurrency: 2 });
      differences = result?.differences ?? [];
      if (result !== undefined && differences.length === 0) {
        return { exact: true, quiet: true, differences, lag, seconds: (Date.now() - started) / 1000 };
      }
      firstQuietWithDifferences ??= Date.now();
      if (Date.now() - firstQuietWithDifferences >= options.graceMs) {
        return {
          exact: false,
          quiet: true,
          differences,
          lag,
          seconds: (Date.now() - started) / 1000,
          reason: `quiet for ${options.graceMs / 1000} s with ${differences.length} differences`,
        };
      }
    }
    if (Date.now() >= options.deadline) {
      // not quiet: the figures as they stand, to show how far off they are
      const base = options.reportingUrl();
      if (base !== undefined && differences.length === 0) {
        differences =
          (await verifyAgainst(base, options.adminKey, options.oracle, options.queries).catch(() => undefined))
            ?.differences ?? [];
      }
      return {
        exact: false,
        quiet: false,
        differences,
        lag,
        seconds: (Date.now() - started) / 1000,
        reason: `not quiet before the scenario timeout (lag ${JSON.stringify(lag?.groups ?? 'unknown')}; differences as they stand)`,
      };
    }
    if (Date.now() - lastNote > 15_000) {
      lastNote = Date.now();
      options.log(
        `  settling: lag ${lag === undefined ? 'unknown' : JSON.stringify(lag.groups)}${quiet ? ', quiet' : ''}`,
      );
    }
    await sleep(3000);
  }
}
