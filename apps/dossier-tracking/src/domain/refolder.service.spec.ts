import { createWorkingCalendar } from '@tthc/calendar';
import type { DossierEvent, DossierFact } from '@tthc/contracts';
import type { ContractProducer } from '@tthc/kafka';
import type { DossierRecord } from '../persistence/schemas';
import type { TrackingRepository } from '../persistence/tracking.repository';
import type { OverdueTimers } from '../timers/overdue-timers.service';
import type { FoldContextProvider } from './fold-context.provider';
import { dueCalculatorOf } from './fold-context.provider';
import { DossierRefolder } from './refolder.service';

const NOW = '2026-11-22T00:00:00.000Z';
const received = (dueAt: string, agencyCode = 'A-1'): { deskId: string; event: DossierEvent } => ({
  deskId: 'desk-1',
  event: {
    eventId: 'r',
    type: 'dossier.received',
    occurredAt: '2017-03-14T09:00:00+07:00',
    dossierCode: 'D',
    data: { procedureCode: 'P-1', agencyCode, channel: 'online', dueAt },
  },
});
const transferred: { deskId: string; event: DossierEvent } = {
  deskId: 'desk-1',
  event: {
    eventId: 't',
    type: 'dossier.transferred',
    occurredAt: '2017-03-15T09:00:00+07:00',
    dossierCode: 'D',
    data: { toAgencyCode: 'A-2' },
  },
};

/** A refolder over in-memory fakes; returns what it wrote, synced and published. */
function harness(events: { deskId: string; event: DossierEvent }[], stored: DossierRecord | undefined) {
  const saved: DossierRecord[] = [];
  const published: DossierFact[] = [];
  const synced: { previous: ReadonlyMap<string, DossierRecord>; changed: readonly DossierRecord[] }[] = [];
  const repository = {
    eventsOf: () => Promise.resolve(new Map([['D', events]])),
    dossiersByCode: () => Promise.resolve(new Map(stored === undefined ? [] : [['D', stored]])),
    saveDossiers: (records: readonly DossierRecord[]) => Promise.resolve(void saved.push(...records)),
    recordQuality: () => Promise.resolve(),
    markPublished: () => Promise.resolve(),
  } as unknown as TrackingRepository;
  const producer = {
    send: (_topic: unknown, messages: { value: DossierFact }[]) =>
      Promise.resolve(void published.push(...messages.map((message) => message.value))),
  } as unknown as ContractProducer;
  const context = {
    current: () => ({ procedure: () => undefined, due: dueCalculatorOf(createWorkingCalendar()) }),
  } as unknown as FoldContextProvider;
  const timers = {
    sync: (previous: ReadonlyMap<string, DossierRecord>, changed: readonly DossierRecord[]) =>
      Promise.resolve(void synced.push({ previous, changed })),
  } as unknown as OverdueTimers;
  return { refolder: new DossierRefolder(repository, producer, context, timers), saved, published, synced };
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
});
