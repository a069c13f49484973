import mongoose from 'mongoose';
import { DOSSIER_FACTS, partitionOf } from '@tthc/contracts';
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
import fc from 'fast-check';
import { addDays, localDateOf } from '@tthc/calendar';
import type { DossierSnapshot } from '@tthc/contracts';
import { periodFigures } from '@tthc/counting';
import { arbitrarySnapshot, BASE, comparable, DAY, naiveFigures } from '@tthc/counting/testing';
import { classifiedSnapshotOf } from './domain/classified';
import { OnTimeRateModule } from './on-time-rate.module';
import { OnTimeRateLedger } from './persistence/on-time-rate-ledger';

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

  it('keeps counters that answer every period exactly, with facts redelivered and out of order', async () => {
    const finals = fc
      .sample(fc.integer({ min: 0, max: 1_000_000 }), { numRuns: 300, seed: 42 })
      .map((seed, index) => fc.sample(arbitrarySnapshot(index), { numRuns: 1, seed })[0] as DossierSnapshot);
    // Each dossier also had an earlier version: still pending, on its first agency.
    const versions = finals.flatMap((last) => {
      const code = `C-${last.dossierCode}`;
      const first: DossierSnapshot = {
        ...last,
        dossierCode: code,
        version: 1,
        status: 'processing',
        finishedAt: null,
        finishKind: null,
        outcome: null,
        agencyCode: 'A3',
      };
      return [first, { ...last, dossierCode: code, version: 2 }];
    });
    const deliveries = [...versions, ...versions.filter((_, index) => index % 3 === 0)].sort(
      (a, b) =>
        ((a.dossierCode.length * 7 + a.version * 13 + a.dossierCode.charCodeAt(a.dossierCode.length - 1)) % 5) -
        ((b.dossierCode.length * 7 + b.version * 13 + b.dossierCode.charCodeAt(b.dossierCode.length - 1)) % 5),
    );
    for (let start = 0; start < deliveries.length; start += 150) {
      await produce(
        namespace,
        DOSSIER_FACTS,
        deliveries.slice(start, start + 150).map((snapshot) => factOf(snapshot)),
      );
    }
    await waitFor(
      async () => {
        const [atFinal, journals] = await Promise.all([
          db.collection('otr_dossiers').countDocuments({ _id: { $regex: '^C-' } as never, version: 2 }),
          db.collection('otr_ledger_buckets').countDocuments({ open: { $ne: null } }),
        ]);
        return atFinal === finals.length && journals === 0 ? true : undefined;
      },
      { what: 'every dossier at its final version' },
    );
    const ledger = service.app.get(OnTimeRateLedger);
    const finalsAsStored = versions.filter((snapshot) => snapshot.version === 2);
    for (const [fromDay, length] of [
      [0, 30],
      [10, 5],
      [40, 60],
      [70, 0],
      [0, 120],
      [25, 14],
    ] as const) {
      for (const agency of [null, 'A1', 'A2', 'A3']) {
        const from = localDateOf(BASE + fromDay * DAY);
        const to = addDays(from, length);
        // "All agencies" of this test: the first test's dossiers (agency A-1) share the namespace.
        const figures = periodFigures(await ledger.sums(from, to, agency === null ? ['A1', 'A2', 'A3'] : [agency]));
        const expected = naiveFigures(finalsAsStored, from, to, agency);
        expect(comparable(figures)).toEqual(expected);
      }
    }
  });

  it('completes a journal a crashed process claimed, without applying any counter twice', async () => {
    const key = { agency: 'J', field: 'F', procedure: 'P', channel: 'online', date: '2017-01-05' };
    const trigger = 'TRIGGER';
    const bucket = partitionOf(trigger, testConfig('on-time-rate', namespace).kafka.eventPartitions);
    // The crashed process claimed the next sequence of the trigger's bucket and applied one counter of two.
    const buckets = db.collection<{ _id: string; seq: number; open: string | null }>('otr_ledger_buckets');
    const seq = ((await buckets.findOne({ _id: String(bucket) }))?.seq ?? 0) + 1;
    await db
      .collection('otr_counters')
      .insertOne({ _id: 'already-applied' as never, ...key, received: 5, w: { [bucket]: seq } });
    const journal = {
      _id: 'J-1',
      bucket,
      seq,
      createdAt: '2026-11-22T00:00:00.000Z',
      increments: [
        { _id: 'already-applied', key, inc: { received: 2 } },
        { _id: 'not-yet-applied', key: { ...key, date: '2017-01-06' }, inc: { received: 3 } },
      ],
      dossiers: [],
    };
    await buckets.updateOne({ _id: String(bucket) }, { $set: { seq, open: 'J-1', journal } }, { upsert: true });
    await produce(namespace, DOSSIER_FACTS, [
      factOf(snapshotOf({ dossierCode: trigger, version: 1, agencyCode: 'J' })),
    ]);
    await waitFor(
      async () => {
        const doc = await buckets.findOne({ _id: String(bucket) });
        return doc?.open === null && (doc?.seq ?? 0) > seq ? true : undefined;
      },
      { what: 'the open journal to be completed and the trigger applied after it' },
    );
    expect(await db.collection('otr_counters').findOne({ _id: 'already-applied' as never })).toMatchObject({
      received: 5,
    });
    expect(await db.collection('otr_counters').findOne({ _id: 'not-yet-applied' as never })).toMatchObject({
      received: 3,
    });
  });

  it('applies a batch delivered twice at the same time (a rebalance) once', async () => {
    const ledger = service.app.get(OnTimeRateLedger);
    const dossiers = Array.from({ length: 40 }, (_, index) =>
      classifiedSnapshotOf(
        snapshotOf({ dossierCode: `TWICE-${index}`, version: 1, agencyCode: 'TWICE', channel: 'postal' }),
        1,
      ),
    );
    const [first, second] = await Promise.all([ledger.apply(dossiers), ledger.apply(dossiers)]);
    expect(first.length + second.length).toBe(40);
    const sums = await ledger.sums('2017-03-01', '2017-03-31', ['TWICE']);
    expect(sums.newByChannel).toEqual({ online: 0, in_person: 0, postal: 40 });
  });
});
