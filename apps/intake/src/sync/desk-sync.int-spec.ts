import { DOSSIER_EVENTS } from '@tthc/contracts';
import { call, newNamespace, readTopic, startService, testConfig, type RunningService } from '@tthc/testing';
import { IntakeModule } from '../intake.module';

const PROVINCE = '000.00.00.H56';
const JUSTICE = '000.00.12.H56';
const FINANCE = '000.00.13.H56';
const CODE = `${JUSTICE}-170314-0001`;

const snapshot = (status: string, extra: Record<string, unknown> = {}) => ({
  MaHoSo: CODE,
  MaTTHC: '1.001612',
  MaLinhVuc: 'G03-GD10',
  KenhThucHien: '2',
  NgayTiepNhan: '20170314091200',
  NgayHenTra: '',
  NgayKetThucXuLy: '',
  NgayTra: '',
  NgayTuChoi: '',
  TrangThaiHoSo: status,
  DonViXuLy: 'SỞ TƯ PHÁP',
  DanhSachHoSoBoSung: [],
  ...extra,
});
const step = (status: string, at: string, extra: Record<string, unknown> = {}) => ({
  MaHoSo: CODE,
  NguoiXuLy: 'Nguyễn Văn A',
  ChucDanh: 'Chuyên viên',
  PhongBanXuLy: 'Phòng Hành chính',
  ThoiDiemXuLy: at,
  NoiDungXuLy: 'Xử lý hồ sơ',
  TrangThai: status,
  NgayBatDau: at,
  NgayKetThucTheoQuyDinh: '',
  ...extra,
});

