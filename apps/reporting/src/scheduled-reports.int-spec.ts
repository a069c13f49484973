import { Queue } from 'bullmq';
import { Workbook } from 'exceljs';
import IORedis from 'ioredis';
import mongoose from 'mongoose';
import { hashKey } from '@tthc/auth';
import {
  ACCESS_KEYS,
  DOSSIER_OUTCOMES,
  REFERENCE_AGENCIES,
  REFERENCE_FIELDS,
  REFERENCE_PROCEDURES,
  type Agency,
  type DossierSnapshot,
} from '@tthc/contracts';
import {
  call,
  mongoUrlFor,
  newNamespace,
  outcomeOf,
  produce,
  signedKeyRecords,
  snapshotOf,
  startService,
  testConfig,
  waitFor,
  type HttpAnswer,
  type RunningService,
} from '@tthc/testing';
import { ReportingModule } from './reporting.module';
import { SCHEDULED_REPORTS, SCHEDULED_REPORTS_SCHEDULER_ID } from './scheduled';

const VIEWER_DEP_KEY = 'viewer-of-dep-a-0123456789';
const VIEWER_PROV_KEY = 'viewer-of-prov-0123456789';
const AGENCIES: Agency[] = [
  { code: 'PROV', name: 'Tỉnh Một', parentCode: null, level: 'province' },
  { code: 'DEP-A', name: 'Sở A', parentCode: 'PROV', level: 'department' },
  { code: 'UNIT-A1', name: 'Phòng A1', parentCode: 'DEP-A', level: 'other' },
  { code: 'DEP-B', name: 'Sở B', parentCode: 'PROV', level: 'department' },
  { code: 'PROV-2', name: 'Tỉnh Hai', parentCode: null, level: 'province' },
  { code: 'DEP-C', name: 'Sở C', parentCode: 'PROV-2', level: 'department' },
  { code: 'GONE', name: 'Tỉnh đã giải thể', parentCode: null, level: 'province', validTo: '2025-06-30' },
];
const SNAPSHOTS: DossierSnapshot[] = [
  snapshotOf({
    dossierCode: 'S1',
    version: 2,
    agencyCode: 'DEP-A',
    status: 'resolved',
    finishedAt: '2017-03-16T03:00:00.000Z',
    finishKind: 'resolved',
    outcome: 'approved',
  }),
  snapshotOf({ dossierCode: 'S2', version: 1, agencyCode: 'UNIT-A1', channel: 'in_person' }),
  snapshotOf({
    dossierCode: 'S3',
    version: 1,
    agencyCode: 'DEP-B',
    fieldCode: 'F-2',
    procedureCode: 'P-2',
    receivedAt: '2017-02-10T02:00:00.000Z',
    dueAt: '2017-03-20T10:00:00.000Z',
    dueHistory: [{ dueAt: '2017-03-20T10:00:00.000Z', reason: 'initial', effectiveAt: '2017-02-10T02:00:00.000Z' }],
    status: 'resolved',
    finishedAt: '2017-03-25T03:00:00.000Z',
    finishKind: 'resolved',
    outcome: 'approved',
  }),
  snapshotOf({
    dossierCode: 'S4',
    version: 1,
    agencyCode: 'DEP-C',
    status: 'withdrawn',
    finishedAt: '2017-03-16T03:00:00.000Z',
    finishKind: 'withdrawn',
  }),
];

interface Item {
  id: string;
  agency: { code: string; name: string };
  period: { from: string; to: string };
  kind: 'month' | 'quarter';
  rows: 'field' | 'agency';
  format: 'xlsx' | 'csv';
  bytes: number;
  createdAt: string;
  dataAsOf: string | null;
}
interface Run {
  id: string;
  state: string;
  produced: number;
  total: number | null;
  month: string;
}

/** Every cell value of the first sheet, row by row (what a reader of the file sees). */
async function cellsOf(content: Buffer): Promise<unknown[][]> {
  const workbook = new Workbook();
  await workbook.xlsx.load(content as unknown as Parameters<Workbook['xlsx']['load']>[0]);
  const sheet = workbook.worksheets[0]!;
  const rows: unknown[][] = [[sheet.name]];
  sheet.eachRow({ includeEmpty: true }, (row) => rows.push((row.values as unknown[]).slice(1)));
  return rows;
}

