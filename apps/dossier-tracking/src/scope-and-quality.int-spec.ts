import { Kafka, logLevel } from 'kafkajs';
import mongoose from 'mongoose';
import { hashKey } from '@tthc/auth';
import {
  ACCESS_KEYS,
  DOSSIER_EVENTS,
  DOSSIER_FACTS,
  REFERENCE_AGENCIES,
  REFERENCE_CALENDARS,
  REFERENCE_PROCEDURES,
  decodeMessage,
  type DossierEvent,
  type DossierFact,
} from '@tthc/contracts';
import {
  call,
  mongoUrlFor,
  newNamespace,
  produce,
  signedKeyRecords,
  startService,
  testConfig,
  waitFor,
  type RunningService,
} from '@tthc/testing';
import { DossierTrackingModule } from './dossier-tracking.module';

const received = (
  dossierCode: string,
  agencyCode: string,
  extra: { procedureCode?: string; channel?: 'online' | 'postal'; dueAt?: string } = {},
): DossierEvent => ({
  eventId: `${dossierCode}-r`,
  type: 'dossier.received',
  occurredAt: '2017-03-14T09:00:00+07:00',
  dossierCode,
  data: {
    procedureCode: extra.procedureCode ?? 'P-1',
    agencyCode,
    channel: extra.channel ?? 'online',
    ...(extra.dueAt === undefined ? {} : { dueAt: extra.dueAt }),
  },
});
const accepted = (event: DossierEvent, deskId = 'desk-1') => ({
  key: event.dossierCode,
  value: { deskId, acceptedAt: new Date().toISOString(), event },
});
const VIEWER_KEY = 'viewer-secret-0123456789';

