import { DOSSIER_EVENTS, REFERENCE_AGENCIES, REFERENCE_PROCEDURES, type TopicDefinition } from '@tthc/contracts';
import {
  call,
  newNamespace,
  readTopic,
  startService,
  testConfig,
  type RunningService,
  type TestNamespace,
} from '@tthc/testing';
import { IntakeModule } from './intake.module';

const PROVINCE = '000.00.00.H56';
const DISTRICT = '000.00.12.H56';
const COMMUNE = '000.12.01.H56';
const OTHER_DISTRICT = '000.00.13.H56';
const OTHER_COMMUNE = '000.13.01.H56';

const agencies = [
  { code: COMMUNE, name: 'Xã A', parentCode: DISTRICT, level: 'commune' },
  { code: DISTRICT, name: 'Huyện A', parentCode: PROVINCE, level: 'district' },
  { code: PROVINCE, name: 'Tỉnh', parentCode: null, level: 'province' },
  { code: OTHER_DISTRICT, name: 'Huyện B', parentCode: PROVINCE, level: 'district' },
  { code: OTHER_COMMUNE, name: 'Xã B', parentCode: OTHER_DISTRICT, level: 'commune' },
];

const received = (eventId: string, agencyCode: string, procedureCode = '1.001612') => ({
  eventId,
  type: 'dossier.received',
  occurredAt: '2026-03-16T09:12:00+07:00',
  dossierCode: `D-${eventId}`,
  data: { procedureCode, agencyCode, channel: 'online' },
});

/** Reads exactly `count` messages and checks that no further one arrives. */
async function readExactly<T extends TopicDefinition>(namespace: TestNamespace, topic: T, count: number) {
  const messages = await readTopic(namespace, topic, count);
  await expect(readTopic(namespace, topic, count + 1, 3000)).rejects.toThrow(/arrived/);
  return messages;
}

