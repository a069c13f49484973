import mongoose from 'mongoose';
import { DOSSIER_OUTCOMES } from '@tthc/contracts';
import {
  call,
  mongoUrlFor,
  newNamespace,
  outcomeOf,
  produce,
  snapshotOf,
  startService,
  testConfig,
  waitFor,
  type RunningService,
} from '@tthc/testing';
import { ReportingModule } from './reporting.module';

describe('reporting consumes classified dossiers (real Kafka and MongoDB)', () => {
  const namespace = newNamespace('rpt');
  let service: RunningService;
  let db: mongoose.Connection;

  beforeAll(async () => {
    const config = testConfig('reporting', namespace);
    service = await startService(config, ReportingModule.forRoot(config));
    db = await mongoose.createConnection(mongoUrlFor(namespace)).asPromise();
  });
  afterAll(async () => {
    await service?.close();
    await db?.dropDatabase().catch(() => undefined);
    await db?.close();
  });

  it('keeps the newest snapshot per dossier with its current agency', async () => {
    await produce(namespace, DOSSIER_OUTCOMES, [
      outcomeOf(snapshotOf({ dossierCode: 'R', version: 2, agencyCode: 'A-2' })),
      outcomeOf(snapshotOf({ dossierCode: 'R', version: 1, agencyCode: 'A-1' })),
    ]);
    const doc = await waitFor(
      () =>
        db
          .collection('rpt_dossiers')
          .findOne({ _id: 'R' as never })
          .then((found) => found ?? undefined),
      {
        what: 'reporting to store R',
      },
    );
    expect(doc).toMatchObject({ dossierVersion: 2, agencyCode: 'A-2' });
    expect((await call(`${service.url}/health/live`)).status).toBe(200);
  });
});
