import { ValueType, Workbook } from 'exceljs';
import { Kafka, logLevel } from 'kafkajs';
import mongoose from 'mongoose';
import { hashKey } from '@tthc/auth';
import { localDateOf, parseLocalDate } from '@tthc/calendar';
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
import { naiveFigures } from '@tthc/counting/testing';
import { FORM_06A_HEADINGS } from './reports/form-06a-layout';
import { ReportingModule } from './reporting.module';

const VIEWER_KEY = 'viewer-of-dep-a-0123456789';
const AGENCIES: Agency[] = [
  { code: 'PROV', name: 'Tỉnh Một', parentCode: null, level: 'province' },
  { code: 'DEP-A', name: 'Sở A', parentCode: 'PROV', level: 'department' },
  { code: 'UNIT-A1', name: 'Phòng A1', parentCode: 'DEP-A', level: 'other' },
  { code: 'DEP-B', name: 'Sở B', parentCode: 'PROV', level: 'department' },
  {
    code: 'OLD',
    name: 'Huyện cũ',
    parentCode: 'PROV',
    level: 'district',
    validTo: '2025-06-30',
    successorCode: 'DEP-B',
  },
  { code: 'PROV-2', name: 'Tỉnh Hai', parentCode: null, level: 'province' },
  { code: 'DEP-C', name: 'Sở C', parentCode: 'PROV-2', level: 'department' },
];
const due = (iso: string, receivedAt: string): Pick<DossierSnapshot, 'dueAt' | 'dueHistory'> => ({
  dueAt: iso,
  dueHistory: [{ dueAt: iso, reason: 'initial', effectiveAt: receivedAt }],
});

/** Local dates: received 14–20 March 2017, due the 20th 17:00 unless said otherwise. */
const SNAPSHOTS: DossierSnapshot[] = [
  snapshotOf({
    dossierCode: 'D1',
    version: 2,
    agencyCode: 'DEP-A',
    status: 'resolved',
    finishedAt: '2017-03-16T03:00:00.000Z',
    finishKind: 'resolved',
    outcome: 'approved',
  }),
  snapshotOf({ dossierCode: 'D2', version: 1, agencyCode: 'UNIT-A1', channel: 'in_person' }),
  snapshotOf({
    dossierCode: 'D3',
    version: 3,
    agencyCode: 'DEP-B',
    channel: 'postal',
    receivedAt: '2017-02-10T02:00:00.000Z',
    ...due('2017-03-20T10:00:00.000Z', '2017-02-10T02:00:00.000Z'),
    status: 'resolved',
    finishedAt: '2017-03-25T03:00:00.000Z',
    finishKind: 'resolved',
    outcome: 'approved',
  }),
  snapshotOf({
    dossierCode: 'D4',
    version: 1,
    agencyCode: 'OLD',
    receivedAt: '2017-03-15T02:00:00.000Z',
    ...due('2017-04-28T10:00:00.000Z', '2017-03-15T02:00:00.000Z'),
  }),
  snapshotOf({
    dossierCode: 'D5',
    version: 1,
    agencyCode: 'DEP-C',
    status: 'withdrawn',
    finishedAt: '2017-03-16T03:00:00.000Z',
    finishKind: 'withdrawn',
  }),
  snapshotOf({
    dossierCode: 'D6',
    version: 1,
    agencyCode: 'DEP-A',
    fieldCode: 'F-2',
    procedureCode: 'P-2',
    receivedAt: '2017-03-20T02:00:00.000Z',
    ...due('2017-03-27T10:00:00.000Z', '2017-03-20T02:00:00.000Z'),
    status: 'waiting_supplement',
    waiting: [{ kind: 'supplement', from: '2017-03-21T02:00:00.000Z', to: null }],
  }),
];
const NEWEST_EMITTED = '2026-11-21T08:00:00.000Z';
const OUTCOMES = SNAPSHOTS.map((snapshot, index) => {
  const message = outcomeOf(snapshot);
  return {
    ...message,
    value: { ...message.value, emittedAt: index === 2 ? NEWEST_EMITTED : '2026-11-20T00:00:00.000Z' },
  };
});