describe('scheduled II.06a reports (real Kafka, MongoDB stand-in GridFS, Redis)', () => {
  const namespace = newNamespace('rptsched');
  let service: RunningService;
  let db: mongoose.Connection;
  const get = (path: string, key?: string | null): Promise<HttpAnswer> =>
    call(`${service.url}${path}`, key === undefined ? {} : { key });
  const download = async (path: string, key?: string) => {
    const response = await fetch(`${service.url}${path}`, {
      headers: { authorization: `Bearer ${key ?? 'test-admin-key-0123456789'}` },
    });
    return { response, content: Buffer.from(await response.arrayBuffer()) };
  };

  async function runMonth(month: string): Promise<Run> {
    const started = await call(`${service.url}/v1/admin/scheduled-reports/run`, { body: { month } });
    expect(started.status).toBe(202);
    const { jobId } = started.body as { jobId: string; month: string };
    expect(started.headers.get('location')).toBe(`/v1/admin/scheduled-reports/runs/${jobId}`);
    let last: unknown;
    return waitFor(
      async () => {
        const answer = await get(`/v1/admin/scheduled-reports/runs/${jobId}`);
        last = answer.body;
        const run = answer.body as Run;
        if (run.state === 'failed') throw new Error(`run failed: ${JSON.stringify(run)}`);
        return answer.status === 200 && run.state === 'completed' ? run : undefined;
      },
      { what: `scheduled-report run ${jobId} to complete`, timeoutMs: 90_000 },
    ).catch((error: unknown) => {
      throw new Error(`${(error as Error).message}; last seen ${JSON.stringify(last)}`);
    });
  }

  beforeAll(async () => {
    const config = testConfig('reporting', namespace);
    service = await startService(config, ReportingModule.forRoot(config));
    db = await mongoose.createConnection(mongoUrlFor(namespace)).asPromise();
    await produce(
      namespace,
      REFERENCE_AGENCIES,
      AGENCIES.map((agency) => ({ key: agency.code, value: agency })),
    );
    await produce(namespace, REFERENCE_FIELDS, [
      { key: 'F-1', value: { code: 'F-1', name: 'Chứng thực' } },
      { key: 'F-2', value: { code: 'F-2', name: 'Hộ tịch' } },
    ]);
    await produce(namespace, REFERENCE_PROCEDURES, [
      { key: 'P-1', value: { code: 'P-1', name: 'Chứng thực bản sao', fieldCode: 'F-1', processingTime: null } },
      { key: 'P-2', value: { code: 'P-2', name: 'Đăng ký khai sinh', fieldCode: 'F-2', processingTime: null } },
    ]);
    const viewer = (id: string, key: string, agency: string) => ({
      key: id,
      value: {
        id,
        role: 'viewer' as const,
        name: `Viewer of ${agency}`,
        keyHash: hashKey(key),
        agencyCodes: [agency],
        createdAt: '2026-11-22T00:00:00.000Z',
        revokedAt: null,
      },
    });
    await produce(
      namespace,
      ACCESS_KEYS,
      signedKeyRecords([viewer('viewer-dep', VIEWER_DEP_KEY, 'DEP-A'), viewer('viewer-prov', VIEWER_PROV_KEY, 'PROV')]),
    );
    await waitFor(
      async () => {
        const [dep, prov, reference] = await Promise.all([
          get('/v1/me', VIEWER_DEP_KEY),
          get('/v1/me', VIEWER_PROV_KEY),
          get('/v1/reports/reference'),
        ]);
        const body = reference.body as { agencies: unknown[]; procedures: unknown[] };
        return dep.status === 200 &&
          prov.status === 200 &&
          body.agencies.length === AGENCIES.length &&
          body.procedures.length === 2
          ? true
          : undefined;
      },
      { what: 'reference data and viewer keys to be applied' },
    );
    await produce(namespace, DOSSIER_OUTCOMES, SNAPSHOTS.map(outcomeOf));
    await waitFor(
      async () => {
        const answer = await get('/v1/reports/summary?from=2017-03-01&to=2017-03-31');
        const body = answer.body as { received: { total: number } };
        return answer.status === 200 && body.received.total === 4 ? true : undefined;
      },
      { what: 'every outcome to be counted' },
    );
  });
  afterAll(async () => {
    await service?.close();
    await db?.dropDatabase().catch(() => undefined);
    await db?.close();
  });

  it('registers the monthly Job Scheduler in Redis', async () => {
    const connection = new IORedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
    const queue = new Queue(SCHEDULED_REPORTS.name, { connection, prefix: namespace.queuePrefix });
    try {
      const scheduler = await queue.getJobScheduler(SCHEDULED_REPORTS_SCHEDULER_ID);
      expect(scheduler).toMatchObject({
        key: SCHEDULED_REPORTS_SCHEDULER_ID,
        pattern: '0 1 1 * *',
        tz: 'Asia/Ho_Chi_Minh',
      });
      expect(scheduler?.next).toBeGreaterThan(Date.now());
      // Next run: 01:00 local (18:00 UTC the day before) on the 1st of a month.
      const next = new Date((scheduler?.next ?? 0) + 7 * 3600_000);
      expect([next.getUTCDate(), next.getUTCHours(), next.getUTCMinutes()]).toEqual([1, 1, 0]);
    } finally {
      await queue.close();
      connection.disconnect();
    }
  });

  it('produces the month and the quarter of each province, listed newest period first', async () => {
    const run = await runMonth('2017-03');
    // PROV and PROV-2 (GONE is no longer valid): month + Q1, rows field + agency, xlsx + csv.
    expect(run).toMatchObject({ month: '2017-03', produced: 16, total: 16 });
    const list = await get('/v1/reports/scheduled');
    expect(list.status).toBe(200);
    const items = (list.body as { items: Item[] }).items;
    expect(items).toHaveLength(16);
    expect(items.map((item) => item.id).slice(0, 8)).toEqual([
      'PROV:2017-03:agency:csv',
      'PROV:2017-03:agency:xlsx',
      'PROV:2017-03:field:csv',
      'PROV:2017-03:field:xlsx',
      'PROV-2:2017-03:agency:csv',
      'PROV-2:2017-03:agency:xlsx',
      'PROV-2:2017-03:field:csv',
      'PROV-2:2017-03:field:xlsx',
    ]);
    expect(items[8]).toMatchObject({
      id: 'PROV:2017-Q1:agency:csv',
      agency: { code: 'PROV', name: 'Tỉnh Một' },
      period: { from: '2017-01-01', to: '2017-03-31' },
      kind: 'quarter',
      rows: 'agency',
      format: 'csv',
    });
    for (const item of items) {
      expect(item.bytes).toBeGreaterThan(0);
      expect(item.dataAsOf).toEqual(expect.any(String));
      expect(Date.parse(item.createdAt)).not.toBeNaN();
    }
  });

  it('serves files equal to the on-demand export of the same query', async () => {
    for (const [id, query] of [
      ['PROV:2017-03:agency:csv', 'from=2017-03-01&to=2017-03-31&agency=PROV&rows=agency&format=csv'],
      ['PROV-2:2017-Q1:field:csv', 'from=2017-01-01&to=2017-03-31&agency=PROV-2&rows=field&format=csv'],
    ] as const) {
      const stored = await download(`/v1/reports/scheduled/${encodeURIComponent(id)}`);
      const live = await download(`/v1/reports/form-06a?${query}`);
      expect(stored.response.status).toBe(200);
      expect(stored.response.headers.get('content-type')).toBe(live.response.headers.get('content-type'));
      expect(stored.response.headers.get('content-disposition')).toBe(live.response.headers.get('content-disposition'));
      expect(stored.content.toString('utf8')).toBe(live.content.toString('utf8'));
    }
    for (const [id, query] of [
      ['PROV:2017-Q1:field:xlsx', 'from=2017-01-01&to=2017-03-31&agency=PROV&rows=field&format=xlsx'],
      ['PROV:2017-03:agency:xlsx', 'from=2017-03-01&to=2017-03-31&agency=PROV&rows=agency&format=xlsx'],
    ] as const) {
      const stored = await download(`/v1/reports/scheduled/${id}`);
      const live = await download(`/v1/reports/form-06a?${query}`);
      expect(stored.response.status).toBe(200);
      expect(stored.response.headers.get('content-type')).toBe(
        'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      );
      expect(stored.response.headers.get('content-disposition')).toBe(live.response.headers.get('content-disposition'));
      const cells = await cellsOf(stored.content);
      expect(cells).toEqual(await cellsOf(live.content));
      expect(cells.length).toBeGreaterThan(5);
    }
    const byAgency = await cellsOf((await download('/v1/reports/scheduled/PROV:2017-03:agency:xlsx')).content);
    expect(byAgency.map((row) => row[1])).toEqual(expect.arrayContaining(['Sở A', 'Sở B', 'Tổng cộng']));
  });

  it('replaces the files of a second run instead of duplicating them', async () => {
    const before = ((await get('/v1/reports/scheduled')).body as { items: Item[] }).items;
    const run = await runMonth('2017-03');
    expect(run).toMatchObject({ produced: 16, total: 16 });
    const after = ((await get('/v1/reports/scheduled')).body as { items: Item[] }).items;
    expect(after.map((item) => item.id)).toEqual(before.map((item) => item.id));
    expect(after[0]!.createdAt > before[0]!.createdAt).toBe(true);
    expect(await db.collection('rpt_scheduled_reports').countDocuments()).toBe(16);
    expect(await db.collection('rpt_reports.files').countDocuments()).toBe(16);
    const csv = await download('/v1/reports/scheduled/PROV:2017-03:field:csv');
    expect(csv.content.toString('utf8')).toContain('Tổng cộng');
    // A month without a quarter end adds only its month (8 files).
    expect(await runMonth('2017-02')).toMatchObject({ month: '2017-02', produced: 8, total: 8 });
    expect(((await get('/v1/reports/scheduled')).body as { items: Item[] }).items).toHaveLength(24);
  });

  it('shows a viewer only the reports of provinces within its subtree', async () => {
    const dep = await get('/v1/reports/scheduled', VIEWER_DEP_KEY);
    expect(dep.status).toBe(200);
    expect(dep.body).toEqual({ items: [] });
    // A report outside the key's subtree is answered like one that does not exist.
    const outside = await get('/v1/reports/scheduled/PROV:2017-03:field:csv', VIEWER_DEP_KEY);
    expect(outside.status).toBe(404);
    expect(outside.text).not.toContain('outside');

    const prov = (await get('/v1/reports/scheduled', VIEWER_PROV_KEY)).body as { items: Item[] };
    expect(prov.items).toHaveLength(12);
    expect(new Set(prov.items.map((item) => item.agency.code))).toEqual(new Set(['PROV']));
    expect((await download('/v1/reports/scheduled/PROV:2017-03:field:csv', VIEWER_PROV_KEY)).response.status).toBe(200);
    expect((await get('/v1/reports/scheduled/PROV-2:2017-03:field:csv', VIEWER_PROV_KEY)).status).toBe(404);
    expect((await get('/v1/reports/scheduled/PROV:2017-03:field:pdf')).status).toBe(404);
    expect((await get('/v1/reports/scheduled', null)).status).toBe(401);
  });

  it('lets only an admin start runs, for ended months', async () => {
    const post = (body: unknown, key?: string) =>
      call(`${service.url}/v1/admin/scheduled-reports/run`, key === undefined ? { body } : { body, key });
    expect((await post({ month: '2017-03' }, VIEWER_PROV_KEY)).status).toBe(403);
    const bad = await post({ month: '2017-13' });
    expect(bad.status).toBe(400);
    expect((bad.body as { errors: { path: string }[] }).errors[0]?.path).toBe('month');
    expect((await post({ month: '2999-01' })).status).toBe(400);
    expect((await post({ month: '2017-03', extra: 1 })).status).toBe(400);
    expect((await get('/v1/admin/scheduled-reports/runs/does-not-exist')).status).toBe(404);
  });
});
