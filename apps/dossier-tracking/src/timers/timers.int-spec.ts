import mongoose from 'mongoose';
import { DOSSIER_EVENTS, DOSSIER_FACTS, type DossierEvent } from '@tthc/contracts';
import { QueueService } from '@tthc/queue';
import {
  mongoUrlFor,
  newNamespace,
  produce,
  readTopic,
  startService,
  testConfig,
  waitFor,
  type RunningService,
  type TestNamespace,
  snapshotOf,
} from '@tthc/testing';
import { DossierTrackingModule } from '../dossier-tracking.module';
import type { TrackingOptions } from '../tracking-options';
import { OVERDUE_TIMERS } from './queues';

/** Received now; with an explicit due instant, or none (procedure P-1 has no processing time). */
const receivedNow = (dossierCode: string, dueAt: Date | null): DossierEvent => ({
  eventId: `${dossierCode}-r`,
  type: 'dossier.received',
  occurredAt: new Date().toISOString(),
  dossierCode,
  data: {
    procedureCode: 'P-1',
    agencyCode: 'A-1',
    channel: 'online',
    ...(dueAt === null ? {} : { dueAt: dueAt.toISOString() }),
  },
});
const resolvedNow = (dossierCode: string): DossierEvent => ({
  eventId: `${dossierCode}-x`,
  type: 'dossier.resolved',
  occurredAt: new Date().toISOString(),
  dossierCode,
  data: { outcome: 'approved' },
});
const accepted = (event: DossierEvent) => ({
  key: event.dossierCode,
  value: { deskId: 'desk-1', acceptedAt: new Date().toISOString(), event },
});

interface Harness {
  namespace: TestNamespace;
  service: RunningService;
  db: mongoose.Connection;
  queues: QueueService;
}

async function boot(label: string, options: TrackingOptions): Promise<Harness> {
  const namespace = newNamespace(label);
  const config = testConfig('dossier-tracking', namespace);
  const service = await startService(config, DossierTrackingModule.forRoot(config, options));
  const db = await mongoose.createConnection(mongoUrlFor(namespace)).asPromise();
  return { namespace, service, db, queues: service.app.get(QueueService) };
}

async function shutdown(harness: Harness | undefined): Promise<void> {
  await harness?.service.close();
  await harness?.db.dropDatabase().catch(() => undefined);
  await harness?.db.close();
}

const dossierOf = (h: Harness, code: string) => h.db.collection('tracking_dossiers').findOne({ _id: code as never });
const jobPresent = (h: Harness, id: string) => async () =>
  (await h.queues.job(OVERDUE_TIMERS, id)) ? true : undefined;
const jobGone = (h: Harness, id: string) => async () => ((await h.queues.job(OVERDUE_TIMERS, id)) ? undefined : true);