/** docs/counting-rules.md §6 read dossier by dossier over a set of agencies (naiveFigures summed per agency). */
function oracle(from: string, to: string, agencies: readonly string[]) {
  const parts = agencies.map((agency) => naiveFigures(SNAPSHOTS, from, to, agency));
  const sum = (key: keyof (typeof parts)[number]) => parts.reduce((total, part) => total + part[key], 0);
  return {
    carriedOver: sum('carriedOver'),
    new: sum('new'),
    online: sum('online'),
    early: sum('early'),
    onTime: sum('onTime'),
    late: sum('late'),
    withdrawn: sum('withdrawn'),
    pending: sum('pending'),
    overdue: sum('overdue'),
  };
}

interface Figures {
  received: { total: number; carriedOver: number; new: number; newByChannel: Record<string, number> };
  resolved: { total: number; early: number; onTime: number; late: number; withdrawn: number };
  pending: { total: number; withinDeadline: number; overdue: number };
  onTimeRate: { resolved: number | null; due: number | null; all: number | null };
}
const comparable = (figures: Figures) => ({
  carriedOver: figures.received.carriedOver,
  new: figures.received.new,
  online: figures.received.newByChannel.online,
  early: figures.resolved.early,
  onTime: figures.resolved.onTime,
  late: figures.resolved.late,
  withdrawn: figures.resolved.withdrawn,
  pending: figures.pending.total,
  overdue: figures.pending.overdue,
});

