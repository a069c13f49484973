import mongoose from 'mongoose';
import { DOSSIER_FACTS } from '@tthc/contracts';
import {
  factOf,
  mongoUrlFor,
  newNamespace,
  produce,
  snapshotOf,
  startService,
  testConfig,
  waitFor,
  type RunningService,
} from '@tthc/testing';
import { OnTimeRateModule } from './on-time-rate.module';

describe('on-time-rate consumes lifecycle facts (real Kafka and MongoDB)', () => {
  const namespace = newNamespace('otr');
  let service: RunningService;
  let db: mongoose.Connection;

  beforeAll(async () => {
    const config = testConfig('on-time-rate', namespace);
    service = await startService(config, OnTimeRateModule.forRoot(config));
    db = await mongoose.createConnection(mongoUrlFor(namespace)).asPromise();
  });
  afterAll(async () => {
    await service?.close();
    await db?.dropDatabase().catch(() => undefined);
    await db?.close();
  });

  it('classifies the newest version of each dossier; older and repeated facts change nothing', async () => {
    const late = snapshotOf({
      dossierCode: 'L',
      version: 2,
      status: 'resolved',
      finishedAt: '2017-03-22T02:00:00.000Z',
      finishKind: 'resolved',
      outcome: 'approved',
    });
    const pending = snapshotOf({ dossierCode: 'L', version: 1 });
    const withdrawn = snapshotOf({
      dossierCode: 'W',
      version: 3,
      status: 'withdrawn',
      finishedAt: '2017-03-15T02:00:00.000Z',
      finishKind: 'withdrawn',
    });
    await produce(namespace, DOSSIER_FACTS, [
      factOf(late, 'finished'),
      factOf(pending, 'received'),
      factOf(withdrawn, 'finished'),
      factOf(withdrawn, 'finished'),
    ]);
    const docs = await waitFor(
      async () => {
        const found = await db.collection('otr_dossiers').find({}).sort({ _id: 1 }).toArray();
        return found.length === 2 ? found : undefined;
      },
      { what: 'two classified dossiers' },
    );
    expect(docs.map((doc) => [doc._id, doc.version, doc.outcome, doc.withdrawn])).toEqual([
      ['L', 2, 'late', false],
      ['W', 3, 'on_time', true],
    ]);

    // Redelivery of an older version later on does not roll the dossier back.
    await produce(namespace, DOSSIER_FACTS, [
      factOf(pending, 'received'),
      factOf(snapshotOf({ dossierCode: 'M', version: 1 }), 'received'),
    ]);
    await waitFor(
      async () =>
        (await db.collection('otr_dossiers').countDocuments({ _id: 'M' as never })) === 1 ? true : undefined,
      {
        what: 'the marker dossier',
      },
    );
    expect(await db.collection('otr_dossiers').findOne({ _id: 'L' as never })).toMatchObject({
      version: 2,
      outcome: 'late',
    });
  });
});