describe('overdue timers (real Kafka, MongoDB, Redis)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await boot('timers', {});
    // Warm up: the consumer has joined its group and folds (a dossier without due date: no timer).
    await produce(h.namespace, DOSSIER_EVENTS, [accepted(receivedNow('T-WARM', null))]);
    await waitFor(() => dossierOf(h, 'T-WARM').then((doc) => doc ?? undefined), { what: 'the warm-up dossier' });
  });
  afterAll(() => shutdown(h));

  it('publishes due_instant_reached at the due instant; a dossier finished before its due gets none', async () => {
    const started = Date.now();
    const overdueDue = new Date(started + 2000);
    const finishedDue = new Date(started + 4000);
    await produce(h.namespace, DOSSIER_EVENTS, [
      accepted(receivedNow('T-OVERDUE', overdueDue)),
      accepted(receivedNow('T-FINISHED', finishedDue)),
    ]);
    await waitFor(jobPresent(h, 'due:T-OVERDUE:1'), { what: 'the timer of T-OVERDUE', timeoutMs: 10_000 });
    await waitFor(jobPresent(h, 'due:T-FINISHED:1'), { what: 'the timer of T-FINISHED', timeoutMs: 10_000 });
    if (Date.now() < overdueDue.getTime() - 500)
      expect(await h.queues.state(OVERDUE_TIMERS, 'due:T-OVERDUE:1')).toBe('delayed');

    await produce(h.namespace, DOSSIER_EVENTS, [accepted(resolvedNow('T-FINISHED'))]);
    await waitFor(jobGone(h, 'due:T-FINISHED:1'), { what: 'the timer of the finished dossier to be removed' });
    expect(await h.queues.job(OVERDUE_TIMERS, 'due:T-FINISHED:2')).toBeUndefined();

    const notified = await waitFor(
      async () => {
        const doc = await dossierOf(h, 'T-OVERDUE');
        return typeof doc?.overdueNotifiedAt === 'string' ? doc : undefined;
      },
      { what: 'T-OVERDUE to be notified as overdue', timeoutMs: 15_000 },
    );
    expect(Date.parse(notified.overdueNotifiedAt as string)).toBeGreaterThanOrEqual(overdueDue.getTime());

    // Past the finished dossier's due instant too, then: received ×3 (with the warm-up), finished, due_instant_reached.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, finishedDue.getTime() + 1000 - Date.now())));
    const facts = await readTopic(h.namespace, DOSSIER_FACTS, 5);
    const overdue = facts.filter((fact) => fact.value?.kind === 'due_instant_reached');
    expect(overdue).toHaveLength(1);
    expect(overdue[0]).toMatchObject({
      key: 'T-OVERDUE',
      value: { version: 1, dossier: { version: 1, status: 'processing', dueAt: overdueDue.toISOString() } },
    });
    expect(facts.filter((fact) => fact.key === 'T-FINISHED').map((fact) => fact.value?.kind)).toEqual([
      'received',
      'finished',
    ]);
    expect((await dossierOf(h, 'T-FINISHED'))?.overdueNotifiedAt).toBeUndefined();
    expect(await h.queues.job(OVERDUE_TIMERS, 'due:T-OVERDUE:1')).toBeUndefined(); // done and removed
    const lateBy = Date.parse(notified.overdueNotifiedAt as string) - overdueDue.getTime();
    console.log(
      `timer test: due_instant_reached recorded ${lateBy} ms after the due instant (${Date.now() - started} ms in all)`,
    );
  });
});

describe('reconciliation sweep (real Kafka, MongoDB, Redis)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await boot('sweep', { reconcileEveryMs: 1000 });
  });
  afterAll(() => shutdown(h));

  it('re-creates a timer Redis lost', async () => {
    await produce(h.namespace, DOSSIER_EVENTS, [accepted(receivedNow('S-LOST', new Date(Date.now() + 3_600_000)))]);
    await waitFor(jobPresent(h, 'due:S-LOST:1'), { what: 'the timer of S-LOST' });
    await h.queues.remove(OVERDUE_TIMERS, 'due:S-LOST:1');
    expect(await h.queues.job(OVERDUE_TIMERS, 'due:S-LOST:1')).toBeUndefined();
    await waitFor(jobPresent(h, 'due:S-LOST:1'), { what: 'the sweep to re-add the timer', timeoutMs: 15_000 });
    expect(await h.queues.state(OVERDUE_TIMERS, 'due:S-LOST:1')).toBe('delayed');
  });

  it('republishes an owed fact and notifies an overdue dossier that has no timer', async () => {
    const { version: _version, ...state } = snapshotOf({ dossierCode: 'S-OWED', version: 1 });
    // As left by a crash between the write and the publish (and a Redis that lost the timer).
    await h.db.collection('tracking_dossiers').insertOne({
      _id: 'S-OWED' as never,
      kind: 'dossier',
      version: 1,
      publishedVersion: 0,
      factOwed: true,
      state,
      updatedAt: new Date().toISOString(),
    });
    const doc = await waitFor(
      async () => {
        const found = await dossierOf(h, 'S-OWED');
        return found?.factOwed === false && typeof found.overdueNotifiedAt === 'string' ? found : undefined;
      },
      { what: 'the sweep to publish the owed fact and the overdue notification', timeoutMs: 15_000 },
    );
    expect(doc).toMatchObject({ publishedVersion: 1, version: 1 });
    const facts = (await readTopic(h.namespace, DOSSIER_FACTS, 3)).filter((fact) => fact.key === 'S-OWED');
    expect(facts.map((fact) => fact.value?.kind).sort()).toEqual(['due_instant_reached', 'received']);
  });
});
