import mongoose from 'mongoose';
import type { DossierEvent } from '@tthc/contracts';
import { DossierTrackingModule } from '../apps/dossier-tracking/src/dossier-tracking.module';
import { IntakeModule } from '../apps/intake/src/intake.module';
import {
  call,
  controlKafka,
  generateDossierEvents,
  generatedReference,
  mongoUrlFor,
  newNamespace,
  seededRandom,
  shuffled,
  startService,
  testConfig,
  waitFor,
  type RunningService,
} from '@tthc/testing';

/**
 * The write path end to end over the real servers (docs/api.md §4, docs/counting-rules.md): the same 1,000 dossiers
 * posted once in order and once shuffled with duplicates end in exactly the same states; an event
 * posted twice counts once; with Kafka stopped intake answers 503 and the retried request is
 * accepted and counted once after Kafka is back.
 */
describe('write path: intake → Kafka → dossier-tracking (real servers)', () => {
  const namespace = newNamespace('write');
  const services: RunningService[] = [];
  let intake: RunningService;
  let db: mongoose.Connection;
  const DOSSIERS = 1000;

  beforeAll(async () => {
    const intakeConfig = testConfig('intake', namespace);
    intake = await startService(intakeConfig, IntakeModule.forRoot(intakeConfig));
    const trackingConfig = testConfig('dossier-tracking', namespace);
    services.push(intake, await startService(trackingConfig, DossierTrackingModule.forRoot(trackingConfig)));
    db = await mongoose.createConnection(mongoUrlFor(namespace)).asPromise();
    const reference = generatedReference();
    for (const [path, body] of [
      ['agencies', reference.agencies],
      ['fields', reference.fields],
      ['procedures', reference.procedures],
    ] as const) {
      const answer = await call(`${intake.url}/v1/reference/${path}`, { method: 'PUT', body });
      expect(answer.status).toBe(200);
    }
    // dossier-tracking learns procedures from the compacted topic before the events arrive.
    await waitFor(
      async () =>
        (await db.collection('tracking_reference').countDocuments({ kind: 'procedure' })) === 3 ? true : undefined,
      { what: 'dossier-tracking to learn the procedures' },
    );
  });

  afterAll(async () => {
    await controlKafka('start');
    await Promise.all(services.map((service) => service.close()));
    await db?.dropDatabase().catch(() => undefined);
    await db?.close();
  });

  const post = (events: readonly DossierEvent[]) =>
    call(`${intake.url}/v1/events`, {
      raw: events.map((event) => JSON.stringify(event)).join('\n'),
      contentType: 'application/x-ndjson',
    });

  it('gives the same dossier states for events posted in order and posted shuffled with duplicates', async () => {
    const inOrder = generateDossierEvents(2026, DOSSIERS, 'ORD');
    const sameLives = generateDossierEvents(2026, DOSSIERS, 'SHF');
    const random = seededRandom(5);
    const withDuplicates = [...sameLives, ...sameLives.filter(() => random() < 0.2)];
    const mixed = shuffled(withDuplicates, 11);

    for (let start = 0; start < inOrder.length; start += 1000) {
      expect((await post(inOrder.slice(start, start + 1000))).status).toBe(202);
    }
    for (let start = 0; start < mixed.length; start += 1000) {
      expect((await post(mixed.slice(start, start + 1000))).status).toBe(202);
    }

    const distinct = inOrder.length + sameLives.length;
    await waitFor(
      async () => ((await db.collection('tracking_events').countDocuments({})) === distinct ? true : undefined),
      { what: `${distinct} distinct events stored (duplicates counted once)`, timeoutMs: 180_000 },
    );
    const statesOf = async (prefix: string) => {
      const docs = await db
        .collection('tracking_dossiers')
        .find({ _id: { $regex: `^${prefix}-` } as never }, { projection: { kind: 1, state: 1, factOwed: 1 } })
        .sort({ _id: 1 })
        .toArray();
      return docs.map(
        (doc) =>
          JSON.parse(
            JSON.stringify({ ...doc, _id: String(doc._id).slice(4) }).replaceAll(`${prefix}-`, 'X-'),
          ) as unknown,
      );
    };
    const [ordered, mixedStates] = await waitFor(
      async () => {
        const [a, b] = await Promise.all([statesOf('ORD'), statesOf('SHF')]);
        const settled = (states: unknown[]) =>
          states.length === DOSSIERS && states.every((state) => (state as { factOwed: boolean }).factOwed === false);
        return settled(a) && settled(b) && JSON.stringify(a) === JSON.stringify(b) ? [a, b] : undefined;
      },
      { what: 'both sets of dossiers to settle in the same states', timeoutMs: 180_000 },
    );
    expect(mixedStates).toEqual(ordered);
    const sample = ordered.find((state) => (state as { state: { dueAt: string | null } | null }).state?.dueAt !== null);
    expect(sample).toBeDefined();
  });

  it('answers 503 while Kafka is stopped, and accepts and counts the retried request once after it is back', async () => {
    const events = generateDossierEvents(77, 1, 'RETRY');
    await controlKafka('stop');
    const refused = await post(events);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
    await controlKafka('start');
    const accepted = await waitFor(
      async () => {
        const answer = await post(events);
        return answer.status === 202 ? answer : undefined;
      },
      { what: 'the retried request to be accepted after Kafka restarted', timeoutMs: 120_000 },
    );
    expect(accepted.body).toEqual({ accepted: events.length });
    expect((await post(events)).status).toBe(202); // a desk retrying once more
    const dossierCode = events[0]?.dossierCode ?? '';
    const record = await waitFor(
      async () => {
        const doc = await db.collection('tracking_dossiers').findOne({ _id: dossierCode as never });
        return doc?.factOwed === false ? doc : undefined;
      },
      { what: 'the retried dossier to be folded' },
    );
    expect(await db.collection('tracking_events').countDocuments({ dossierCode })).toBe(events.length);
    expect(record.version).toBeLessThanOrEqual(events.length);
  });
});
