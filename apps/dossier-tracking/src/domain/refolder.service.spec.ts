import { createWorkingCalendar } from '@tthc/calendar';
import type { DossierFact } from '@tthc/contracts';
import type { ContractProducer } from '@tthc/kafka';
import type { DossierRecord } from '../persistence/schemas';
import type { DossierWrite, QualityEntry, TrackingRepository } from '../persistence/tracking.repository';
import type { TrackingMetrics } from '../tracking-metrics';
import type { OverdueTimers } from '../timers/overdue-timers.service';
import type { FoldContextProvider } from './fold-context.provider';
import type { StoredEvent } from './fold';
import { ConcurrentWriteError } from './concurrent-write.error';
import { DossierRefolder, MAX_WRITE_ROUNDS } from './refolder.service';

const NOW = '2026-11-22T00:00:00.000Z';
const received = (dueAt: string, agencyCode = 'A-1'): StoredEvent => ({
  deskId: 'desk-1',
  acceptedAt: NOW,
  event: {
    eventId: 'r',
    type: 'dossier.received',
    occurredAt: '2017-03-14T09:00:00+07:00',
    dossierCode: 'D',
    data: { procedureCode: 'P-1', agencyCode, channel: 'online', dueAt },
  },
});
const transferred: StoredEvent = {
  deskId: 'desk-1',
  acceptedAt: NOW,
  event: {
    eventId: 't',
    type: 'dossier.transferred',
    occurredAt: '2017-03-15T09:00:00+07:00',
    dossierCode: 'D',
    data: { toAgencyCode: 'A-2' },
  },
};

interface HarnessOptions {
  /** Codes whose write is lost, per round (index 0 = first call of saveDossiers). */
  lostPerRound?: string[][];
  /** What dossiersByCode answers per round (default: `stored` every time). */
  storedPerRound?: (DossierRecord | undefined)[];
}

/** A refolder over in-memory fakes; returns what it wrote, synced and published, and the read order. */
function harness(
  events: StoredEvent[],
  stored: DossierRecord | undefined,
  options: HarnessOptions = {},
  recorded = new Set<string>(),
) {
  const saved: DossierRecord[] = [];
  const attempted: DossierWrite[][] = [];
  const published: DossierFact[] = [];
  const synced: { previous: ReadonlyMap<string, DossierRecord>; changed: readonly DossierRecord[] }[] = [];
  const calls: string[] = [];
  const refusedCounted: string[] = [];
  let reads = 0;
  const repository = {
    eventsOf: () => {
      calls.push('eventsOf');
      return Promise.resolve(new Map([['D', events]]));
    },
    dossiersByCode: () => {
      calls.push('dossiersByCode');
      const record = options.storedPerRound?.[reads] ?? stored;
      reads += 1;
      return Promise.resolve(new Map(record === undefined ? [] : [['D', record]]));
    },
    saveDossiers: (writes: readonly DossierWrite[]) => {
      calls.push('saveDossiers');
      const lost = options.lostPerRound?.[attempted.length] ?? [];
      attempted.push([...writes]);
      const written = writes.map((write) => write.next).filter((record) => !lost.includes(record._id));
      saved.push(...written);
      return Promise.resolve({
        written,
        lost: writes.map((write) => write.next._id).filter((id) => lost.includes(id)),
      });
    },
    recordQuality: (entries: readonly QualityEntry[]) => {
      // The first sighting of each finding is new; later ones were recorded already.
      const fresh = entries.filter((entry) => !recorded.has(`${entry.kind}|${entry.eventId}`));
      for (const entry of fresh) recorded.add(`${entry.kind}|${entry.eventId}`);
      return Promise.resolve(fresh);
    },
    markPublished: () => Promise.resolve(),
  } as unknown as TrackingRepository;
  const producer = {
    send: (_topic: unknown, messages: { value: DossierFact }[]) =>
      Promise.resolve(void published.push(...messages.map((message) => message.value))),
  } as unknown as ContractProducer;
  const context = {
    current: () => ({
      procedure: () => undefined,
      due: createWorkingCalendar(),
      desks: { scopeOfDesk: () => 'admin', lineageOf: (code: string) => [code] },
    }),
  } as unknown as FoldContextProvider;
  const timers = {
    sync: (previous: ReadonlyMap<string, DossierRecord>, changed: readonly DossierRecord[]) =>
      Promise.resolve(void synced.push({ previous, changed })),
  } as unknown as OverdueTimers;
  const metrics = {
    countRefused: (kinds: readonly string[]) => void refusedCounted.push(...kinds),
  } as unknown as TrackingMetrics;
  return {
    refolder: new DossierRefolder(repository, producer, context, timers, metrics),
    refusedCounted,
    saved,
    attempted,
    published,
    synced,
    calls,
  };
}