describe('intake reference data, keys, scope and rate limit (real Kafka)', () => {
  const namespace = newNamespace('intakeadm');
  let intake: RunningService;
  const url = (path: string) => `${intake.url}${path}`;
  const put = (path: string, body: unknown, key?: string) =>
    call(url(`/v1/reference/${path}`), { method: 'PUT', body, key });

  beforeAll(async () => {
    const config = testConfig('intake', namespace);
    intake = await startService(config, IntakeModule.forRoot(config));
  });
  afterAll(async () => {
    await intake?.close();
  });

  let deskKey = '';
  let deskId = '';
  let viewerKey = '';

  it('uploads agencies (children before parents), fields and procedures', async () => {
    const uploaded = await put('agencies', agencies);
    expect(uploaded.status).toBe(200);
    expect(uploaded.body).toEqual({ upserted: 5 });
    expect((await put('fields', [{ code: 'G03-GD10', name: 'Giáo dục' }])).body).toEqual({ upserted: 1 });
    const procedures = await put('procedures', [
      { code: '1.001612', name: 'Cấp phép', fieldCode: 'G03-GD10', processingTime: { value: 5, unit: 'working_days' } },
    ]);
    expect(procedures.body).toEqual({ upserted: 1 });
    const listed = await call(url('/v1/reference/agencies'));
    expect((listed.body as { code: string }[]).map((a) => a.code)).toEqual(agencies.map((a) => a.code).sort());
  });

  it('rejects bad uploads with 400 listing each problem, publishing nothing', async () => {
    const unknownParent = await put('agencies', [
      { code: 'NEW.1', name: 'Mới', parentCode: PROVINCE, level: 'district' },
      { code: 'NEW.2', name: 'Mồ côi', parentCode: 'NOPE', level: 'commune' },
    ]);
    expect(unknownParent.status).toBe(400);
    expect(unknownParent.headers.get('content-type')).toMatch(/problem\+json/);
    expect(unknownParent.body).toMatchObject({
      errors: [{ index: 1, path: 'parentCode', message: 'unknown parent agency NOPE' }],
    });
    const cycle = await put('agencies', [
      { code: 'CYC.1', name: 'x', parentCode: 'CYC.2', level: 'other' },
      { code: 'CYC.2', name: 'y', parentCode: 'CYC.1', level: 'other' },
    ]);
    expect(cycle.status).toBe(400);
    expect(JSON.stringify(cycle.body)).toMatch(/cycle/);
    const reparentIntoCycle = await put('agencies', [{ ...agencies[2], parentCode: COMMUNE }]);
    expect(reparentIntoCycle.status).toBe(400);
    const schema = await put('agencies', [{ code: 'S', name: 'x', parentCode: null, level: 'county' }]);
    expect(schema.body).toMatchObject({ errors: [{ index: 0, path: 'level' }] });
    const unknownField = await put('procedures', [
      { code: '1.0002', name: 'ok', fieldCode: 'G03-GD10', processingTime: null },
      { code: '1.0003', name: 'bad', fieldCode: 'NOFIELD', processingTime: null },
    ]);
    expect(unknownField.status).toBe(400);
    expect(unknownField.body).toMatchObject({
      errors: [{ index: 1, path: 'fieldCode', message: 'unknown field NOFIELD' }],
    });
    expect((await put('fields', { code: 'F', name: 'not an array' })).status).toBe(400);
    expect(
      (await call(url('/v1/reference/fields'), { method: 'PUT', raw: 'x', contentType: 'text/plain' })).status,
    ).toBe(415);

    const published = await readExactly(namespace, REFERENCE_AGENCIES, agencies.length);
    expect(published.map((m) => m.key).sort()).toEqual(agencies.map((a) => a.code).sort());
    expect((await readExactly(namespace, REFERENCE_PROCEDURES, 1)).map((m) => m.key)).toEqual(['1.001612']);
  });

  it('uploads and serves calendars, falling back to the shipped table', async () => {
    const uploaded = await put('calendars/2026', { holidays: ['2026-01-01'], workingSaturdays: ['2026-01-10'] });
    expect(uploaded.status).toBe(200);
    expect((await call(url('/v1/reference/calendars/2026'))).body).toEqual({
      year: 2026,
      holidays: ['2026-01-01'],
      workingSaturdays: ['2026-01-10'],
      source: 'uploaded',
      confidence: 'UPLOADED',
    });
    expect((await call(url('/v1/reference/calendars/2017'))).body).toMatchObject({
      year: 2017,
      source: 'default',
      confidence: 'CONFIRMED',
    });
    const bad = await put('calendars/2026', { holidays: ['2025-12-31'], workingSaturdays: [] });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ errors: [{ path: 'holidays.0', message: '2025-12-31 is not in 2026' }] });
  });

  it('creates desk and viewer keys for known agencies only, shown once and listed without hash', async () => {
    const unknown = await call(url('/v1/admin/desks'), { body: { name: 'x', agencyCodes: ['NOPE'] } });
    expect(unknown.status).toBe(400);
    expect(unknown.body).toMatchObject({ errors: [{ path: 'agencyCodes.0', message: 'unknown agency NOPE' }] });
    const desk = await call(url('/v1/admin/desks'), { body: { name: 'Một cửa huyện A', agencyCodes: [DISTRICT] } });
    expect(desk.status).toBe(201);
    ({ id: deskId, key: deskKey } = desk.body as { id: string; key: string });
    expect(deskKey).toMatch(/^desk_[A-Za-z0-9_-]{43}$/);
    const viewer = await call(url('/v1/admin/viewers'), { body: { name: 'Sở', agencyCode: PROVINCE } });
    expect(viewer.status).toBe(201);
    viewerKey = (viewer.body as { key: string }).key;
    expect(viewerKey).toMatch(/^viewer_/);
    const desks = await call(url('/v1/admin/desks'));
    expect(desks.body).toEqual([
      { id: deskId, name: 'Một cửa huyện A', agencyCodes: [DISTRICT], createdAt: expect.any(String), revokedAt: null },
    ]);
    expect(desks.text).not.toMatch(/keyHash|desk_/);
    expect((await call(url('/v1/admin/viewers'))).body).toMatchObject([{ agencyCode: PROVINCE, revokedAt: null }]);
  });

  it('enforces roles: viewers read reference data but cannot post events or administer', async () => {
    expect((await call(url('/v1/reference/procedures'), { key: viewerKey })).status).toBe(200);
    expect((await call(url('/v1/events'), { body: received('v-1', COMMUNE), key: viewerKey })).status).toBe(403);
    expect((await put('fields', [{ code: 'F', name: 'x' }], viewerKey)).status).toBe(403);
    expect((await put('fields', [{ code: 'F', name: 'x' }], deskKey)).status).toBe(403);
    expect((await call(url('/v1/admin/desks'), { key: deskKey })).status).toBe(403);
    expect((await call(url('/v1/reference/agencies'), { key: deskKey })).status).toBe(403);
  });

  it('lets a desk post inside its subtree only, and names unknown references', async () => {
    const inside = await call(url('/v1/events'), { body: received('in-1', COMMUNE), key: deskKey });
    expect(inside.status).toBe(202);
    const outside = await call(url('/v1/events'), {
      body: [received('out-1', COMMUNE), received('out-2', OTHER_COMMUNE)],
      key: deskKey,
    });
    expect(outside.status).toBe(403);
    expect(outside.body).toMatchObject({ errors: [{ index: 1, path: 'data.agencyCode' }] });
    const transfer = await call(url('/v1/events'), {
      body: {
        eventId: 'out-3',
        type: 'dossier.transferred',
        occurredAt: '2026-03-17T09:00:00+07:00',
        dossierCode: 'D-in-1',
        data: { toAgencyCode: PROVINCE },
      },
      key: deskKey,
    });
    expect(transfer.status).toBe(403);
    const unknown = await call(url('/v1/events'), { body: received('unk-1', COMMUNE, '1.0099'), key: deskKey });
    expect(unknown.status).toBe(400);
    expect(unknown.body).toMatchObject({
      errors: [{ index: 0, path: 'data.procedureCode', message: 'unknown procedure 1.0099' }],
    });
    const unknownAgency = await call(url('/v1/events'), { body: received('unk-2', 'NOWHERE') });
    expect(unknownAgency.body).toMatchObject({
      errors: [{ index: 0, path: 'data.agencyCode', message: 'unknown agency NOWHERE' }],
    });
    const admin = await call(url('/v1/events'), { body: received('adm-1', OTHER_COMMUNE) });
    expect(admin.status).toBe(202);

    const events = await readExactly(namespace, DOSSIER_EVENTS, 2);
    expect(events.map((m) => [m.value?.event.eventId, m.value?.deskId]).sort()).toEqual([
      ['adm-1', 'admin'],
      ['in-1', deskId],
    ]);
  });

  it('revokes keys: 204, then the key answers 401; wrong kind or unknown id is 404', async () => {
    expect((await call(url(`/v1/admin/viewers/${deskId}`), { method: 'DELETE' })).status).toBe(404);
    expect((await call(url('/v1/admin/desks/desk-nope'), { method: 'DELETE' })).status).toBe(404);
    expect((await call(url(`/v1/admin/desks/${deskId}`), { method: 'DELETE' })).status).toBe(204);
    expect((await call(url('/v1/events'), { body: received('after-1', COMMUNE), key: deskKey })).status).toBe(401);
    expect((await call(url(`/v1/admin/desks/${deskId}`), { method: 'DELETE' })).status).toBe(204);
    const desks = (await call(url('/v1/admin/desks'))).body as { revokedAt: string | null }[];
    expect(desks[0]?.revokedAt).toEqual(expect.any(String));
  });

  it('lists the new endpoints in its OpenAPI document', async () => {
    const docs = (await call(`${intake.url}/docs-json`)).body as { paths: Record<string, unknown> };
    expect(Object.keys(docs.paths)).toEqual(
      expect.arrayContaining([
        '/v1/reference/agencies',
        '/v1/reference/fields',
        '/v1/reference/procedures',
        '/v1/reference/calendars/{year}',
        '/v1/admin/desks',
        '/v1/admin/desks/{id}',
        '/v1/admin/viewers',
        '/v1/admin/viewers/{id}',
      ]),
    );
    const paths = docs.paths as Record<string, Record<string, { responses: Record<string, unknown> }>>;
    expect(Object.keys(paths['/v1/reference/agencies']?.put?.responses ?? {}).sort()).toEqual(
      ['200', '400', '401', '403', '413', '415', '503'].sort(),
    );
    expect(Object.keys(paths['/v1/admin/desks/{id}']?.delete?.responses ?? {})).toEqual(
      expect.arrayContaining(['204', '401', '403', '404', '503']),
    );
    expect(Object.keys(paths['/v1/events']?.post?.responses ?? {})).toContain('429');
  });
});

describe('intake rate limit per key (real Kafka)', () => {
  const namespace = newNamespace('intakerl');
  let intake: RunningService;

  beforeAll(async () => {
    const config = testConfig('intake', namespace, {
      INTAKE_RATE_REQUESTS_PER_SECOND: '0.5',
      INTAKE_RATE_REQUESTS_BURST: '2',
    });
    intake = await startService(config, IntakeModule.forRoot(config));
  });
  afterAll(async () => {
    await intake?.close();
  });

  it('answers 429 with Retry-After once a key is over its limit', async () => {
    const post = () => call(`${intake.url}/v1/events`, { body: received('rl-1', PROVINCE) });
    expect((await post()).status).toBe(400); // unknown references, but counted
    expect((await post()).status).toBe(400);
    const limited = await post();
    expect(limited.status).toBe(429);
    expect(limited.headers.get('content-type')).toMatch(/problem\+json/);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(Number.isInteger(Number(limited.headers.get('retry-after')))).toBe(true);
  });
});
