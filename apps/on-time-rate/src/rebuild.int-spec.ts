import mongoose from 'mongoose';
import fc from 'fast-check';
import { defaultCalendar } from '@tthc/calendar';
import { DOSSIER_FACTS, DOSSIER_OUTCOMES, type DossierSnapshot } from '@tthc/contracts';
import {
  classify,
  contributionDiff,
  contributionOf,
  counterId,
  DEFAULT_COUNTING_POLICIES,
  dimensionsOf,
  mergeIncrements,
  type CountingPolicies,
} from '@tthc/counting';
import {
  call,
  factOf,
  mongoUrlFor,
  newNamespace,
  produce,
  readTopic,
  snapshotOf,
  startService,
  testConfig,
  waitFor,
  type RunningService,
} from '@tthc/testing';
import { arbitrarySnapshot } from '@tthc/counting/testing';
import { OnTimeRateModule } from './on-time-rate.module';
import { nonZeroMetrics, type CounterSet } from './rebuild/counter-set';
import type { RebuildView } from './rebuild/rebuild.store';

/** Counters from the snapshots alone, under the given policies (independent of the service). */
function expectedCounters(snapshots: readonly DossierSnapshot[], policies: CountingPolicies): CounterSet {
  const parts = snapshots.flatMap((snapshot) => {
    const contribution = contributionOf(snapshot, policies, defaultCalendar);
    return contributionDiff(null, contribution === null ? null : { dimensions: dimensionsOf(snapshot), contribution });
  });
  return new Map(mergeIncrements(parts).map(({ key, inc }) => [counterId(key), nonZeroMetrics(inc)]));
}

