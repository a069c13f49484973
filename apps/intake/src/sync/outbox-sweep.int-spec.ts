import { DOSSIER_EVENTS, type DossierEvent } from '@tthc/contracts';
import { deriveEvents, type SnapshotFact } from '@tthc/desk-sync';
import {
  call,
  newNamespace,
  readTopicUntil,
  startService,
  testConfig,
  waitFor,
  type ReadMessage,
  type RunningService,
} from '@tthc/testing';
import { IntakeModule } from '../intake.module';
import { DeskSyncService } from './desk-sync.service';
import { syncedDossierId, SyncStore, type SyncedDossier } from './sync.store';

const PROVINCE = '000.00.00.H56';
const JUSTICE = '000.00.12.H56';

const fact = (maHoSo: string, extra: Partial<SnapshotFact> = {}): SnapshotFact => ({
  maHoSo,
  procedureCode: '1.001612',
  fieldCode: 'G03-GD10',
  channel: 'online',
  receivedAt: '2017-03-14T09:12:00+07:00',
  status: 9,
  finishedAt: '2017-03-15T10:00:00+07:00',
  agencyCode: JUSTICE,
  supplements: [],
  ...extra,
});

/** A dossier as phase 1 of a request leaves it when the Kafka publish then fails: events in its outbox. */
function recorded(deskId: string, maHoSo: string, updatedAt: string): SyncedDossier {
  const snapshot = fact(maHoSo);
  const { events, findings } = deriveEvents({ deskId, maHoSo, snapshots: [snapshot], progress: [] });
  return {
    _id: syncedDossierId(deskId, maHoSo),
    deskId,
    maHoSo,
    version: 1,
    snapshots: [{ hash: `test-${maHoSo}`, fact: snapshot }],
    progress: [],
    published: [],
    outbox: events,
    outboxScope: [JUSTICE],
    findings,
    updatedAt,
  };
}

function of(messages: readonly ReadMessage<typeof DOSSIER_EVENTS>[], maHoSo: string) {
  return messages.filter((m) => m.key === maHoSo);
}