describe('DossierRefolder: refold, write, sync timers, publish', () => {
  it('writes a new dossier as version 1 owing its fact, syncs its timer and publishes a received fact', async () => {
    const h = harness([received('2017-03-20T10:00:00.000Z')], undefined);
    await h.refolder.refold(['D'], NOW);
    expect(h.saved).toMatchObject([{ _id: 'D', version: 1, factOwed: true, publishedVersion: 0 }]);
    expect(h.synced).toHaveLength(1);
    expect(h.synced[0]?.changed).toEqual(h.saved); // the timers follow exactly what was written
    expect(h.published).toMatchObject([{ kind: 'received', version: 1 }]);
  });

  it('keeps the overdue notification when the due date in force did not change', async () => {
    const first = harness([received('2017-03-20T10:00:00.000Z')], undefined);
    await first.refolder.refold(['D'], NOW);
    const previous = { ...first.saved[0]!, factOwed: false, overdueNotifiedAt: '2017-03-20T10:00:01.000Z' };
    const moved = harness([received('2017-03-20T10:00:00.000Z'), transferred], previous);
    await moved.refolder.refold(['D'], NOW);
    expect(moved.saved).toMatchObject([{ version: 2, overdueNotifiedAt: '2017-03-20T10:00:01.000Z' }]);
    expect(moved.synced[0]?.previous.get('D')).toBe(previous);

    const redated = harness([received('2017-03-27T10:00:00.000Z')], previous);
    await redated.refolder.refold(['D'], NOW);
    expect(redated.saved[0]?.overdueNotifiedAt).toBeUndefined();
    expect(redated.published).toMatchObject([{ kind: 'due_changed', version: 2 }]);
  });

  it('writes nothing for an unchanged dossier but publishes a fact it still owes', async () => {
    const first = harness([received('2017-03-20T10:00:00.000Z')], undefined);
    await first.refolder.refold(['D'], NOW);
    const again = harness([received('2017-03-20T10:00:00.000Z')], first.saved[0]);
    await again.refolder.refold(['D'], NOW);
    expect(again.saved).toEqual([]);
    expect(again.published).toMatchObject([{ kind: 'received', version: 1 }]);
  });

  it('reads the dossier records before the events, never concurrently', async () => {
    const h = harness([received('2017-03-20T10:00:00.000Z')], undefined);
    await h.refolder.refold(['D'], NOW);
    expect(h.calls).toEqual(['dossiersByCode', 'eventsOf', 'saveDossiers']);
  });

  it('writes each version over the record it read (the fence of the write)', async () => {
    const first = harness([received('2017-03-20T10:00:00.000Z')], undefined);
    await first.refolder.refold(['D'], NOW);
    expect(first.attempted).toEqual([[{ next: first.saved[0], read: undefined }]]);
    const previous = { ...first.saved[0]!, factOwed: false, publishedVersion: 1 };
    const moved = harness([received('2017-03-20T10:00:00.000Z'), transferred], previous);
    await moved.refolder.refold(['D'], NOW);
    expect(moved.attempted[0]).toEqual([{ next: expect.objectContaining({ version: 2 }) as unknown, read: previous }]);
    expect(moved.saved[0]).toMatchObject({ version: 2, publishedVersion: 1, factOwed: true });
  });

  it('refolds a lost dossier from fresh reads in the same call, publishing only what was written', async () => {
    // Round 1 read nothing and lost (another writer inserted version 1 at A-2 meanwhile); round 2
    // reads that version 1, which already is the fold of the events: nothing to write or publish.
    const rival: DossierRecord = {
      _id: 'D',
      kind: 'dossier',
      version: 1,
      publishedVersion: 1,
      factOwed: false,
      state: null,
      updatedAt: NOW,
    };
    const probe = harness([received('2017-03-20T10:00:00.000Z'), transferred], undefined);
    await probe.refolder.refold(['D'], NOW);
    rival.state = probe.saved[0]!.state;

    const h = harness([received('2017-03-20T10:00:00.000Z'), transferred], undefined, {
      lostPerRound: [['D']],
      storedPerRound: [undefined, rival],
    });
    await h.refolder.refold(['D'], NOW);
    expect(h.attempted.map((writes) => writes.length)).toEqual([1, 0]);
    expect(h.saved).toEqual([]);
    expect(h.published).toEqual([]);
    expect(h.synced.map((sync) => sync.changed)).toEqual([[], []]);
  });

  it('writes the next version over the winner when a lost round is refolded and still changes', async () => {
    const winner: DossierRecord = {
      _id: 'D',
      kind: 'awaiting_receipt',
      version: 1,
      publishedVersion: 0,
      factOwed: false,
      state: null,
      updatedAt: NOW,
    };
    const h = harness([received('2017-03-20T10:00:00.000Z')], undefined, {
      lostPerRound: [['D']],
      storedPerRound: [undefined, winner],
    });
    await h.refolder.refold(['D'], NOW);
    expect(h.attempted.map((writes) => writes.map((write) => [write.next.version, write.read?.version]))).toEqual([
      [[1, undefined]],
      [[2, 1]],
    ]);
    expect(h.saved).toMatchObject([{ version: 2, kind: 'dossier' }]);
    // One fact, of the version written; none of the lost version 1.
    expect(h.published).toMatchObject([{ version: 2 }]);
    expect(h.published).toHaveLength(1);
  });

  it('throws a retryable ConcurrentWriteError when still contended after the last round', async () => {
    const h = harness([received('2017-03-20T10:00:00.000Z')], undefined, {
      lostPerRound: Array.from({ length: MAX_WRITE_ROUNDS }, () => ['D']),
    });
    const failure = await h.refolder.refold(['D'], NOW).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(ConcurrentWriteError);
    expect(failure).toMatchObject({ name: 'ConcurrentWriteError', retryable: true, dossierCodes: ['D'] });
    expect(h.attempted).toHaveLength(MAX_WRITE_ROUNDS);
    expect(h.published).toEqual([]);
    expect(h.saved).toEqual([]);
  });

  it('hands the fold’s findings to recordQuality and counts the newly recorded ones', async () => {
    const foreign: StoredEvent = {
      deskId: 'desk-b',
      acceptedAt: NOW,
      scope: ['B'],
      event: {
        eventId: 'x',
        type: 'dossier.resolved',
        occurredAt: '2017-03-16T09:00:00+07:00',
        dossierCode: 'D',
        data: { outcome: 'approved' },
      },
    };
    const events = [{ ...received('2017-03-20T10:00:00.000Z'), scope: ['A-1'] }, foreign];
    const recorded = new Set<string>();
    const first = harness(events, undefined, {}, recorded);
    const quality = await first.refolder.refold(['D'], NOW);
    expect(quality).toEqual([expect.objectContaining({ kind: 'foreign_desk', deskId: 'desk-b', eventId: 'x' })]);
    expect(first.refusedCounted).toEqual(['foreign_desk']);
    expect(first.saved[0]?.state).toMatchObject({ status: 'processing' });
    // Refolded again (every batch refolds from all events): found again, not counted again.
    const again = harness(events, first.saved[0], {}, recorded);
    await again.refolder.refold(['D'], NOW);
    expect(again.refusedCounted).toEqual([]);
  });
});