describe('rebuild of the on-time-rate counters (real Kafka, MongoDB and Redis)', () => {
  const namespace = newNamespace('otrrebuild');
  const env = { REBUILD_PROGRESS_EVERY: '40' };
  let service: RunningService | undefined;
  let db: mongoose.Connection;

  // 240 varied dossiers: receipts at any hour, due dates and finishes on the same or other days,
  // supplement restarts, pauses, withdrawals and voids.
  const snapshots = fc
    .sample(fc.integer({ min: 0, max: 1_000_000 }), { numRuns: 240, seed: 7 })
    .map((seed, index) => fc.sample(arbitrarySnapshot(index), { numRuns: 1, seed })[0] as DossierSnapshot)
    .map((snapshot, index): DossierSnapshot => {
      // Most resolved dossiers finish within hours of their initial due (the session policy then matters).
      const due = snapshot.dueHistory[0]?.dueAt ?? null;
      const nearDue =
        snapshot.finishKind === 'resolved' && due !== null && index % 4 !== 0
          ? { finishedAt: new Date(Date.parse(due) + ((index % 9) - 4) * 7_200_000).toISOString() }
          : {};
      return { ...snapshot, ...nearDue, dossierCode: `R-${snapshot.dossierCode}` };
    });

  const storedCounters = async (): Promise<CounterSet> => {
    const rows = await db.collection('otr_counters').find({}).toArray();
    return new Map(
      rows
        .map((row) => [String(row._id), nonZeroMetrics(row)] as const)
        .filter(([, metrics]) => Object.keys(metrics).length > 0),
    );
  };

  const rebuild = async (): Promise<RebuildView> => {
    const started = await call(`${service!.url}/v1/admin/rebuilds`, { method: 'POST' });
    expect(started.status).toBe(202);
    const id = (started.body as RebuildView).id;
    expect(started.headers.get('location')).toBe(`/v1/admin/rebuilds/${id}`);
    const seen = new Set<string>();
    const done = await waitFor(
      async () => {
        const answer = await call(`${service!.url}/v1/admin/rebuilds/${id}`);
        expect(answer.status).toBe(200);
        const view = answer.body as RebuildView;
        seen.add(view.state);
        if (view.state === 'failed') throw new Error(`rebuild failed: ${view.error ?? ''}`);
        return view.state === 'completed' ? view : undefined;
      },
      { what: 'the rebuild to complete', timeoutMs: 60_000 },
    );
    return done;
  };

  beforeAll(async () => {
    const config = testConfig('on-time-rate', namespace, env);
    service = await startService(config, OnTimeRateModule.forRoot(config));
    db = await mongoose.createConnection(mongoUrlFor(namespace)).asPromise();
  });
  afterAll(async () => {
    await service?.close();
    await db?.dropDatabase().catch(() => undefined);
    await db?.close();
  });

  it('finds no difference with the incremental counters under unchanged policies', async () => {
    await produce(
      namespace,
      DOSSIER_FACTS,
      snapshots.map((snapshot) => factOf(snapshot)),
    );
    await waitFor(
      async () => {
        const [dossiers, journals] = await Promise.all([
          db.collection('otr_dossiers').countDocuments({}),
          db.collection('otr_ledger_buckets').countDocuments({ open: { $ne: null } }),
        ]);
        return dossiers === snapshots.length && journals === 0 ? true : undefined;
      },
      { what: 'every dossier applied' },
    );
    const before = await storedCounters();
    expect(before).toEqual(expectedCounters(snapshots, DEFAULT_COUNTING_POLICIES));

    const view = await rebuild();
    expect(view).toMatchObject({
      state: 'completed',
      total: snapshots.length,
      processed: snapshots.length,
      percent: 100,
      counters: before.size,
      differences: { count: 0, sample: [] },
      changedDossiers: 0,
      republished: 0,
      revision: 0,
    });
    expect(view.startedAt).not.toBeNull();
    expect(view.finishedAt).not.toBeNull();
    expect(await storedCounters()).toEqual(before);
  });

  it('refuses a second rebuild while one is running (409), needs the admin key, answers 404 for an unknown id', async () => {
    const running = 'planted-running-rebuild';
    await db.collection('otr_rebuilds').insertOne({ _id: running as never, state: 'running' });
    await db.collection('otr_meta').insertOne({ _id: 'rebuild-lock' as never, rebuildId: running });
    const refused = await call(`${service!.url}/v1/admin/rebuilds`, { method: 'POST' });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ status: 409, rebuild: running });
    // The planted one "finishes": its lock is stale and no longer blocks (checked by the next test).
    await db.collection('otr_rebuilds').updateOne({ _id: running as never }, { $set: { state: 'completed' } });

    expect((await call(`${service!.url}/v1/admin/rebuilds`, { method: 'POST', key: null })).status).toBe(401);
    expect((await call(`${service!.url}/v1/admin/rebuilds/nope`)).status).toBe(404);
  });

  it('after a policy change, corrects the counters, republishes the changed dossiers with revision 1', async () => {
    const session: CountingPolicies = { ...DEFAULT_COUNTING_POLICIES, outcomeBy: 'session' };
    await service!.close();
    service = undefined;
    const config = testConfig('on-time-rate', namespace, { ...env, COUNTING_OUTCOME_BY: 'session' });
    service = await startService(config, OnTimeRateModule.forRoot(config));

    // The dossiers whose outcome differs when judged by half-day session (voided ones count
    // nowhere but their published outcome changes too).
    const changed = snapshots.filter(
      (snapshot) => classify(snapshot).outcome !== classify(snapshot, session, defaultCalendar).outcome,
    );
    expect(changed.length).toBeGreaterThan(5);

    const view = await rebuild();
    expect(view.differences.count).toBeGreaterThan(0);
    expect(view.differences.sample.length).toBe(Math.min(100, view.differences.count));
    expect(view).toMatchObject({
      state: 'completed',
      total: snapshots.length,
      changedDossiers: changed.length,
      republished: changed.length,
      revision: 1,
      policies: 'rescheduledDue=ignored,supplement=restart,outcomeBy=session',
    });
    const after = await storedCounters();
    expect(after).toEqual(expectedCounters(snapshots, session));
    for (const difference of view.differences.sample)
      expect(after.get(difference.id) ?? {}).toEqual(difference.rebuilt);

    // The outcomes topic: every dossier once at revision 0, then the changed ones at revision 1.
    const outcomes = await readTopic(namespace, DOSSIER_OUTCOMES, snapshots.length + changed.length);
    const republished = outcomes.filter((message) => message.value?.revision === 1);
    expect(republished.map((message) => message.key).sort()).toEqual(changed.map((s) => s.dossierCode).sort());
    for (const message of republished) {
      const snapshot = changed.find((s) => s.dossierCode === message.key)!;
      expect(message.value).toMatchObject({
        version: snapshot.version,
        outcome: classify(snapshot, session, defaultCalendar).outcome,
      });
    }

    // From now on the facts handler publishes with revision 1.
    const fresh = snapshotOf({ dossierCode: 'R-AFTER', version: 1 });
    await produce(namespace, DOSSIER_FACTS, [factOf(fresh)]);
    const more = await readTopic(namespace, DOSSIER_OUTCOMES, snapshots.length + changed.length + 1);
    expect(more.find((message) => message.key === 'R-AFTER')?.value?.revision).toBe(1);
    await waitFor(
      async () =>
        (await db.collection('otr_dossiers').countDocuments({ _id: 'R-AFTER' as never })) === 1 ? true : undefined,
      { what: 'the new dossier applied' },
    );

    // A second rebuild under the same policies finds nothing to correct.
    const again = await rebuild();
    expect(again).toMatchObject({
      state: 'completed',
      differences: { count: 0 },
      changedDossiers: 0,
      revision: 1,
      total: snapshots.length + 1,
    });
    expect(await storedCounters()).toEqual(expectedCounters([...snapshots, fresh], session));
  });
});