describe('intake: the outbox sweep publishes what synced dossiers recorded but did not publish (real Kafka, MongoDB, Redis)', () => {
  const namespace = newNamespace('outbox');
  let intake: RunningService;
  let deskId: string;
  let deskKey: string;
  let store: SyncStore;

  beforeAll(async () => {
    const config = testConfig('intake', namespace);
    // The scheduled sweep runs every second here, with no grace period.
    intake = await startService(
      config,
      IntakeModule.forRoot(config, { outboxSweepEveryMs: 1000, outboxSweepGraceMs: 0 }),
    );
    const put = (path: string, body: unknown) => call(`${intake.url}/v1/reference/${path}`, { method: 'PUT', body });
    expect(
      (
        await put('agencies', [
          { code: PROVINCE, name: 'UBND tỉnh Tiền Giang', parentCode: null, level: 'province' },
          { code: JUSTICE, name: 'Sở Tư pháp', parentCode: PROVINCE, level: 'department' },
        ])
      ).status,
    ).toBe(200);
    expect((await put('fields', [{ code: 'G03-GD10', name: 'Chứng thực' }])).status).toBe(200);
    expect(
      (await put('procedures', [{ code: '1.001612', name: 'Chứng thực', fieldCode: 'G03-GD10', processingTime: null }]))
        .status,
    ).toBe(200);
    const desk = await call(`${intake.url}/v1/admin/desks`, { body: { name: 'justice desk', agencyCodes: [JUSTICE] } });
    expect(desk.status).toBe(201);
    ({ id: deskId, key: deskKey } = desk.body as { id: string; key: string });
    store = intake.app.get(SyncStore);
  });
  afterAll(async () => {
    await intake?.close();
  });

  it('publishes a recorded outbox through the scheduled sweep, stamped as its request would have been, then marks it published', async () => {
    const code = `${JUSTICE}-170314-0101`;
    const dossier = recorded(deskId, code, new Date(Date.now() - 120_000).toISOString());
    expect(dossier.outbox.map((e) => e.type)).toEqual(['dossier.received', 'dossier.resolved']);
    expect(await store.save(dossier, 0)).toBe(true);

    const messages = of(await readTopicUntil(namespace, DOSSIER_EVENTS, (read) => of(read, code).length >= 2), code);
    expect(messages.map((m) => m.value?.event)).toEqual(dossier.outbox);
    for (const m of messages) expect(m.value).toMatchObject({ deskId, scope: [JUSTICE] });
    // The receipt names the agency: its ancestry is stamped as for a request.
    expect(messages[0]?.value?.agencyAncestry).toEqual({ [JUSTICE]: [JUSTICE, PROVINCE] });
    const after = await waitFor(
      async () => {
        const current = (await store.load([dossier._id])).get(dossier._id);
        return current !== undefined && current.outbox.length === 0 ? current : undefined;
      },
      { what: 'the outbox to be marked published' },
    );
    expect(after.published).toEqual(dossier.outbox.map((e) => ({ id: e.eventId, type: e.type })));
    // Records and findings are left as they were.
    expect(after.snapshots).toEqual(dossier.snapshots);

    const metrics = await waitFor(
      async () => {
        const text = (await call(`${intake.url}/metrics`)).text;
        return /^tthc_sync_outbox_events{[^}]*} 0$/m.test(text) ? text : undefined;
      },
      { what: 'a sweep finding no pending outbox' },
    );
    const swept = /^tthc_sync_outbox_swept_events_total{[^}]*} (\d+)$/m.exec(metrics);
    expect(Number(swept?.[1])).toBeGreaterThanOrEqual(2);
  });

  it('sweeps racing each other and a request publish at most duplicates with the same ids and content; each event is marked once', async () => {
    const code = `${JUSTICE}-170314-0102`;
    const dossier = recorded(deskId, code, new Date(Date.now() - 120_000).toISOString());
    expect(await store.save(dossier, 0)).toBe(true);
    const sync = intake.app.get(DeskSyncService);
    // Three sweeps at once (besides the scheduled one) and the sender's retry with a new record.
    const [answer] = await Promise.all([
      call(`${intake.url}/v1/sync/dvcqg/dossiers`, {
        key: deskKey,
        body: [
          {
            MaHoSo: code,
            MaTTHC: '1.001612',
            MaLinhVuc: 'G03-GD10',
            KenhThucHien: '2',
            NgayTiepNhan: '20170314091200',
            NgayKetThucXuLy: '20170315100000',
            NgayTra: '20170316080000',
            TrangThaiHoSo: '10',
            DonViXuLy: 'SỞ TƯ PHÁP',
          },
        ],
      }),
      sync.sweepOutboxes(0),
      sync.sweepOutboxes(0),
      sync.sweepOutboxes(0),
    ]);
    expect(answer?.status).toBe(200);
    const ids = new Set([...dossier.outbox.map((e) => e.eventId)]);
    const after = await waitFor(
      async () => {
        const current = (await store.load([dossier._id])).get(dossier._id);
        return current !== undefined && current.outbox.length === 0 ? current : undefined;
      },
      { what: 'the outbox to be empty' },
    );
    expect(after.published.map((e) => e.type)).toEqual(['dossier.received', 'dossier.resolved', 'dossier.returned']);
    const returned = after.published[2]?.id ?? '';
    ids.add(returned);

    // Every publication of this dossier is committed now; one more request behind them marks the end of its partition.
    const marker = await call(`${intake.url}/v1/sync/dvcqg/progress`, {
      key: deskKey,
      body: [{ MaHoSo: code, ThoiDiemXuLy: '20170316090000', TrangThai: '10', NgayHenTra: '20170320170000' }],
    });
    expect(marker.status).toBe(200);
    const messages = of(
      await readTopicUntil(namespace, DOSSIER_EVENTS, (read) =>
        of(read, code).some((m) => m.value?.event.type === 'dossier.rescheduled'),
      ),
      code,
    ).filter((m) => m.value?.event.type !== 'dossier.rescheduled');
    const contents = new Map<string, string>();
    for (const m of messages) {
      const event = m.value?.event as DossierEvent;
      expect(ids.has(event.eventId)).toBe(true);
      const content = JSON.stringify(event);
      expect(contents.get(event.eventId) ?? content).toBe(content);
      contents.set(event.eventId, content);
    }
    expect([...contents.keys()].sort()).toEqual([...ids].sort());
  });
  it('an outbox the event log refuses stays in its outbox, logged, and does not hold up the others', async () => {
    const sync = intake.app.get(DeskSyncService);
    const old = new Date(Date.now() - 120_000).toISOString();
    const bad = recorded(deskId, `${JUSTICE}-170314-0103`, old);
    // A scope the envelope contract refuses (at most 100 agencies): the produce-side validation fails.
    bad.outboxScope = Array.from({ length: 101 }, (_, n) => `000.00.${n}.H56`);
    const good = recorded(deskId, `${JUSTICE}-170314-0104`, old);
    expect(await store.save(bad, 0)).toBe(true);
    expect(await store.save(good, 0)).toBe(true);
    const report = await sync.sweepOutboxes(0);
    expect(report.stoppedBy).toBeUndefined();
    const after = await waitFor(
      async () => {
        const current = (await store.load([good._id])).get(good._id);
        return current !== undefined && current.outbox.length === 0 ? current : undefined;
      },
      { what: 'the good outbox to be published' },
    );
    expect(after.published).toHaveLength(2);
    expect((await store.load([bad._id])).get(bad._id)?.outbox).toEqual(bad.outbox);
  });
  it('a request stores the scope of its key with the outbox (what the sweep stamps with)', async () => {
    const record = (maHoSo: string) => ({
      MaHoSo: maHoSo,
      MaTTHC: '1.001612',
      KenhThucHien: '1',
      NgayTiepNhan: '20170314091200',
      TrangThaiHoSo: '2',
      DonViXuLy: JUSTICE,
    });
    const byDesk = `${JUSTICE}-170314-0105`;
    const byAdmin = `${JUSTICE}-170314-0106`;
    const asDesk = await call(`${intake.url}/v1/sync/dvcqg/dossiers`, { key: deskKey, body: [record(byDesk)] });
    const asAdmin = await call(`${intake.url}/v1/sync/dvcqg/dossiers`, { body: [record(byAdmin)] });
    expect([asDesk.status, asAdmin.status]).toEqual([200, 200]);
    const stored = await store.load([syncedDossierId(deskId, byDesk), syncedDossierId('admin', byAdmin)]);
    expect(stored.get(syncedDossierId(deskId, byDesk))?.outboxScope).toEqual([JUSTICE]);
    expect(stored.get(syncedDossierId('admin', byAdmin))?.outboxScope).toBe('admin');
  });
});