describe('viewer scope, data-quality list and calendar changes (real Kafka, MongoDB, Redis)', () => {
  const namespace = newNamespace('scope');
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

  it('lets a viewer read dossiers within its agency subtree only (404 outside, like an unknown code)', async () => {
    await produce(namespace, REFERENCE_AGENCIES, [
      { key: 'PROV-1', value: { code: 'PROV-1', name: 'Tỉnh 1', parentCode: null, level: 'province' } },
      { key: 'DEP-1', value: { code: 'DEP-1', name: 'Sở 1', parentCode: 'PROV-1', level: 'department' } },
      { key: 'PROV-2', value: { code: 'PROV-2', name: 'Tỉnh 2', parentCode: null, level: 'province' } },
      { key: 'DEP-2', value: { code: 'DEP-2', name: 'Sở 2', parentCode: 'PROV-2', level: 'department' } },
    ]);
    await produce(
      namespace,
      ACCESS_KEYS,
      signedKeyRecords([
        {
          key: 'viewer-1',
          value: {
            id: 'viewer-1',
            role: 'viewer',
            name: 'Viewer of PROV-1',
            keyHash: hashKey(VIEWER_KEY),
            agencyCodes: ['PROV-1'],
            createdAt: '2026-11-22T00:00:00.000Z',
            revokedAt: null,
          },
        },
      ]),
    );
    await produce(namespace, DOSSIER_EVENTS, [
      accepted(received('V-IN', 'DEP-1')),
      accepted(received('V-OUT', 'DEP-2')),
    ]);
    await waitFor(async () => ((await dossier('V-IN')) && (await dossier('V-OUT')) ? true : undefined), {
      what: 'both dossiers stored',
    });
    const inside = await waitFor(
      async () => {
        const answer = await call(`${service.url}/v1/dossiers/V-IN`, { key: VIEWER_KEY });
        return answer.status === 200 ? answer : undefined;
      },
      { what: 'the viewer key and the agencies to be applied' },
    );
    expect(inside.body).toMatchObject({ dossierCode: 'V-IN', state: { agencyCode: 'DEP-1' } });

    // Outside the subtree and unknown are one answer: the viewer cannot tell which codes exist.
    const outside = await call(`${service.url}/v1/dossiers/V-OUT`, { key: VIEWER_KEY });
    const unknown = await call(`${service.url}/v1/dossiers/V-NOP`, { key: VIEWER_KEY });
    expect(outside.status).toBe(404);
    expect(unknown.status).toBe(404);
    expect(outside.text.replaceAll('V-OUT', 'X')).toBe(unknown.text.replaceAll('V-NOP', 'X'));
    expect(outside.headers.get('content-type')).toBe(unknown.headers.get('content-type'));
    expect(outside.text).not.toContain('DEP-2');
    expect(outside.text).not.toContain('timeline');
    expect((await call(`${service.url}/v1/dossiers/V-OUT`)).status).toBe(200); // admin reads everything
    expect((await call(`${service.url}/v1/dossiers/V-IN`, { key: 'wrong-key' })).status).toBe(401);
    expect((await call(`${service.url}/v1/admin/data-quality`, { key: VIEWER_KEY })).status).toBe(403);
  });

  it('lists a conflicting duplicate on the admin data-quality list, paged', async () => {
    await produce(namespace, DOSSIER_EVENTS, [
      accepted(received('Q-1', 'DEP-1'), 'desk-q'),
      accepted(received('Q-1', 'DEP-1', { channel: 'postal' }), 'desk-q'), // same (desk, eventId), other content
    ]);
    const listed = await waitFor(
      async () => {
        const answer = await call(`${service.url}/v1/admin/data-quality?limit=10&offset=0`);
        const body = answer.body as { total: number; items: { dossierCode: string }[] };
        return answer.status === 200 && body.items.some((item) => item.dossierCode === 'Q-1') ? body : undefined;
      },
      { what: 'the conflicting duplicate to be listed' },
    );
    expect(listed.total).toBeGreaterThanOrEqual(1);
    expect(listed.items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          kind: 'conflicting_duplicate',
          dossierCode: 'Q-1',
          deskId: 'desk-q',
          eventId: 'Q-1-r',
          firstSeenAt: expect.any(String) as string,
        }),
      ]),
    );
    const skipped = await call(`${service.url}/v1/admin/data-quality?limit=1&offset=${listed.total}`);
    expect(skipped.body).toEqual({ total: listed.total, items: [] });
    expect((await call(`${service.url}/v1/admin/data-quality?limit=0`)).status).toBe(400);
    expect((await call(`${service.url}/v1/admin/data-quality?offset=-1`)).status).toBe(400);
  });

  it('recomputes the due dates of open dossiers when a calendar year is uploaded', async () => {
    await produce(namespace, REFERENCE_PROCEDURES, [
      {
        key: 'P-3D',
        value: { code: 'P-3D', name: 'Ba ngày', fieldCode: 'F-9', processingTime: { value: 3, unit: 'working_days' } },
      },
    ]);
    await waitFor(
      async () =>
        (await db.collection('tracking_reference').countDocuments({ kind: 'procedure' })) > 0 ? true : undefined,
      { what: 'the procedure to be stored' },
    );
    await produce(namespace, DOSSIER_EVENTS, [accepted(received('C-OPEN', 'DEP-1', { procedureCode: 'P-3D' }))]);
    // Tue 14 09:00 + 3 working days on the shipped table → Fri 2017-03-17 09:00 (+07:00).
    const before = await waitFor(() => dossier('C-OPEN').then((doc) => doc ?? undefined), { what: 'C-OPEN stored' });
    expect(before).toMatchObject({ version: 1, state: { dueAt: '2017-03-17T02:00:00.000Z' } });

    // An uploaded 2017 table that makes Thu 2017-03-16 a holiday: the due moves to Mon 2017-03-20.
    await produce(namespace, REFERENCE_CALENDARS, [
      { key: '2017', value: { year: 2017, holidays: ['2017-03-16'], workingSaturdays: [] } },
    ]);
    const after = await waitFor(
      async () => {
        const doc = await dossier('C-OPEN');
        return doc?.state?.dueAt === '2017-03-20T02:00:00.000Z' && doc.factOwed === false ? doc : undefined;
      },
      { what: 'the calendar change to move the due date of C-OPEN' },
    );
    expect(after).toMatchObject({ version: 2 });
    // The calendar the open dossiers were refolded with is remembered: a restart (which replays the
    // reference topics) does not refold again.
    await waitFor(
      async () => ((await db.collection('tracking_meta').findOne({ _id: 'calendar' as never })) ? true : undefined),
      { what: 'the refolded calendar to be recorded' },
    );
    // The refold published the change (factOwed cleared) as a due_changed fact of version 2.
    const facts = await factsUntil((all) =>
      all.some((fact) => fact.key === 'C-OPEN' && fact.value?.kind === 'due_changed'),
    );
    expect(facts.find((fact) => fact.key === 'C-OPEN' && fact.value?.kind === 'due_changed')).toMatchObject({
      value: { version: 2, dossier: { dueAt: '2017-03-20T02:00:00.000Z' } },
    });
  });

  /** Reads the facts topic from the beginning until `done` holds for what was read. */
  async function factsUntil(done: (facts: { key: string; value: DossierFact | null }[]) => boolean) {
    const kafka = new Kafka({
      clientId: 'test-facts',
      brokers: (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(','),
      logLevel: logLevel.NOTHING,
    });
    const consumer = kafka.consumer({ groupId: `${namespace.topicPrefix}facts-${Date.now()}`, readUncommitted: false });
    const read: { key: string; value: DossierFact | null }[] = [];
    await consumer.connect();
    try {
      await consumer.subscribe({ topic: `${namespace.topicPrefix}${DOSSIER_FACTS.name}`, fromBeginning: true });
      await consumer.run({
        eachMessage: ({ message }) => {
          read.push(decodeMessage(DOSSIER_FACTS, message.key, message.value));
          return Promise.resolve();
        },
      });
      return await waitFor(() => Promise.resolve(done(read) ? [...read] : undefined), { what: 'the expected facts' });
    } finally {
      await consumer.disconnect();
    }
  }
});
