import mongoose from 'mongoose';
import type { DossierEvent, DossierFact } from '@tthc/contracts';
import { ContractProducer } from '@tthc/kafka';
import { mongoUrlFor, newNamespace, startService, testConfig, type RunningService } from '@tthc/testing';
import { contentHashOf, eventKey } from './domain/content-hash';
import { FoldContextProvider } from './domain/fold-context.provider';
import { ConcurrentWriteError } from './domain/concurrent-write.error';
import { DossierRefolder, MAX_WRITE_ROUNDS } from './domain/refolder.service';
import { DossierTrackingModule } from './dossier-tracking.module';
import type { DossierRecord } from './persistence/schemas';
import { TrackingRepository, type DossierWrite, type NewEvent } from './persistence/tracking.repository';
import { OverdueTimers } from './timers/overdue-timers.service';
import { TrackingMetrics } from './tracking-metrics';

const NOW = '2026-11-22T00:00:00.000Z';

function stored(event: DossierEvent, deskId = 'admin'): NewEvent {
  return {
    id: eventKey(deskId, event.eventId),
    dossierCode: event.dossierCode,
    deskId,
    contentHash: contentHashOf(event),
    event,
    acceptedAt: new Date().toISOString(),
  };
}
const receivedAt = (code: string): DossierEvent => ({
  eventId: `${code}-r`,
  type: 'dossier.received',
  occurredAt: '2017-03-14T09:00:00+07:00',
  dossierCode: code,
  data: { procedureCode: 'P-1', agencyCode: 'A-1', channel: 'online', dueAt: '2017-03-20T10:00:00+07:00' },
});
const transferredTo = (code: string, to: string, day: number): DossierEvent => ({
  eventId: `${code}-t-${to}`,
  type: 'dossier.transferred',
  occurredAt: `2017-03-${day}T09:00:00+07:00`,
  dossierCode: code,
  data: { toAgencyCode: to },
});

/**
 * A second writer of the same dossiers (a zombie replica whose partition moved, or the calendar
 * refold racing the event handler): a {@link DossierRefolder} over the same MongoDB whose first
 * write waits at a gate after it read, and whose facts are captured.
 */
function staleWriter(service: RunningService) {
  const repository = service.app.get(TrackingRepository);
  let arrive: () => void = () => undefined;
  let release: () => void = () => undefined;
  const arrived = new Promise<void>((resolve) => (arrive = resolve));
  const released = new Promise<void>((resolve) => (release = resolve));
  let gated = false;
  const gatedRepository = new Proxy(repository, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (property !== 'saveDossiers' || typeof value !== 'function') {
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      }
      return async (...args: unknown[]) => {
        if (!gated) {
          gated = true;
          arrive();
          await released;
        }
        return (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
      };
    },
  });
  const facts: DossierFact[] = [];
  const producer = service.app.get(ContractProducer);
  const capturing = {
    send: async (topic: never, messages: { key: string; value: DossierFact }[]) => {
      facts.push(...messages.map((message) => message.value));
      return producer.send(topic, messages as never);
    },
  } as unknown as ContractProducer;
  const refolder = new DossierRefolder(
    gatedRepository,
    capturing,
    service.app.get(FoldContextProvider),
    service.app.get(OverdueTimers),
    service.app.get(TrackingMetrics),
  );
  return { refolder, arrived, release, facts };
}

