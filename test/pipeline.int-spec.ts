import mongoose from 'mongoose';
import { DossierTrackingModule } from '../apps/dossier-tracking/src/dossier-tracking.module';
import { IntakeModule } from '../apps/intake/src/intake.module';
import { OnTimeRateModule } from '../apps/on-time-rate/src/on-time-rate.module';
import { ReportingModule } from '../apps/reporting/src/reporting.module';
import { call, mongoUrlFor, newNamespace, startService, testConfig, waitFor, type RunningService } from '@tthc/testing';

/**
 * Smoke test over the real servers: an event accepted by intake crosses Kafka to
 * dossier-tracking, lands in MongoDB, and the derived lifecycle fact reaches on-time-rate and
 * reporting.
 */
describe('pipeline smoke test (real Kafka, MongoDB-wire, Redis)', () => {
  const namespace = newNamespace('smoke');
  const services: RunningService[] = [];
  let intake: RunningService;
  let db: mongoose.Connection;

  beforeAll(async () => {
    intake = await startService(testConfig('intake', namespace), IntakeModule.forRoot(testConfig('intake', namespace)));
    services.push(intake);
    for (const [service, module] of [
      ['dossier-tracking', DossierTrackingModule],
      ['on-time-rate', OnTimeRateModule],
      ['reporting', ReportingModule],
    ] as const) {
      const config = testConfig(service, namespace);
      services.push(await startService(config, module.forRoot(config)));
    }
    db = await mongoose.createConnection(mongoUrlFor(namespace)).asPromise();
    for (const [path, body] of [
      ['agencies', [{ code: '000.00.12.H56', name: 'Sở Tư pháp', parentCode: null, level: 'department' }]],
      ['fields', [{ code: 'G03-GD10', name: 'Chứng thực' }]],
      [
        'procedures',
        [
          {
            code: '1.001612',
            name: 'Chứng thực bản sao',
            fieldCode: 'G03-GD10',
            processingTime: { value: 2, unit: 'working_days' },
          },
        ],
      ],
    ] as const) {
      expect((await call(`${intake.url}/v1/reference/${path}`, { method: 'PUT', body })).status).toBe(200);
    }
  });

  afterAll(async () => {
    await Promise.all(services.map((service) => service.close()));
    await db?.dropDatabase().catch(() => undefined);
    await db?.close();
  });

  it('carries a received and a resolved event from intake to on-time-rate and reporting', async () => {
    const dossierCode = `000.00.12.H56-170314-${namespace.id}`;
    const posted = await call(`${intake.url}/v1/events`, {
      body: [
        {
          eventId: 'smoke-2',
          type: 'dossier.resolved',
          occurredAt: '2017-03-16T10:00:00+07:00',
          dossierCode,
          data: { outcome: 'approved' },
        },
        {
          eventId: 'smoke-1',
          type: 'dossier.received',
          occurredAt: '2017-03-14T09:12:00+07:00',
          dossierCode,
          data: {
            procedureCode: '1.001612',
            agencyCode: '000.00.12.H56',
            channel: 'online',
            dueAt: '2017-03-17T17:00:00+07:00',
          },
        },
      ],
    });
    expect(posted.status).toBe(202);
    expect(posted.body).toEqual({ accepted: 2 });

    const tracked = await waitFor(
      async () => {
        const doc = await db.collection('tracking_dossiers').findOne({ _id: dossierCode as never });
        return doc?.state?.finishedAt ? doc : undefined;
      },
      { what: 'dossier-tracking to fold both events' },
    );
    expect(tracked).toMatchObject({ kind: 'dossier', state: { status: 'resolved', channel: 'online' } });

    const classified = await waitFor(
      async () => {
        const doc = await db.collection('otr_dossiers').findOne({ _id: dossierCode as never });
        return doc?.version === tracked.version ? doc : undefined;
      },
      { what: 'on-time-rate to classify the dossier' },
    );
    expect(classified).toMatchObject({ outcome: 'early', withdrawn: false });

    const reported = await waitFor(
      async () => {
        const doc = await db.collection('rpt_dossiers').findOne({ _id: dossierCode as never });
        return doc?.dossierVersion === tracked.version ? doc : undefined;
      },
      { what: 'reporting to receive the classified dossier' },
    );
    expect(reported).toMatchObject({ agencyCode: '000.00.12.H56' });

    const dossier = await call(`${services[1]?.url ?? ''}/v1/dossiers/${encodeURIComponent(dossierCode)}`);
    expect(dossier.status).toBe(200);
    expect(dossier.body).toMatchObject({ dossierCode, state: { status: 'resolved' } });
    expect((dossier.body as { timeline: { eventId: string }[] }).timeline.map((event) => event.eventId)).toEqual([
      'smoke-1',
      'smoke-2',
    ]);
  });
});
