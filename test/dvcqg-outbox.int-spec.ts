import { DOSSIER_EVENTS } from '@tthc/contracts';
import { deriveEvents, type SnapshotFact } from '@tthc/desk-sync';
import { call, groupLag, newNamespace, waitFor } from '@tthc/testing';
import { DeskSyncService } from '../apps/intake/src/sync/desk-sync.service';
import { syncedDossierId, SyncStore, type SyncedDossier } from '../apps/intake/src/sync/sync.store';
import { Stack } from './support/stack';

const PROVINCE = '000.00.00.H56';
const JUSTICE = '000.00.12.H56';
const CODE = `${JUSTICE}-170314-0201`;

/**
 * The portal adapter's outbox published twice (a sweep racing a request, or a crash between
 * publishing and marking published): dossier-tracking keeps each (desk, eventId) once, as first
 * accepted, and reports no conflict (the same content).
 */
describe('a synced outbox published twice counts once in dossier-tracking (real Kafka, MongoDB, Redis)', () => {
  const stack = new Stack(newNamespace('outboxdup'));

  beforeAll(async () => {
    await stack.start('intake');
    await stack.start('dossier-tracking');
    await stack.putReference({
      agencies: [
        { code: PROVINCE, name: 'UBND tỉnh Tiền Giang', parentCode: null, level: 'province' },
        { code: JUSTICE, name: 'Sở Tư pháp', parentCode: PROVINCE, level: 'department' },
      ],
      fields: [{ code: 'G03-GD10', name: 'Chứng thực' }],
      procedures: [{ code: '1.001612', name: 'Chứng thực', fieldCode: 'G03-GD10', processingTime: null }],
    });
  });
  afterAll(async () => {
    await stack.stopAll();
  });

  it('keeps the first copy of each event, without a conflicting_duplicate finding', async () => {
    const intake = stack.services.get('intake')!;
    const desk = await call(`${intake.url}/v1/admin/desks`, { body: { name: 'justice', agencyCodes: [JUSTICE] } });
    expect(desk.status).toBe(201);
    const deskId = (desk.body as { id: string }).id;
    const snapshot: SnapshotFact = {
      maHoSo: CODE,
      procedureCode: '1.001612',
      channel: 'online',
      receivedAt: '2017-03-14T09:12:00+07:00',
      finishedAt: '2017-03-15T10:00:00+07:00',
      status: 9,
      agencyCode: JUSTICE,
      supplements: [],
    };
    const { events, findings } = deriveEvents({ deskId, maHoSo: CODE, snapshots: [snapshot], progress: [] });
    const store = intake.app.get(SyncStore);
    const sync = intake.app.get(DeskSyncService);
    // As phase 1 leaves a dossier whose publish failed.
    const dossier: SyncedDossier = {
      _id: syncedDossierId(deskId, CODE),
      deskId,
      maHoSo: CODE,
      version: 1,
      snapshots: [{ hash: 'test', fact: snapshot }],
      progress: [],
      published: [],
      outbox: events,
      outboxScope: [JUSTICE],
      findings,
      updatedAt: new Date(Date.now() - 120_000).toISOString(),
    };
    expect(await store.save(dossier, 0)).toBe(true);
    expect((await sync.sweepOutboxes(0)).published).toBeGreaterThanOrEqual(2);
    // The mark was lost (a crash between publishing and marking): the outbox is back, and swept again later.
    const marked = (await store.load([dossier._id])).get(dossier._id)!;
    expect(marked.outbox).toEqual([]);
    expect(
      await store.save({ ...marked, version: marked.version + 1, outbox: events, published: [] }, marked.version),
    ).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect((await sync.sweepOutboxes(0)).published).toBeGreaterThanOrEqual(2);

    const tracking = stack.url('dossier-tracking');
    await waitFor(
      async () => ((await groupLag(stack.namespace, 'dossier-tracking', DOSSIER_EVENTS)) === 0 ? true : undefined),
      { what: 'dossier-tracking to fold both publications' },
    );
    const answer = await call(`${tracking}/v1/dossiers/${CODE}`);
    expect(answer.status).toBe(200);
    const body = answer.body as { kind: string; timeline: { eventId: string; acceptedAt: string }[] };
    expect(body.kind).toBe('dossier');
    expect(body.timeline.map((e) => e.eventId)).toEqual(events.map((e) => e.eventId));
    const quality = (await call(`${tracking}/v1/admin/data-quality?limit=1000`)).body as {
      items: { kind: string; dossierCode: string }[];
    };
    expect(quality.items.filter((item) => item.dossierCode === CODE)).toEqual([]);
  });
});
