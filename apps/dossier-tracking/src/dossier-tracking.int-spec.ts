import mongoose from 'mongoose';
import {
  DOSSIER_EVENTS,
  DOSSIER_FACTS,
  REFERENCE_CALENDARS,
  REFERENCE_PROCEDURES,
  type DossierEvent,
} from '@tthc/contracts';
import {
  call,
  mongoUrlFor,
  newNamespace,
  produce,
  readTopic,
  readTopicUntil,
  startService,
  testConfig,
  waitFor,
  type RunningService,
} from '@tthc/testing';
import { DossierTrackingModule } from './dossier-tracking.module';

const received = (dossierCode: string, eventId: string, channel: 'online' | 'postal' = 'online'): DossierEvent => ({
  eventId,
  type: 'dossier.received',
  occurredAt: '2017-03-14T09:12:00+07:00',
  dossierCode,
  data: { procedureCode: 'P-1', agencyCode: 'A-1', channel, dueAt: '2017-03-20T17:00:00+07:00' },
});
const resolved = (dossierCode: string, eventId: string): DossierEvent => ({
  eventId,
  type: 'dossier.resolved',
  occurredAt: '2017-03-21T09:00:00+07:00',
  dossierCode,
  data: { outcome: 'approved' },
});
const transferred = (dossierCode: string, eventId: string): DossierEvent => ({
  eventId,
  type: 'dossier.transferred',
  occurredAt: '2017-03-15T09:00:00+07:00',
  dossierCode,
  data: { toAgencyCode: 'A-2' },
});
const accepted = (deskId: string, event: DossierEvent) => ({
  key: event.dossierCode,
  value: { deskId, acceptedAt: '2026-11-22T00:00:00.000Z', event },
});