describe('fenced dossier writes: two concurrent writers (real MongoDB, Kafka, Redis)', () => {
  const namespace = newNamespace('fenced');
  let service: RunningService;
  let db: mongoose.Connection;
  let repository: TrackingRepository;
  let handlerRefolder: DossierRefolder;

  beforeAll(async () => {
    const config = testConfig('dossier-tracking', namespace);
    service = await startService(config, DossierTrackingModule.forRoot(config));
    db = await mongoose.createConnection(mongoUrlFor(namespace)).asPromise();
    repository = service.app.get(TrackingRepository);
    handlerRefolder = service.app.get(DossierRefolder);
  });
  afterAll(async () => {
    await service?.close();
    await db?.dropDatabase().catch(() => undefined);
    await db?.close();
  });

  const dossier = (code: string) => db.collection('tracking_dossiers').findOne({ _id: code as never });
  async function store(...events: NewEvent[]): Promise<void> {
    await repository.insertEvents(events);
    await repository.appendToDossiers(events);
  }

  it('a stale writer cannot roll a dossier back to the version it computed from old reads', async () => {
    const code = 'FW-1';
    await store(stored(receivedAt(code)));
    await handlerRefolder.refold([code], NOW);
    expect(await dossier(code)).toMatchObject({ version: 1, state: { agencyCode: 'A-1' } });

    // The transfer to A-2 is stored; the stale writer reads (v1 + the transfer) and stops before writing.
    await store(stored(transferredTo(code, 'A-2', 15)));
    const stale = staleWriter(service);
    const staleRun = stale.refolder.refold([code], NOW);
    await stale.arrived;

    // Meanwhile the live writer folds the transfer (v2) and a later transfer to A-3 (v3).
    await handlerRefolder.refold([code], NOW);
    expect(await dossier(code)).toMatchObject({ version: 2, state: { agencyCode: 'A-2' } });
    await store(stored(transferredTo(code, 'A-3', 16)));
    await handlerRefolder.refold([code], NOW);
    expect(await dossier(code)).toMatchObject({ version: 3, state: { agencyCode: 'A-3' } });

    // The stale writer resumes with the version 2 it computed from its old reads.
    stale.release();
    await staleRun;

    expect(await dossier(code)).toMatchObject({ version: 3, state: { agencyCode: 'A-3' }, factOwed: false });
    // It published no fact of the version it lost (its refold round found v3 unchanged).
    expect(stale.facts.filter((fact) => fact.dossierCode === code && fact.version === 2)).toEqual([]);
  });

  it('a stale writer of a new dossier loses to the writer that inserted it first', async () => {
    const code = 'FW-2';
    await store(stored(receivedAt(code)));
    const stale = staleWriter(service);
    const staleRun = stale.refolder.refold([code], NOW);
    await stale.arrived;

    await store(stored(transferredTo(code, 'A-2', 15)));
    await handlerRefolder.refold([code], NOW);
    expect(await dossier(code)).toMatchObject({ version: 1, state: { agencyCode: 'A-2' } });

    stale.release();
    await staleRun;
    // The stale version 1 (still at A-1) was not written: the refold round re-read version 1 (at
    // A-2) and the events, and found nothing to change.
    expect(await dossier(code)).toMatchObject({ version: 1, state: { agencyCode: 'A-2' } });
    expect(stale.facts.filter((fact) => fact.dossierCode === code)).toEqual([]);
  });

  it('writes a version only over the record as it was read (insert for a new dossier, no upsert)', async () => {
    const base: DossierRecord = {
      _id: 'FW-R',
      kind: 'awaiting_receipt',
      version: 1,
      publishedVersion: 0,
      factOwed: false,
      state: null,
      updatedAt: NOW,
    };
    expect(await repository.saveDossiers([{ next: base, read: undefined }])).toEqual({ written: [base], lost: [] });
    // A second writer that also read "no dossier" loses, whatever its content.
    const rival = { ...base, kind: 'rejected' as const };
    expect(await repository.saveDossiers([{ next: rival, read: undefined }])).toEqual({ written: [], lost: ['FW-R'] });
    expect(await dossier('FW-R')).toMatchObject({ version: 1, kind: 'awaiting_receipt' });

    const v2 = { ...base, kind: 'rejected' as const, version: 2 };
    expect((await repository.saveDossiers([{ next: v2, read: base }])).lost).toEqual([]);
    // Another writer that read version 1 too loses with another content; with the same content
    // nothing was written either, but the stored version is exactly its own (reported written).
    expect((await repository.saveDossiers([{ next: { ...base, version: 2 }, read: base }])).lost).toEqual(['FW-R']);
    expect(await repository.saveDossiers([{ next: { ...v2, updatedAt: 'later' }, read: base }])).toMatchObject({
      lost: [],
    });
    expect(await dossier('FW-R')).toMatchObject({ version: 2, kind: 'rejected' });

    // Version 2 published after it was read: a write over the stale read loses (its publishedVersion
    // or overdueNotifiedAt would be stale), a write over a fresh read wins.
    await repository.markPublished(new Map([['FW-R', 2]]));
    const v3 = { ...base, version: 3 };
    expect((await repository.saveDossiers([{ next: v3, read: v2 }])).lost).toEqual(['FW-R']);
    const fresh = (await repository.dossiersByCode(['FW-R'])).get('FW-R');
    expect(fresh).toMatchObject({ version: 2, publishedVersion: 2, factOwed: false });
    expect((await repository.saveDossiers([{ next: { ...v3, publishedVersion: 2 }, read: fresh }])).lost).toEqual([]);
    expect(await dossier('FW-R')).toMatchObject({ version: 3, kind: 'awaiting_receipt', publishedVersion: 2 });

    // A batch (one write per dossier): two win, one over a stale read loses; each is reported.
    const stale: DossierRecord = { ...base, _id: 'FW-T' };
    await repository.saveDossiers([{ next: stale, read: undefined }]);
    await repository.saveDossiers([{ next: { ...stale, version: 2 }, read: stale }]);
    const v4 = { ...v3, version: 4, publishedVersion: 2 };
    const result = await repository.saveDossiers([
      { next: v4, read: { ...v3, publishedVersion: 2 } },
      { next: { ...base, _id: 'FW-S' }, read: undefined },
      { next: { ...stale, kind: 'rejected', version: 2 }, read: stale },
    ]);
    expect(result.written.map((record) => record._id).sort()).toEqual(['FW-R', 'FW-S']);
    expect(result.lost).toEqual(['FW-T']);
    expect(await dossier('FW-R')).toMatchObject({ version: 4, kind: 'awaiting_receipt' });
    expect(await dossier('FW-T')).toMatchObject({ version: 2, kind: 'awaiting_receipt' });
  });

  it('clears factOwed and records an overdue notification only for the version they are about', async () => {
    const record: DossierRecord = {
      _id: 'FW-M',
      kind: 'awaiting_receipt',
      version: 1,
      publishedVersion: 0,
      factOwed: true,
      state: null,
      updatedAt: NOW,
    };
    await repository.saveDossiers([{ next: record, read: undefined }]);
    const v2 = { ...record, version: 2 };
    await repository.saveDossiers([{ next: v2, read: record }]);
    // The fact of version 1 was acknowledged late: version 2 keeps owing its own.
    await repository.markPublished(new Map([['FW-M', 1]]));
    expect(await dossier('FW-M')).toMatchObject({ version: 2, factOwed: true, publishedVersion: 1 });
    await repository.markOverdueNotified('FW-M', 1, NOW);
    expect((await dossier('FW-M'))?.overdueNotifiedAt).toBeUndefined();
    await repository.markPublished(new Map([['FW-M', 2]]));
    await repository.markOverdueNotified('FW-M', 2, NOW);
    expect(await dossier('FW-M')).toMatchObject({
      version: 2,
      factOwed: false,
      publishedVersion: 2,
      overdueNotifiedAt: NOW,
    });
  });

  it('gives up with a retryable ConcurrentWriteError after the refold rounds, having written nothing stale', async () => {
    const code = 'FW-C';
    await store(stored(receivedAt(code)));
    await handlerRefolder.refold([code], NOW);
    await store(stored(transferredTo(code, 'A-2', 15)));
    // A writer whose every fenced write finds the record moved on (another writer wins each round).
    let rounds = 0;
    const contended = new Proxy(repository, {
      get(target, property, receiver) {
        const value: unknown = Reflect.get(target, property, receiver);
        if (property === 'saveDossiers') {
          return async (writes: DossierWrite[]) => {
            rounds += 1;
            const current = (await target.dossiersByCode([code])).get(code)!;
            await target.saveDossiers([
              { next: { ...current, version: current.version + 1, updatedAt: `${NOW}-${rounds}` }, read: current },
            ]);
            return target.saveDossiers(writes);
          };
        }
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
    const refolder = new DossierRefolder(
      contended,
      service.app.get(ContractProducer),
      service.app.get(FoldContextProvider),
      service.app.get(OverdueTimers),
      service.app.get(TrackingMetrics),
    );
    const error = await refolder.refold([code], NOW).then(
      () => undefined,
      (failure: unknown) => failure,
    );
    expect(error).toBeInstanceOf(ConcurrentWriteError);
    expect(error).toMatchObject({ retryable: true, dossierCodes: [code] });
    expect(rounds).toBe(MAX_WRITE_ROUNDS);
    // Still at the receipt's agency: the rival writes bumped versions only, and none of ours won.
    expect(await dossier(code)).toMatchObject({ version: 1 + MAX_WRITE_ROUNDS, state: { agencyCode: 'A-1' } });
    // The next call, uncontended, folds the transfer over the newest version.
    await handlerRefolder.refold([code], NOW);
    expect(await dossier(code)).toMatchObject({ version: 2 + MAX_WRITE_ROUNDS, state: { agencyCode: 'A-2' } });
  });
});