describe('report API over reporting’s counter cache (real Kafka and MongoDB)', () => {
  const namespace = newNamespace('rptapi');
  let service: RunningService;
  let db: mongoose.Connection;
  const get = (path: string, key?: string | null): Promise<HttpAnswer> =>
    call(`${service.url}${path}`, key === undefined ? {} : { key });
  const MARCH = 'from=2017-03-01&to=2017-03-31';

  /** Waits until the reporting consumer group committed every offset of the outcome topic. */
  async function consumerCaughtUp(): Promise<void> {
    const kafka = new Kafka({
      clientId: 'test-lag',
      brokers: (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(','),
      logLevel: logLevel.NOTHING,
    });
    const admin = kafka.admin();
    await admin.connect();
    try {
      const topic = `${namespace.topicPrefix}${DOSSIER_OUTCOMES.name}`;
      await waitFor(
        async () => {
          const ends = await admin.fetchTopicOffsets(topic);
          const [committed] = await admin.fetchOffsets({
            groupId: `${namespace.topicPrefix}tthc.reporting`,
            topics: [topic],
          });
          const done = ends.every(
            (end) =>
              committed?.partitions.find((p) => p.partition === end.partition)?.offset === end.high || end.high === '0',
          );
          return done ? true : undefined;
        },
        { what: 'the reporting consumer to commit every outcome' },
      );
    } finally {
      await admin.disconnect();
    }
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
    await produce(
      namespace,
      ACCESS_KEYS,
      signedKeyRecords([
        {
          key: 'viewer-a',
          value: {
            id: 'viewer-a',
            role: 'viewer',
            name: 'Viewer of DEP-A',
            keyHash: hashKey(VIEWER_KEY),
            agencyCodes: ['DEP-A'],
            createdAt: '2026-11-22T00:00:00.000Z',
            revokedAt: null,
          },
        },
      ]),
    );
    await waitFor(
      async () => {
        const me = await get('/v1/me', VIEWER_KEY);
        const reference = await get('/v1/reports/reference');
        const body = reference.body as { agencies: unknown[]; procedures: unknown[] };
        return me.status === 200 && body.agencies.length === AGENCIES.length && body.procedures.length === 2
          ? true
          : undefined;
      },
      { what: 'reference data and the viewer key to be applied' },
    );
    await produce(namespace, DOSSIER_OUTCOMES, OUTCOMES);
    await waitFor(
      async () => {
        const answer = await get(`/v1/reports/summary?${MARCH}`);
        const body = answer.body as Figures & { dataAsOf: string | null };
        return answer.status === 200 && body.received.new === 5 && body.dataAsOf === NEWEST_EMITTED ? true : undefined;
      },
      { what: 'every outcome to be counted' },
    );
  });
  afterAll(async () => {
    await service?.close();
    await db?.dropDatabase().catch(() => undefined);
    await db?.close();
  });

  it('answers the summary like docs/counting-rules.md §6 read dossier by dossier, with the previous period', async () => {
    const all = await get(`/v1/reports/summary?${MARCH}`);
    expect(all.status).toBe(200);
    const body = all.body as Figures & {
      period: unknown;
      agency: unknown;
      dataAsOf: string;
      previousPeriod: Figures & { period: unknown };
    };
    expect(body.period).toEqual({ from: '2017-03-01', to: '2017-03-31' });
    expect(body.agency).toEqual({ code: '*', name: 'Tất cả cơ quan' });
    expect(comparable(body)).toEqual(
      oracle(
        '2017-03-01',
        '2017-03-31',
        AGENCIES.map((a) => a.code),
      ),
    );
    expect(body.received.carriedOver + body.received.new).toBe(body.resolved.total + body.pending.total);
    expect(body.resolved).toEqual({ total: 3, early: 1, onTime: 1, late: 1, withdrawn: 1 });
    expect(body.pending).toEqual({ total: 3, withinDeadline: 2, overdue: 1 });
    expect(body.onTimeRate.resolved).toBeCloseTo(2 / 3);
    expect(body.dataAsOf).toBe(NEWEST_EMITTED);
    expect(body.previousPeriod.period).toEqual({ from: '2017-01-29', to: '2017-02-28' });
    expect(comparable(body.previousPeriod)).toEqual(
      oracle(
        '2017-01-29',
        '2017-02-28',
        AGENCIES.map((a) => a.code),
      ),
    );

    const prov = (await get(`/v1/reports/summary?${MARCH}&agency=PROV`)).body as Figures & { agency: unknown };
    expect(prov.agency).toEqual({ code: 'PROV', name: 'Tỉnh Một' });
    expect(comparable(prov)).toEqual(oracle('2017-03-01', '2017-03-31', ['PROV', 'DEP-A', 'UNIT-A1', 'DEP-B', 'OLD']));
    const openapi = (await get('/docs-json', null)).body as { paths: Record<string, unknown> };
    expect(Object.keys(openapi.paths)).toEqual(
      expect.arrayContaining([
        '/v1/reports/summary',
        '/v1/reports/form-06a',
        '/v1/reports/timeseries',
        '/v1/reports/overdue',
        '/v1/reports/dossiers/{code}',
        '/v1/reports/indicators',
        '/v1/reports/reference',
        '/v1/me',
      ]),
    );
    const online = (await get(`/v1/reports/summary?${MARCH}&channel=online&field=F-1`)).body as Figures;
    expect(online.received.new).toBe(3); // D1, D4, D5
  });

  it('keeps a viewer in its subtree: its figures by default, 403 outside, 404 for an unknown agency', async () => {
    const own = await get(`/v1/reports/summary?${MARCH}`, VIEWER_KEY);
    expect(own.status).toBe(200);
    expect((own.body as { agency: unknown }).agency).toEqual({ code: 'DEP-A', name: 'Sở A' });
    expect(comparable(own.body as Figures)).toEqual(oracle('2017-03-01', '2017-03-31', ['DEP-A', 'UNIT-A1']));
    const unit = await get(`/v1/reports/summary?${MARCH}&agency=UNIT-A1`, VIEWER_KEY);
    expect(comparable(unit.body as Figures)).toEqual(oracle('2017-03-01', '2017-03-31', ['UNIT-A1']));
    const outside = await get(`/v1/reports/summary?${MARCH}&agency=DEP-B`, VIEWER_KEY);
    expect(outside.status).toBe(403);
    expect(outside.headers.get('content-type')).toContain('application/problem+json');
    expect((await get(`/v1/reports/form-06a?${MARCH}&agency=PROV`, VIEWER_KEY)).status).toBe(403);
    expect((await get(`/v1/reports/summary?${MARCH}&agency=NOPE`)).status).toBe(404);
    expect((await get(`/v1/reports/summary?${MARCH}`, 'wrong-key')).status).toBe(401);
    const bad = await get('/v1/reports/summary?from=2017-03-31&to=2017-03-01&channel=fax');
    expect(bad.status).toBe(400);
    expect((bad.body as { errors: { path: string }[] }).errors.map((e) => e.path).sort()).toEqual(['channel', 'to']);
    expect((await get('/v1/me', VIEWER_KEY)).body).toEqual({
      role: 'viewer',
      name: 'Viewer of DEP-A',
      agencyCode: 'DEP-A',
    });
    expect((await get('/v1/me')).body).toMatchObject({ role: 'admin' });
    const reference = (await get('/v1/reports/reference', VIEWER_KEY)).body as { agencies: { code: string }[] };
    expect(reference.agencies.map((a) => a.code)).toEqual(['DEP-A', 'UNIT-A1']);
  });

  it('builds II.06a by agency (direct children), by field, and restated to today’s agencies', async () => {
    interface Report06a {
      rows: { key: string; name: string; received: { total: number }; pending: { overdue: number } }[];
      total: { received: { total: number; online: number; inPersonOrPostal: number; carriedOver: number } };
    }
    const byAgency = (await get(`/v1/reports/form-06a?${MARCH}&agency=PROV&rows=agency`)).body as Report06a;
    expect(byAgency.rows.map((row) => [row.key, row.name, row.received.total])).toEqual([
      ['DEP-A', 'Sở A', 3],
      ['DEP-B', 'Sở B', 1],
      ['OLD', 'Huyện cũ', 1],
    ]);
    expect(byAgency.total.received).toEqual({ total: 5, online: 3, inPersonOrPostal: 1, carriedOver: 1 });
    const restated = (await get(`/v1/reports/form-06a?${MARCH}&agency=PROV&rows=agency&restate=true`))
      .body as Report06a;
    expect(restated.rows.map((row) => [row.key, row.received.total])).toEqual([
      ['DEP-A', 3],
      ['DEP-B', 2],
    ]);
    const all = (await get(`/v1/reports/form-06a?${MARCH}&rows=agency`)).body as Report06a;
    expect(all.rows.map((row) => [row.key, row.received.total])).toEqual([
      ['PROV', 5],
      ['PROV-2', 1],
    ]);
    const byField = (await get(`/v1/reports/form-06a?${MARCH}&agency=DEP-A&rows=field`, VIEWER_KEY)).body as Report06a;
    expect(byField.rows.map((row) => [row.key, row.name, row.received.total, row.pending.overdue])).toEqual([
      ['F-1', 'Chứng thực', 2, 1],
      ['F-2', 'Hộ tịch', 1, 0],
    ]);
    const byProcedure = (await get(`/v1/reports/form-06a?${MARCH}&rows=procedure`)).body as Report06a;
    expect(byProcedure.rows.map((row) => row.name)).toEqual(['Chứng thực bản sao', 'Đăng ký khai sinh']);
  });

  it('downloads II.06a as CSV and XLSX with the official headings and the same numbers', async () => {
    const csv = await get(`/v1/reports/form-06a?${MARCH}&agency=PROV&rows=agency&format=csv`);
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    expect(csv.headers.get('content-disposition')).toBe(
      'attachment; filename="bieu-II.06a_PROV_2017-03-01_2017-03-31.csv"',
    );
    const lines = csv.text
      .replace(/^\uFEFF/, '')
      .trimEnd()
      .split('\r\n');
    expect(lines[2]).toBe(FORM_06A_HEADINGS.join(','));
    expect(lines[3]).toBe('1,Sở A,3,2,1,0,1,1,0,0,2,1,1');
    expect(lines[lines.length - 1]).toBe(',Tổng cộng,5,3,1,1,2,1,0,1,3,2,1');

    const response = await fetch(`${service.url}/v1/reports/form-06a?${MARCH}&agency=PROV&rows=agency&format=xlsx`, {
      headers: { authorization: `Bearer ${service.config.adminKey}` },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-disposition')).toContain('bieu-II.06a_PROV_2017-03-01_2017-03-31.xlsx');
    const workbook = new Workbook();
    await workbook.xlsx.load(
      Buffer.from(await response.arrayBuffer()) as unknown as Parameters<Workbook['xlsx']['load']>[0],
    );
    const sheet = workbook.getWorksheet('II.06a');
    const values = (row: number) => (sheet?.getRow(row).values as unknown[]).slice(1);
    expect(String(values(2)[0])).toContain('Tỉnh Một (PROV)');
    expect(values(3)).toEqual([...FORM_06A_HEADINGS]);
    expect(values(4)).toEqual([1, 'Sở A', 3, 2, 1, 0, 1, 1, 0, 0, 2, 1, 1]);
    expect(values(7).slice(1)).toEqual(['Tổng cộng', 5, 3, 1, 1, 2, 1, 0, 1, 3, 2, 1]);
  });

  it('answers a timeseries whose points equal the summaries of their intervals', async () => {
    const answer = await get('/v1/reports/timeseries?from=2017-02-15&to=2017-03-31&interval=month');
    const body = answer.body as { interval: string; points: (Figures & { period: { from: string; to: string } })[] };
    expect(body.interval).toBe('month');
    expect(body.points.map((point) => point.period)).toEqual([
      { from: '2017-02-15', to: '2017-02-28' },
      { from: '2017-03-01', to: '2017-03-31' },
    ]);
    for (const point of body.points) {
      const summary = (await get(`/v1/reports/summary?from=${point.period.from}&to=${point.period.to}`))
        .body as Figures;
      expect(comparable(point)).toEqual(comparable(summary));
    }
    const weeks = (await get('/v1/reports/timeseries?from=2017-03-01&to=2017-03-31&interval=week')).body as {
      points: { period: { from: string } }[];
    };
    expect(weeks.points.map((point) => point.period.from)).toEqual([
      '2017-03-01',
      '2017-03-06',
      '2017-03-13',
      '2017-03-20',
      '2017-03-27',
    ]);
    expect((await get('/v1/reports/timeseries?from=2000-01-01&to=2017-03-31&interval=day')).status).toBe(400);
  });

  it('lists the pending overdue dossiers as of now, paged and within scope', async () => {
    const today = localDateOf(Date.now());
    const days = (date: string) => parseLocalDate(today) - parseLocalDate(date);
    const all = (await get('/v1/reports/overdue?sort=code&order=asc')).body as {
      items: { code: string; agency: { code: string }; procedure: { name: string }; daysOverdue: number }[];
      total: number;
      dataAsOf: string;
    };
    // D6 waits for a supplement; D1, D3, D5 are finished.
    expect(all.items.map((item) => [item.code, item.agency.code, item.daysOverdue])).toEqual([
      ['D2', 'UNIT-A1', days('2017-03-20')],
      ['D4', 'OLD', days('2017-04-28')],
    ]);
    expect(all.items[0]?.procedure.name).toBe('Chứng thực bản sao');
    expect(all.dataAsOf).toBe(NEWEST_EMITTED);
    const restated = (await get('/v1/reports/overdue?agency=DEP-B&restate=true')).body as typeof all;
    expect(restated.items.map((item) => [item.code, item.agency.code])).toEqual([['D4', 'DEP-B']]);
    const paged = (await get('/v1/reports/overdue?sort=daysOverdue&order=desc&page=2&pageSize=1')).body as typeof all;
    expect(paged.items.map((item) => item.code)).toEqual(['D4']);
    expect(paged.total).toBe(2);
    const viewer = (await get('/v1/reports/overdue', VIEWER_KEY)).body as typeof all;
    expect(viewer.items.map((item) => item.code)).toEqual(['D2']);
    // As of now, the summary of a period reaching today agrees with the list.
    const now = (await get(`/v1/reports/summary?from=2017-01-01&to=${today}`)).body as Figures;
    expect(now.pending.overdue).toBe(2);
  });

  it('serves the drill-down of a dossier in scope only', async () => {
    const d1 = await get('/v1/reports/dossiers/D1', VIEWER_KEY);
    expect(d1.status).toBe(200);
    expect(d1.body).toMatchObject({
      code: 'D1',
      agency: { code: 'DEP-A', name: 'Sở A' },
      outcome: 'early',
      dueHistory: [{ reason: 'initial' }],
      waiting: [],
    });
    // Outside the viewer's subtree and unknown are one answer (same status and body but the code).
    const outside = await get('/v1/reports/dossiers/D3', VIEWER_KEY);
    const unknown = await get('/v1/reports/dossiers/D9', VIEWER_KEY);
    expect(outside.status).toBe(404);
    expect(unknown.status).toBe(404);
    expect(outside.text.replaceAll('D3', 'X')).toBe(unknown.text.replaceAll('D9', 'X'));
    expect((await get('/v1/reports/dossiers/NOPE')).status).toBe(404);
    expect((await get('/v1/reports/dossiers/D3')).body).toMatchObject({ outcome: 'late' });
  });

  it('computes the QĐ 766 indicators for the agency and its direct children', async () => {
    const body = (await get(`/v1/reports/indicators?${MARCH}&agency=PROV`)).body as {
      rows: {
        agency: { code: string };
        indicators: {
          processingProgress: { rate: number | null; points: number | null };
          onlineShare: { share: number | null; points: number | null };
        };
      }[];
    };
    expect(body.rows.map((row) => row.agency.code)).toEqual(['PROV', 'DEP-A', 'DEP-B', 'OLD']);
    const prov = body.rows[0]?.indicators;
    const summary = (await get(`/v1/reports/summary?${MARCH}&agency=PROV`)).body as Figures;
    expect(prov?.processingProgress.rate).toBeCloseTo(summary.onTimeRate.all ?? NaN);
    expect(prov?.processingProgress.points).toBeCloseTo(20 * (summary.onTimeRate.all ?? NaN));
    expect(prov?.onlineShare.share).toBeCloseTo(3 / 4); // D1, D4, D6 of D1, D2, D4, D6
    expect(prov?.onlineShare.points).toBeCloseTo(12);
  });

  it('changes nothing when the same outcomes are delivered again', async () => {
    const before = await Promise.all([
      get(`/v1/reports/summary?${MARCH}`),
      get(`/v1/reports/form-06a?${MARCH}&rows=agency&agency=PROV`),
    ]);
    await produce(namespace, DOSSIER_OUTCOMES, [...OUTCOMES, ...OUTCOMES.slice(0, 3)]);
    await consumerCaughtUp();
    const after = await Promise.all([
      get(`/v1/reports/summary?${MARCH}`),
      get(`/v1/reports/form-06a?${MARCH}&rows=agency&agency=PROV`),
    ]);
    expect(after.map((answer) => answer.body)).toEqual(before.map((answer) => answer.body));
    const meta = await db.collection<{ _id: string; value: string }>('rpt_meta').findOne({ _id: 'dataAsOf' });
    expect(meta?.value).toBe(NEWEST_EMITTED);
  });

  it('keeps two replicas consistent: each sees the journals the other one completed', async () => {
    const config = testConfig('reporting', namespace);
    const replica = await startService(config, ReportingModule.forRoot(config));
    try {
      const summaryOf = async (url: string) =>
        (await call(`${url}/v1/reports/summary?${MARCH}&agency=PROV`)).body as Figures & { dataAsOf: string };
      // The second replica loads the stored counters (and dataAsOf) on first use.
      const first = await summaryOf(replica.url);
      expect(comparable(first)).toEqual(comparable(await summaryOf(service.url)));
      expect(first.dataAsOf).toBe(NEWEST_EMITTED);
      // A transfer of D1 to DEP-B and a new dossier: whichever replica applies them, both converge.
      const moved = outcomeOf({ ...SNAPSHOTS[0], version: 3, agencyCode: 'DEP-B' } as DossierSnapshot);
      const fresh = outcomeOf(
        snapshotOf({ dossierCode: 'D7', version: 1, agencyCode: 'DEP-B', receivedAt: '2017-03-28T02:00:00.000Z' }),
      );
      const later = '2026-11-21T09:00:00.000Z';
      await produce(namespace, DOSSIER_OUTCOMES, [
        { ...moved, value: { ...moved.value, emittedAt: later } },
        { ...fresh, value: { ...fresh.value, emittedAt: later } },
      ]);
      for (const url of [service.url, replica.url]) {
        const byAgency = await waitFor(
          async () => {
            const answer = await call(`${url}/v1/reports/form-06a?${MARCH}&agency=PROV&rows=agency`);
            const body = answer.body as { rows: { key: string; received: { total: number } }[]; dataAsOf: string };
            const depB = body.rows.find((row) => row.key === 'DEP-B')?.received.total;
            return depB === 3 && body.dataAsOf === later ? body : undefined;
          },
          { what: `replica ${url} to reflect the transfer and the new dossier` },
        );
        expect(byAgency.rows.map((row) => [row.key, row.received.total])).toEqual([
          ['DEP-A', 2],
          ['DEP-B', 3],
          ['OLD', 1],
        ]);
      }
    } finally {
      await replica.close();
    }
  });

  it('neutralises hostile agency and field names in the CSV export; XLSX holds them as text', async () => {
    type Named = { rows: { name: string }[] };
    await produce(namespace, REFERENCE_AGENCIES, [
      { key: 'DEP-B', value: { code: 'DEP-B', name: '=1+2', parentCode: 'PROV', level: 'department' } },
    ]);
    await produce(namespace, REFERENCE_FIELDS, [
      { key: 'F-2', value: { code: 'F-2', name: "@SUM(1+1)*cmd|' /C calc'!A0" } },
    ]);
    await waitFor(
      async () => {
        const byAgency = (await get(`/v1/reports/form-06a?${MARCH}&agency=PROV&rows=agency`)).body as Named;
        const byField = (await get(`/v1/reports/form-06a?${MARCH}&rows=field`)).body as Named;
        const renamed =
          byAgency.rows.some((row) => row.name === '=1+2') && byField.rows.some((row) => row.name.startsWith('@SUM'));
        return renamed ? true : undefined;
      },
      { what: 'the hostile names to reach reporting' },
    );
    const linesOf = (text: string) =>
      text
        .replace(/^\uFEFF/, '')
        .trimEnd()
        .split('\r\n');
    const byAgency = await get(`/v1/reports/form-06a?${MARCH}&agency=PROV&rows=agency&format=csv`);
    expect(byAgency.status).toBe(200);
    const agencyLine = linesOf(byAgency.text).find((line) => line.includes('=1+2'));
    expect(agencyLine).toMatch(/^\d+,'=1\+2,\d+,/);
    const byField = await get(`/v1/reports/form-06a?${MARCH}&rows=field&format=csv`);
    const fieldLine = linesOf(byField.text).find((line) => line.includes('@SUM'));
    expect(fieldLine).toMatch(/^\d+,'@SUM\(1\+1\)\*cmd\|' \/C calc'!A0,\d+,/);
    // No cell of either file starts a formula.
    for (const line of [...linesOf(byAgency.text), ...linesOf(byField.text)]) {
      expect(line).not.toMatch(/(^|,)"?[=+@\t\r]/);
    }

    const response = await fetch(`${service.url}/v1/reports/form-06a?${MARCH}&agency=PROV&rows=agency&format=xlsx`, {
      headers: { authorization: `Bearer ${service.config.adminKey}` },
    });
    const workbook = new Workbook();
    await workbook.xlsx.load(
      Buffer.from(await response.arrayBuffer()) as unknown as Parameters<Workbook['xlsx']['load']>[0],
    );
    const sheet = workbook.getWorksheet('II.06a');
    const cells: { value: unknown; type: ValueType }[] = [];
    sheet?.eachRow((row) => row.eachCell((cell) => cells.push({ value: cell.value, type: cell.type })));
    expect(cells.find((cell) => cell.value === '=1+2')?.type).toBe(ValueType.String);
    expect(cells.filter((cell) => cell.type === ValueType.Formula)).toEqual([]);
  });
});