describe('dossier-tracking folds the event stream (real Kafka and MongoDB)', () => {
  const namespace = newNamespace('tracking');
  let service: RunningService;
  let db: mongoose.Connection;

  beforeAll(async () => {
    const config = testConfig('dossier-tracking', namespace);
    service = await startService(config, DossierTrackingModule.forRoot(config));
    db = await mongoose.createConnection(mongoUrlFor(namespace)).asPromise();
  });
  afterAll(async () => {
    await service?.close();
    await db?.dropDatabase().catch(() => undefined);
    await db?.close();
  });

  const dossier = (code: string) => db.collection('tracking_dossiers').findOne({ _id: code as never });

  it('folds out-of-order events and duplicates into one state, publishes versioned facts, records conflicts', async () => {
    await produce(namespace, DOSSIER_EVENTS, [
      accepted('desk-1', resolved('D-1', 'e2')), // arrives before its receipt
      accepted('desk-1', received('D-1', 'e1')),
      accepted('desk-1', received('D-1', 'e1')), // exact duplicate
      accepted('desk-2', received('D-2', 'x1')),
      accepted('desk-2', received('D-2', 'x1', 'postal')), // same (desk, eventId), different content
      accepted('desk-3', transferred('D-3', 't1')), // waits for its receipt
    ]);
    const d1 = await waitFor(
      async () => {
        const doc = await dossier('D-1');
        return doc?.state?.status === 'resolved' && doc.factOwed === false ? doc : undefined;
      },
      { what: 'D-1 resolved and its fact published' },
    );
    expect(d1).toMatchObject({
      kind: 'dossier',
      factOwed: false,
      state: { finishKind: 'resolved', outcome: 'approved' },
    });
    const d2 = await waitFor(() => dossier('D-2').then((doc) => doc ?? undefined), { what: 'D-2 stored' });
    expect(d2).toMatchObject({ version: 1, state: { channel: 'online' } });
    const d3 = await waitFor(() => dossier('D-3').then((doc) => doc ?? undefined), { what: 'D-3 stored' });
    expect(d3).toMatchObject({ kind: 'awaiting_receipt', state: null });

    const conflicts = await waitFor(
      async () => {
        const found = await db.collection('tracking_data_quality').find({ kind: 'conflicting_duplicate' }).toArray();
        return found.length > 0 ? found : undefined;
      },
      { what: 'the conflicting duplicate to be recorded' },
    );
    expect(conflicts).toMatchObject([{ deskId: 'desk-2', eventId: 'x1', dossierCode: 'D-2' }]);

    // The receipt of D-3 arrives: the waiting transfer applies, the dossier gets its first fact.
    await produce(namespace, DOSSIER_EVENTS, [
      accepted('desk-3', received('D-3', 'r1')),
      accepted('desk-1', resolved('D-1', 'e2')),
    ]);
    const d3Later = await waitFor(
      async () => ((await dossier('D-3'))?.kind === 'dossier' ? dossier('D-3') : undefined),
      {
        what: 'D-3 to apply its transfer after the receipt',
      },
    );
    expect(d3Later).toMatchObject({ state: { agencyCode: 'A-2', receivingAgencyCode: 'A-1' } });

    // 3 lifecycle facts + the overdue notifications of D-2 and D-3 (pending, due in 2017: timers fire at once).
    const all = await readTopic(namespace, DOSSIER_FACTS, 5);
    expect(all.filter((fact) => fact.value?.kind === 'due_instant_reached').map((fact) => fact.key)).toEqual(
      expect.arrayContaining(['D-2', 'D-3']),
    );
    const facts = all.filter((fact) => fact.value?.kind !== 'due_instant_reached');
    const byDossier = new Map(facts.map((fact) => [fact.key, fact.value]));
    expect(byDossier.get('D-1')).toMatchObject({ kind: 'received', dossier: { status: 'resolved' } });
    expect(byDossier.get('D-3')).toMatchObject({ dossier: { agencyCode: 'A-2' } });
    expect(facts.filter((fact) => fact.key === 'D-1')).toHaveLength(1); // the redelivered resolve changed nothing
    const again = await dossier('D-1');
    expect(again?.version).toBe(d1?.version);
  });

  it('computes due dates from the procedures and calendars distributed on the reference topics', async () => {
    await produce(namespace, REFERENCE_PROCEDURES, [
      {
        key: 'P-3D',
        value: { code: 'P-3D', name: 'Ba ngày', fieldCode: 'F-9', processingTime: { value: 3, unit: 'working_days' } },
      },
    ]);
    // An uploaded 2017 table that makes Thu 2017-03-16 a holiday (it is not in the shipped table).
    await produce(namespace, REFERENCE_CALENDARS, [
      { key: '2017', value: { year: 2017, holidays: ['2017-03-16'], workingSaturdays: [] } },
    ]);
    const event: DossierEvent = {
      eventId: 'ref-1',
      type: 'dossier.received',
      occurredAt: '2017-03-14T09:00:00+07:00',
      dossierCode: 'D-REF',
      data: { procedureCode: 'P-3D', agencyCode: 'A-1', channel: 'online' },
    };
    // Reference topics and the event topic are consumed independently: wait until both applied.
    await waitFor(
      async () => {
        const stored = await db.collection('tracking_reference').countDocuments({});
        return stored >= 2 ? true : undefined;
      },
      { what: 'the reference data to be stored' },
    );
    await produce(namespace, DOSSIER_EVENTS, [accepted('desk-1', event)]);
    const doc = await waitFor(() => dossier('D-REF').then((found) => found ?? undefined), { what: 'D-REF stored' });
    // Tue 14 09:00 + 3 working days, Thu 16 off: Wed 15, Fri 17, Mon 20 → Mon 2017-03-20 09:00 (+07:00).
    expect(doc).toMatchObject({ state: { fieldCode: 'F-9', dueAt: '2017-03-20T02:00:00.000Z' } });
  });

  it('serves a dossier with its timeline and 404 for an unknown one', async () => {
    const answer = await call(`${service.url}/v1/dossiers/D-1`);
    expect(answer.status).toBe(200);
    expect((answer.body as { timeline: { eventId: string }[] }).timeline.map((event) => event.eventId)).toEqual([
      'e1',
      'e2',
    ]);
    // Produced without headers (as events stored before correlation ids were kept): null.
    expect((answer.body as { timeline: { correlationId: unknown }[] }).timeline.map((e) => e.correlationId)).toEqual([
      null,
      null,
    ]);
    expect((await call(`${service.url}/v1/dossiers/NOPE`)).status).toBe(404);
    expect((await call(`${service.url}/v1/dossiers/D-1`, { key: null })).status).toBe(401);
  });

  it('keeps the correlation id of each event on the timeline and carries it on to the facts it causes', async () => {
    await produce(namespace, DOSSIER_EVENTS, [
      { ...accepted('desk-1', received('D-CORR', 'c1')), headers: { 'x-correlation-id': 'req-received' } },
      {
        ...accepted('desk-1', resolved('D-CORR', 'c2')),
        headers: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' },
      },
    ]);
    const timeline = await waitFor(
      async () => {
        const answer = await call(`${service.url}/v1/dossiers/D-CORR`);
        const events = (answer.body as { timeline?: { eventId: string; correlationId: string | null }[] }).timeline;
        return events !== undefined && events.length === 2 ? events : undefined;
      },
      { what: 'D-CORR with both events' },
    );
    expect(timeline.map((event) => [event.eventId, event.correlationId])).toEqual([
      ['c1', 'req-received'],
      ['c2', '4bf92f3577b34da6a3ce929d0e0e4736'],
    ]);
    const facts = await readTopicUntil(namespace, DOSSIER_FACTS, (read) =>
      read.some((fact) => fact.key === 'D-CORR' && fact.value?.dossier.status === 'resolved'),
    );
    const ids = facts.filter((fact) => fact.key === 'D-CORR').map((fact) => fact.headers['x-correlation-id']);
    expect(ids.length).toBeGreaterThan(0);
    for (const id of ids) expect(['req-received', '4bf92f3577b34da6a3ce929d0e0e4736']).toContain(id);
  });
});