describe('intake POST /v1/sync/dvcqg (portal dossier-sync adapter, real Kafka and MongoDB)', () => {
  const namespace = newNamespace('dvcqg');
  let intake: RunningService;
  let deskKey: string;

  beforeAll(async () => {
    const config = testConfig('intake', namespace);
    intake = await startService(config, IntakeModule.forRoot(config));
    const put = (path: string, body: unknown) => call(`${intake.url}/v1/reference/${path}`, { method: 'PUT', body });
    expect(
      (
        await put('agencies', [
          { code: PROVINCE, name: 'UBND tỉnh Tiền Giang', parentCode: null, level: 'province' },
          { code: JUSTICE, name: 'Sở Tư pháp', parentCode: PROVINCE, level: 'department' },
          { code: FINANCE, name: 'Sở Tài chính', parentCode: PROVINCE, level: 'department' },
        ])
      ).status,
    ).toBe(200);
    expect((await put('fields', [{ code: 'G03-GD10', name: 'Chứng thực' }])).status).toBe(200);
    expect(
      (
        await put('procedures', [
          {
            code: '1.001612',
            name: 'Chứng thực',
            fieldCode: 'G03-GD10',
            processingTime: { value: 2, unit: 'working_days' },
          },
        ])
      ).status,
    ).toBe(200);
    const desk = await call(`${intake.url}/v1/admin/desks`, {
      body: { name: 'justice desk', agencyCodes: [JUSTICE] },
    });
    expect(desk.status).toBe(201);
    deskKey = (desk.body as { key: string }).key;
  });
  afterAll(async () => {
    await intake?.close();
  });

  it('answers success in the portal shape, derives deterministic events once, whatever the order and repeats', async () => {
    // Progress before the snapshot: kept, nothing derived yet.
    const early = await call(`${intake.url}/v1/sync/dvcqg/progress`, {
      key: deskKey,
      body: { service: 'CapNhatTienDoHoSoMC', data: [step('9', '20170315100000'), step('2', '20170314091200')] },
    });
    expect(early.status).toBe(200);
    expect(early.body).toMatchObject({ error_code: '0', accepted: 2, events: 0 });
    expect((early.body as { message: string }).message).toContain('thành công');

    const bare = await call(`${intake.url}/v1/sync/dvcqg/dossiers`, {
      key: deskKey,
      body: [snapshot('9', { NgayKetThucXuLy: '20170315100000' }), snapshot('2')],
    });
    expect(bare.status).toBe(200);
    expect(bare.body).toMatchObject({ error_code: '0', accepted: 2, events: 2 });

    // The same records again, wrapped, through the dispatching route: nothing new.
    const again = await call(`${intake.url}/v1/sync/dvcqg`, {
      key: deskKey,
      body: {
        service: 'DongBoHoSoMC',
        isUpdating: 'True',
        data: [snapshot('2'), snapshot('9', { NgayKetThucXuLy: '20170315100000' })],
      },
    });
    expect(again.body).toMatchObject({ error_code: '0', events: 0 });
    const returned = await call(`${intake.url}/v1/sync/dvcqg/dossiers`, {
      key: deskKey,
      body: [snapshot('10', { NgayKetThucXuLy: '20170315100000', NgayTra: '20170316080000' })],
    });
    expect(returned.body).toMatchObject({ error_code: '0', events: 1 });

    const messages = await readTopic(namespace, DOSSIER_EVENTS, 3);
    const events = messages.map((m) => m.value?.event);
    expect(events.map((e) => `${e?.type}@${e?.occurredAt}`)).toEqual([
      'dossier.received@2017-03-14T09:12:00+07:00',
      'dossier.resolved@2017-03-15T10:00:00+07:00',
      'dossier.returned@2017-03-16T08:00:00+07:00',
    ]);
    expect(events[0]).toMatchObject({
      dossierCode: CODE,
      data: { procedureCode: '1.001612', agencyCode: JUSTICE, channel: 'online', fieldCode: 'G03-GD10' },
    });
    expect(events.every((e) => /^dvcqg-[0-9a-f]{40}$/.test(e?.eventId ?? ''))).toBe(true);
    expect(messages.every((m) => m.value?.deskId.startsWith('desk-'))).toBe(true);
  });

  it('refuses the whole request, listing each bad record, in the portal shape', async () => {
    const answer = await call(`${intake.url}/v1/sync/dvcqg/dossiers`, {
      key: deskKey,
      body: [
        snapshot('2', { MaHoSo: `${JUSTICE}-170314-0002` }),
        snapshot('2', { MaHoSo: `${JUSTICE}-170314-0003`, MaTTHC: '9.99', KenhThucHien: '9' }),
        snapshot('11', { MaHoSo: `${JUSTICE}-170314-0004`, NgayTiepNhan: '2017-03-14' }),
      ],
    });
    expect(answer.status).toBe(400);
    const body = answer.body as {
      error_code: string;
      message: string;
      errors: { index: number; MaHoSo: string; field: string }[];
    };
    expect(body.error_code).toBe('400');
    expect(body.message).toMatch(/không hợp lệ/);
    expect(body.errors.map((e) => `${e.index} ${e.field}`).sort()).toEqual([
      '1 KenhThucHien',
      '1 MaTTHC',
      '2 TrangThaiHoSo',
    ]);
    expect(body.errors[0]?.MaHoSo).toBe(`${JUSTICE}-170314-0003`);
    const unknownUnit = await call(`${intake.url}/v1/sync/dvcqg/dossiers`, {
      body: [snapshot('2', { MaHoSo: 'HS-0001', DonViXuLy: 'Sở Không Có' })],
    });
    expect(unknownUnit.status).toBe(400);
    expect(unknownUnit.text).toMatch(/DonViXuLy/);
    const wrongService = await call(`${intake.url}/v1/sync/dvcqg`, { key: deskKey, body: [snapshot('2')] });
    expect(wrongService.status).toBe(400);
    expect(wrongService.body).toMatchObject({ error_code: '400' });
  });

  it('refuses a desk outside its agencies (403) and resolves names without accents or case', async () => {
    const outside = await call(`${intake.url}/v1/sync/dvcqg/dossiers`, {
      key: deskKey,
      body: [snapshot('2', { MaHoSo: `${FINANCE}-170314-0001`, DonViXuLy: 'so tai chinh' })],
    });
    expect(outside.status).toBe(403);
    expect(outside.body).toMatchObject({ error_code: '403' });
    expect(
      (outside.body as { errors: { index: number; field: string }[] }).errors.map((e) => `${e.index} ${e.field}`),
    ).toEqual(['0 DonViXuLy', '0 MaHoSo']);
    const admin = await call(`${intake.url}/v1/sync/dvcqg/dossiers`, {
      body: [snapshot('2', { MaHoSo: 'HS-FIN-1', DonViXuLy: 'so tai chinh', KenhThucHien: undefined })],
    });
    expect(admin.status).toBe(200);
    const findings = await call(`${intake.url}/v1/sync/dvcqg/findings?desk=admin`);
    expect(findings.status).toBe(200);
    expect(findings.body).toEqual([
      expect.objectContaining({
        deskId: 'admin',
        maHoSo: 'HS-FIN-1',
        findings: [{ kind: 'channel_missing', detail: 'KenhThucHien missing: counted in person' }],
      }),
    ]);
    const onDesk = await call(`${intake.url}/v1/sync/dvcqg/findings`, { key: deskKey });
    expect(onDesk.status).toBe(403);
  });

  it('concurrent requests about one dossier publish one derivation: each event once, never two finishes', async () => {
    const code = `${JUSTICE}-170320-0009`;
    const records = [
      step('2', '20170320080000', { MaHoSo: code, DonViXuLy: JUSTICE }),
      step('5', '20170320100000', { MaHoSo: code }),
      step('4', '20170321090000', { MaHoSo: code }),
      step('9', '20170322100000', { MaHoSo: code }),
      step('10', '20170322150000', { MaHoSo: code }),
    ];
    const snapshots = [
      snapshot('2', { MaHoSo: code, NgayTiepNhan: '20170320080000' }),
      snapshot('9', { MaHoSo: code, NgayTiepNhan: '20170320080000', NgayKetThucXuLy: '20170322100000' }),
      snapshot('10', {
        MaHoSo: code,
        NgayTiepNhan: '20170320080000',
        NgayKetThucXuLy: '20170322100000',
        NgayTra: '20170322150000',
      }),
    ];
    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, n) =>
        n % 2 === 0
          ? call(`${intake.url}/v1/sync/dvcqg/progress`, {
              key: deskKey,
              body: records.slice(n % 5).concat(records[0] ?? []),
            })
          : call(`${intake.url}/v1/sync/dvcqg/dossiers`, { key: deskKey, body: snapshots.slice(n % 3) }),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 200));
    const all = await call(`${intake.url}/v1/sync/dvcqg/dossiers`, { key: deskKey, body: snapshots });
    expect(all.status).toBe(200);
    // Before: 3 events of the first dossier and 1 of HS-FIN-1; then what these requests published.
    const publishedNow = [...answers, all].reduce((sum, a) => sum + (a.body as { events: number }).events, 0);
    expect(publishedNow).toBeGreaterThanOrEqual(5);
    const messages = (await readTopic(namespace, DOSSIER_EVENTS, 4 + publishedNow)).filter((m) => m.key === code);
    const byId = new Map<string, string>();
    for (const m of messages) {
      const content = JSON.stringify(m.value?.event);
      const id = m.value?.event.eventId ?? '';
      expect({ id, content: byId.get(id) ?? content }).toEqual({ id, content });
      byId.set(id, content);
    }
    const types = [...byId.values()].map((content) => (JSON.parse(content) as { type: string }).type).sort();
    expect(types).toEqual([
      'dossier.received',
      'dossier.resolved',
      'dossier.returned',
      'dossier.supplement_received',
      'dossier.supplement_requested',
    ]);
  });

  it('serves the routes in its OpenAPI document', async () => {
    const docs = await call(`${intake.url}/docs-json`);
    const paths = Object.keys((docs.body as { paths: Record<string, unknown> }).paths);
    expect(paths).toEqual(
      expect.arrayContaining([
        '/v1/sync/dvcqg',
        '/v1/sync/dvcqg/dossiers',
        '/v1/sync/dvcqg/progress',
        '/v1/sync/dvcqg/findings',
      ]),
    );
  });
});
