import mongoose from 'mongoose';
import { DOSSIER_EVENTS, type DossierEvent } from '@tthc/contracts';
import { DossierTrackingModule } from '../apps/dossier-tracking/src/dossier-tracking.module';
import { IntakeModule } from '../apps/intake/src/intake.module';
import {
  call,
  mongoUrlFor,
  newNamespace,
  produce,
  readTopic,
  startService,
  testConfig,
  waitFor,
  type RunningService,
} from '@tthc/testing';

/**
 * Desk scope where the dossier is known (issue 11), through the public services on the real
 * servers: desk B (key of agency DEP-B) posts events for dossiers desk A (DEP-A) received. intake
 * accepts what it cannot judge (events naming no agency, or only B's own); dossier-tracking keeps
 * them out of the fold, lists them in the data-quality report and counts them in
 * `tthc_tracking_events_refused_total`.
 */
describe('desk scope: a foreign desk cannot change another agency’s dossier (intake → dossier-tracking)', () => {
  const namespace = newNamespace('deskscope');
  let intake: RunningService;
  let tracking: RunningService;
  let db: mongoose.Connection;
  let deskA: { id: string; key: string };
  let deskB: { id: string; key: string };

  beforeAll(async () => {
    const intakeConfig = testConfig('intake', namespace);
    intake = await startService(intakeConfig, IntakeModule.forRoot(intakeConfig));
    const trackingConfig = testConfig('dossier-tracking', namespace);
    tracking = await startService(trackingConfig, DossierTrackingModule.forRoot(trackingConfig));
    db = await mongoose.createConnection(mongoUrlFor(namespace)).asPromise();
    const put = async (path: string, body: unknown) =>
      expect((await call(`${intake.url}/v1/reference/${path}`, { method: 'PUT', body })).status).toBe(200);
    await put('agencies', [
      { code: 'PROV-A', name: 'Tỉnh A', parentCode: null, level: 'province' },
      { code: 'DEP-A', name: 'Sở A', parentCode: 'PROV-A', level: 'department' },
      { code: 'PROV-B', name: 'Tỉnh B', parentCode: null, level: 'province' },
      { code: 'DEP-B', name: 'Sở B', parentCode: 'PROV-B', level: 'department' },
    ]);
    await put('fields', [{ code: 'F-1', name: 'Lĩnh vực 1' }]);
    await put('procedures', [
      { code: 'P-1', name: 'Thủ tục 1', fieldCode: 'F-1', processingTime: { value: 5, unit: 'working_days' } },
    ]);
    const desk = async (name: string, agencyCodes: string[]) => {
      const answer = await call(`${intake.url}/v1/admin/desks`, { body: { name, agencyCodes } });
      expect(answer.status).toBe(201);
      return answer.body as { id: string; key: string };
    };
    deskA = await desk('Một cửa Sở A', ['DEP-A']);
    deskB = await desk('Một cửa Sở B', ['DEP-B']);
    // dossier-tracking learns the keys (needed only for envelopes without intake's stamps) and procedures.
    await waitFor(
      async () =>
        (await db.collection('tracking_reference').countDocuments({ kind: { $in: ['key', 'procedure'] } })) === 3
          ? true
          : undefined,
      { what: 'dossier-tracking to learn the desk keys and the procedure' },
    );
  });

  afterAll(async () => {
    await intake?.close();
    await tracking?.close();
    await db?.dropDatabase().catch(() => undefined);
    await db?.close();
  });

  let sequence = 0;
  const event = (type: DossierEvent['type'], dossierCode: string, day: number, data: object = {}): DossierEvent =>
    ({
      eventId: `ev-${++sequence}`,
      type,
      occurredAt: `2017-03-${String(day).padStart(2, '0')}T09:00:00+07:00`,
      dossierCode,
      data,
    }) as DossierEvent;
  const receipt = (code: string, agencyCode: string, day = 14) =>
    event('dossier.received', code, day, { procedureCode: 'P-1', agencyCode, channel: 'online' });
  const post = (key: string, events: DossierEvent[]) => call(`${intake.url}/v1/events`, { key, body: events });
  const dossier = async (code: string) => {
    const answer = await call(`${tracking.url}/v1/dossiers/${code}`);
    return answer.status === 200
      ? (answer.body as { version: number; state: { status: string; agencyCode: string; receivedAt: string } })
      : undefined;
  };
  const findings = async () =>
    (
      (await call(`${tracking.url}/v1/admin/data-quality?limit=1000`)).body as {
        items: { kind: string; deskId: string; eventId: string; dossierCode: string; detail: string }[];
      }
    ).items;
  const refusedMetric = async (reason: string) => {
    const text = (await call(`${tracking.url}/metrics`, { key: null })).text;
    const line = text
      .split('\n')
      .find((row) => row.startsWith('tthc_tracking_events_refused_total{') && row.includes(`reason="${reason}"`));
    return line === undefined ? undefined : Number(line.split(' ').pop());
  };

  it('keeps a foreign desk’s void, resolve, withdraw, transfer and later receipt out of desk A’s dossiers', async () => {
    const codes = ['S-VOID', 'S-RES', 'S-WD', 'S-TR', 'S-RCV'];
    expect(
      (
        await post(
          deskA.key,
          codes.map((code) => receipt(code, 'DEP-A')),
        )
      ).status,
    ).toBe(202);
    const before = new Map<string, NonNullable<Awaited<ReturnType<typeof dossier>>>>();
    for (const code of codes) {
      before.set(code, await waitFor(() => dossier(code), { what: `${code} received by desk A` }));
    }

    // intake cannot judge these (no agency named, or only desk B's own): accepted, 202.
    const foreign = [
      event('dossier.voided', 'S-VOID', 15, { reason: 'nhập sai' }),
      event('dossier.resolved', 'S-RES', 15, { outcome: 'approved' }),
      event('dossier.withdrawn', 'S-WD', 15),
      event('dossier.transferred', 'S-TR', 15, { toAgencyCode: 'DEP-B' }),
      receipt('S-RCV', 'DEP-B', 10), // claims an earlier receipt: would take the dossier over
    ];
    expect((await post(deskB.key, foreign)).status).toBe(202);
    // intake refuses at once what names an agency outside desk B's key: 403, nothing accepted.
    const outside = await post(deskB.key, [event('dossier.transferred', 'S-RES', 16, { toAgencyCode: 'DEP-A' })]);
    expect(outside.status).toBe(403);

    const listed = await waitFor(
      async () => {
        const items = (await findings()).filter((item) => item.deskId === deskB.id);
        return items.length === foreign.length ? items : undefined;
      },
      { what: 'the foreign desk’s events to be listed in the data-quality report' },
    );
    expect(listed.map((item) => [item.dossierCode, item.eventId, item.kind]).sort()).toEqual(
      [
        ['S-VOID', foreign[0]!.eventId, 'foreign_desk'],
        ['S-RES', foreign[1]!.eventId, 'foreign_desk'],
        ['S-WD', foreign[2]!.eventId, 'foreign_desk'],
        ['S-TR', foreign[3]!.eventId, 'foreign_desk'],
        ['S-RCV', foreign[4]!.eventId, 'conflicting_receipt'],
      ].sort(),
    );
    // intake stamped desk B's scope and the ancestry of the agencies each event names.
    const published = await readTopic(namespace, DOSSIER_EVENTS, codes.length + foreign.length);
    const envelope = (eventId: string) => published.find((message) => message.value?.event.eventId === eventId)?.value;
    expect(envelope(foreign[3]!.eventId)).toMatchObject({
      deskId: deskB.id,
      scope: ['DEP-B'],
      agencyAncestry: { 'DEP-B': ['DEP-B', 'PROV-B'] },
    });
    expect(envelope(foreign[0]!.eventId)).toMatchObject({ deskId: deskB.id, scope: ['DEP-B'] });
    expect(envelope(foreign[0]!.eventId)).not.toHaveProperty('agencyAncestry');
    // No dossier changed: same version, status, agency and receipt instant.
    for (const code of codes) {
      const after = await dossier(code);
      expect(after).toMatchObject({
        version: before.get(code)!.version,
        state: { status: 'processing', agencyCode: 'DEP-A', receivedAt: before.get(code)!.state.receivedAt },
      });
    }
    expect(await refusedMetric('foreign_desk')).toBe(4);
    expect(await refusedMetric('conflicting_receipt')).toBe(1);

    // Desk A itself still changes its dossier (and B's refused resolve of the 15th stays out).
    expect((await post(deskA.key, [event('dossier.resolved', 'S-RES', 17, { outcome: 'refused' })])).status).toBe(202);
    await waitFor(async () => ((await dossier('S-RES'))?.state.status === 'resolved' ? true : undefined), {
      what: 'desk A to resolve its dossier',
    });
    // Refolded with all its events: the refusal is found again, listed and counted once.
    expect((await findings()).filter((item) => item.dossierCode === 'S-RES')).toHaveLength(1);
    expect(await refusedMetric('foreign_desk')).toBe(4);
  });

  it('lets a pre-emptive receipt stand (its desk covers the agency it names) and keeps the later one aside', async () => {
    expect((await post(deskB.key, [receipt('S-PRE', 'DEP-B', 14)])).status).toBe(202);
    await waitFor(() => dossier('S-PRE'), { what: 'S-PRE received by desk B' });
    const late = receipt('S-PRE', 'DEP-A', 13);
    expect((await post(deskA.key, [late])).status).toBe(202);
    const listed = await waitFor(
      async () => (await findings()).find((item) => item.eventId === late.eventId && item.deskId === deskA.id),
      { what: 'desk A’s later receipt to be listed' },
    );
    expect(listed).toMatchObject({ kind: 'conflicting_receipt', dossierCode: 'S-PRE' });
    expect(await dossier('S-PRE')).toMatchObject({ version: 1, state: { agencyCode: 'DEP-B' } });
    expect(await refusedMetric('conflicting_receipt')).toBe(2);
  });

  it('trusts imports (admin-only), even recorded under a desk’s id', async () => {
    expect((await post(deskA.key, [receipt('S-IMP', 'DEP-A')])).status).toBe(202);
    await waitFor(() => dossier('S-IMP'), { what: 'S-IMP received by desk A' });
    const line = JSON.stringify(event('dossier.resolved', 'S-IMP', 16, { outcome: 'approved' }));
    const upload = await call(`${intake.url}/v1/admin/imports?desk=${deskB.id}`, {
      raw: `${line}\n`,
      contentType: 'application/x-ndjson',
    });
    expect(upload.status).toBe(202);
    await waitFor(async () => ((await dossier('S-IMP'))?.state.status === 'resolved' ? true : undefined), {
      what: 'the imported resolve to be folded',
    });
    expect((await findings()).filter((item) => item.dossierCode === 'S-IMP')).toEqual([]);
  });

  it('judges an envelope without intake’s stamps by the desk key directory (events accepted before the stamps)', async () => {
    expect((await post(deskA.key, [receipt('S-OLD', 'DEP-A')])).status).toBe(202);
    await waitFor(() => dossier('S-OLD'), { what: 'S-OLD received by desk A' });
    const old = event('dossier.resolved', 'S-OLD', 15, { outcome: 'approved' });
    await produce(namespace, DOSSIER_EVENTS, [
      { key: 'S-OLD', value: { deskId: deskB.id, acceptedAt: new Date().toISOString(), event: old } },
    ]);
    const listed = await waitFor(async () => (await findings()).find((item) => item.eventId === old.eventId), {
      what: 'the unstamped foreign event to be listed',
    });
    expect(listed).toMatchObject({ kind: 'foreign_desk', deskId: deskB.id, dossierCode: 'S-OLD' });
    expect(await dossier('S-OLD')).toMatchObject({ version: 1, state: { status: 'processing' } });
  });
});
