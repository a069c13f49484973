import type { INestApplication } from '@nestjs/common';
import mongoose from 'mongoose';
import type { Role } from '@tthc/contracts';
import { DossierTrackingModule } from '../apps/dossier-tracking/src/dossier-tracking.module';
import { IntakeModule } from '../apps/intake/src/intake.module';
import { OnTimeRateModule } from '../apps/on-time-rate/src/on-time-rate.module';
import { ReportingModule } from '../apps/reporting/src/reporting.module';
import {
  call,
  mongoUrlFor,
  newNamespace,
  startService,
  TEST_ADMIN_KEY,
  testConfig,
  waitFor,
  type HttpAnswer,
  type RunningService,
} from '@tthc/testing';

/**
 * The authorization matrix (docs/security.md, "API fuzzing and the authorization matrix"): every
 * route each service registers, called by every kind of caller, against the declared table below.
 * A registered route without a row fails the test, so no route is added without deciding who may
 * call it; a row whose route is not registered fails too.
 *
 * Expected answers: 401 without a key, with a wrong or a revoked key; 403 for a role the route
 * does not allow; outside the caller's scope, 404 for a single-resource read (its existence is not
 * disclosed), 403 for a write and for a report asked about an agency outside the key's subtree;
 * lists filter by scope and answer as inside. Public routes (health, metrics, docs, dashboard)
 * answer everyone alike.
 */

const SERVICES = ['intake', 'dossier-tracking', 'on-time-rate', 'reporting'] as const;
type Service = (typeof SERVICES)[number];
type Caller = 'no key' | 'wrong key' | 'revoked key' | 'viewer in' | 'viewer out' | 'desk in' | 'desk out' | 'admin';
const CALLERS: Caller[] = [
  'no key',
  'wrong key',
  'revoked key',
  'viewer in',
  'viewer out',
  'desk in',
  'desk out',
  'admin',
];

/** Two provinces; the viewer key reads PROVINCE_IN's subtree, the desk key writes for DEPARTMENT_IN. */
const PROVINCE_IN = '000.00.00.H56';
const DEPARTMENT_IN = '000.00.12.H56';
const PROVINCE_OUT = '000.00.00.H01';
const DEPARTMENT_OUT = '000.00.12.H01';
const DOSSIER_IN = `${DEPARTMENT_IN}-170314-0001`;
const DOSSIER_OUT = `${DEPARTMENT_OUT}-170314-0001`;
const PERIOD = 'from=2017-01-01&to=2017-12-31';

/**
 * How a route treats a caller outside its scope:
 * - `resource`: a single resource of another subtree — 404, as if it did not exist;
 * - `write`: a write naming an agency outside the key's subtrees — 403;
 * - `report`: a report asked about an agency outside the key's subtree — 403;
 * - `list`: a list filtered to the caller's scope — answers as inside;
 * - `none`: nothing scoped (inside and outside are the same request).
 */
type Scope = 'resource' | 'write' | 'report' | 'list' | 'none';

interface Request {
  path: string;
  body?: unknown;
  raw?: string;
  contentType?: string;
}

interface Row {
  service: Service;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** The route as Express registers it (`/v1/dossiers/:code`). */
  route: string;
  /** `public`, or the roles allowed. */
  access: 'public' | readonly Role[];
  scope: Scope;
  /** The status of an allowed caller inside its scope. */
  ok: number;
  /** The concrete request; `inside` false: the variant outside the caller's scope. */
  request: (context: Context, inside: boolean) => Request;
}

interface Context {
  revokedKeyId: string;
  importId: string;
  runId: string;
}

const fixed =
  (path: string, extra: Omit<Request, 'path'> = {}) =>
  (): Request => ({ path, ...extra });
const byScope = (inside: string, outside: string) => (_: Context, isInside: boolean) => ({
  path: isInside ? inside : outside,
});
const event = (eventId: string, agencyCode: string) => ({
  eventId,
  type: 'dossier.received',
  occurredAt: '2017-03-20T09:00:00+07:00',
  dossierCode: `${agencyCode}-170320-${eventId}`,
  data: { procedureCode: '1.001612', agencyCode, channel: 'online' },
});
let eventSequence = 0;
const portalSnapshot = (serial: string, agencyCode: string) => ({
  MaHoSo: `${agencyCode}-170320-${serial}`,
  MaTTHC: '1.001612',
  KenhThucHien: '2',
  NgayTiepNhan: '20170320090000',
  TrangThaiHoSo: '2',
  DonViXuLy: agencyCode,
});
const portalStep = (serial: string, agencyCode: string) => ({
  MaHoSo: `${agencyCode}-170320-${serial}`,
  ThoiDiemXuLy: '20170320090000',
  TrangThai: '2',
  DonViXuLy: agencyCode,
});

const REFERENCE = {
  agencies: [
    { code: PROVINCE_IN, name: 'UBND tỉnh Tiền Giang', parentCode: null, level: 'province' },
    { code: DEPARTMENT_IN, name: 'Sở Tư pháp', parentCode: PROVINCE_IN, level: 'department' },
    { code: PROVINCE_OUT, name: 'UBND thành phố Hà Nội', parentCode: null, level: 'province' },
    { code: DEPARTMENT_OUT, name: 'Sở Tư pháp Hà Nội', parentCode: PROVINCE_OUT, level: 'department' },
  ],
  fields: [{ code: 'G03-GD10', name: 'Chứng thực' }],
  procedures: [
    {
      code: '1.001612',
      name: 'Chứng thực bản sao',
      fieldCode: 'G03-GD10',
      processingTime: { value: 2, unit: 'working_days' },
    },
  ],
};

/** The OpenAPI document and the Swagger UI files @nestjs/swagger registers under /docs. */
const DOCS_ROUTES = [
  '/docs',
  '/docs/',
  '/docs/index.html',
  '/docs/swagger-ui-init.js',
  '/docs/docs/swagger-ui-init.js',
  '/docs-json',
  '/docs-yaml',
];

const publicRow = (service: Service, route: string, path = route, ok = 200): Row => ({
  service,
  method: 'GET',
  route,
  access: 'public',
  scope: 'none',
  ok,
  request: fixed(path),
});

/** Public on every service: liveness, readiness, metrics, the OpenAPI document and its UI. */
const HEALTH_AND_DOCS = (service: Service): Row[] => [
  ...['/health/live', '/health/ready', '/metrics', ...DOCS_ROUTES].map((route) => publicRow(service, route)),
  // registered by @nestjs/swagger, but swagger-ui-dist does not ship the file: 404 for everyone
  publicRow(service, '/docs/LICENSE', '/docs/LICENSE', 404),
];

const ADMIN: readonly Role[] = ['admin'];
const READERS: readonly Role[] = ['admin', 'viewer'];
const WRITERS: readonly Role[] = ['admin', 'desk'];

const adminRow = (service: Service, method: Row['method'], route: string, path: string, ok: number): Row => ({
  service,
  method,
  route,
  access: ADMIN,
  scope: 'none',
  ok,
  request: fixed(path),
});

/** Admin only on every service: the audit log (libs/audit) and the dead letters (libs/dead-letters). */
const AUDIT_AND_DEAD_LETTERS = (service: Service): Row[] => [
  adminRow(service, 'GET', '/v1/admin/audit', '/v1/admin/audit', 200),
  adminRow(service, 'GET', '/v1/admin/dead-letters', '/v1/admin/dead-letters', 200),
  // An id no letter has: 404 for the admin, the refusals for everyone else.
  adminRow(service, 'GET', '/v1/admin/dead-letters/:id', '/v1/admin/dead-letters/none%7C0%7C0%7Cnone', 404),
  adminRow(
    service,
    'POST',
    '/v1/admin/dead-letters/:id/redrive',
    '/v1/admin/dead-letters/none%7C0%7C0%7Cnone/redrive',
    404,
  ),
  adminRow(
    service,
    'POST',
    '/v1/admin/dead-letters/:id/discard',
    '/v1/admin/dead-letters/none%7C0%7C0%7Cnone/discard',
    404,
  ),
  // A topic with no open letters: nothing to redrive.
  adminRow(service, 'POST', '/v1/admin/dead-letters/redrive', '/v1/admin/dead-letters/redrive?topic=none.v1', 200),
];

/** The declared expectations: one row per registered route. */
const TABLE: Row[] = [
  ...SERVICES.flatMap(HEALTH_AND_DOCS),
  ...SERVICES.flatMap(AUDIT_AND_DEAD_LETTERS),
  adminRow('intake', 'POST', '/v1/admin/keys/re-sign', '/v1/admin/keys/re-sign', 200),
  // intake
  {
    service: 'intake',
    method: 'POST',
    route: '/v1/events',
    access: WRITERS,
    scope: 'write',
    ok: 202,
    request: (_, inside) => ({
      path: '/v1/events',
      body: event(`m${++eventSequence}`, inside ? DEPARTMENT_IN : DEPARTMENT_OUT),
    }),
  },
  // The portal (DVCQG) sync adapter: the keys and scope of /v1/events (docs/desk-sync.md).
  ...(
    [
      ['/v1/sync/dvcqg/dossiers', undefined],
      ['/v1/sync/dvcqg/progress', undefined],
      ['/v1/sync/dvcqg', 'DongBoHoSoMC'],
    ] as const
  ).map(([route, service]): Row => ({
    service: 'intake',
    method: 'POST',
    route,
    access: WRITERS,
    scope: 'write',
    ok: 200,
    request: (_, inside) => {
      const agencyCode = inside ? DEPARTMENT_IN : DEPARTMENT_OUT;
      const record = route.endsWith('/progress')
        ? portalStep(`p${++eventSequence}`, agencyCode)
        : portalSnapshot(`s${++eventSequence}`, agencyCode);
      return { path: route, body: service === undefined ? [record] : { service, data: [record] } };
    },
  })),
  adminRow('intake', 'GET', '/v1/sync/dvcqg/findings', '/v1/sync/dvcqg/findings', 200),
  ...(['agencies', 'fields', 'procedures'] as const).flatMap((kind): Row[] => [
    {
      service: 'intake',
      method: 'GET',
      route: `/v1/reference/${kind}`,
      access: READERS,
      scope: 'none',
      ok: 200,
      request: fixed(`/v1/reference/${kind}`),
    },
    {
      service: 'intake',
      method: 'PUT',
      route: `/v1/reference/${kind}`,
      access: ADMIN,
      scope: 'none',
      ok: 200,
      request: fixed(`/v1/reference/${kind}`, { body: REFERENCE[kind] }),
    },
  ]),
  {
    service: 'intake',
    method: 'GET',
    route: '/v1/reference/calendars/:year',
    access: READERS,
    scope: 'none',
    ok: 200,
    request: fixed('/v1/reference/calendars/2017'),
  },
  {
    service: 'intake',
    method: 'PUT',
    route: '/v1/reference/calendars/:year',
    access: ADMIN,
    scope: 'none',
    ok: 200,
    request: fixed('/v1/reference/calendars/2040', { body: { holidays: ['2040-01-01'], workingSaturdays: [] } }),
  },
  ...(['desks', 'viewers'] as const).flatMap((kind): Row[] => [
    {
      service: 'intake',
      method: 'GET',
      route: `/v1/admin/${kind}`,
      access: ADMIN,
      scope: 'none',
      ok: 200,
      request: fixed(`/v1/admin/${kind}`),
    },
    {
      service: 'intake',
      method: 'POST',
      route: `/v1/admin/${kind}`,
      access: ADMIN,
      scope: 'none',
      ok: 201,
      request: fixed(`/v1/admin/${kind}`, {
        body:
          kind === 'desks'
            ? { name: 'matrix desk', agencyCodes: [DEPARTMENT_IN] }
            : { name: 'matrix viewer', agencyCode: PROVINCE_IN },
      }),
    },
  ]),
  {
    service: 'intake',
    method: 'DELETE',
    route: '/v1/admin/desks/:id',
    access: ADMIN,
    scope: 'none',
    ok: 204, // revoking the already revoked key again: 204, nothing else changes
    request: (context) => ({ path: `/v1/admin/desks/${context.revokedKeyId}` }),
  },
  {
    service: 'intake',
    method: 'DELETE',
    route: '/v1/admin/viewers/:id',
    access: ADMIN,
    scope: 'none',
    ok: 404,
    request: fixed('/v1/admin/viewers/viewer-unknown'),
  },
  {
    service: 'intake',
    method: 'POST',
    route: '/v1/admin/imports',
    access: ADMIN,
    scope: 'none',
    ok: 200, // the same file as the setup's upload: the existing import
    request: fixed('/v1/admin/imports', { raw: IMPORT_FILE(), contentType: 'application/x-ndjson' }),
  },
  {
    service: 'intake',
    method: 'GET',
    route: '/v1/admin/imports',
    access: ADMIN,
    scope: 'none',
    ok: 200,
    request: fixed('/v1/admin/imports'),
  },
  {
    service: 'intake',
    method: 'GET',
    route: '/v1/admin/imports/:id',
    access: ADMIN,
    scope: 'none',
    ok: 200,
    request: (context) => ({ path: `/v1/admin/imports/${context.importId}` }),
  },
  // dossier-tracking
  {
    service: 'dossier-tracking',
    method: 'GET',
    route: '/v1/dossiers/:code',
    access: READERS,
    scope: 'resource',
    ok: 200,
    request: byScope(`/v1/dossiers/${DOSSIER_IN}`, `/v1/dossiers/${DOSSIER_OUT}`),
  },
  {
    service: 'dossier-tracking',
    method: 'GET',
    route: '/v1/admin/data-quality',
    access: ADMIN,
    scope: 'none',
    ok: 200,
    request: fixed('/v1/admin/data-quality'),
  },
  // on-time-rate
  {
    service: 'on-time-rate',
    method: 'POST',
    route: '/v1/admin/rebuilds',
    access: ADMIN,
    scope: 'none',
    ok: 202,
    request: fixed('/v1/admin/rebuilds'),
  },
  {
    service: 'on-time-rate',
    method: 'GET',
    route: '/v1/admin/rebuilds/:id',
    access: ADMIN,
    scope: 'none',
    ok: 404, // an unknown rebuild: past the guard, the service's own answer
    request: fixed('/v1/admin/rebuilds/rebuild-unknown'),
  },
  // reporting
  ...(['summary', 'form-06a', 'timeseries', 'indicators'] as const).map((report): Row => ({
    service: 'reporting',
    method: 'GET',
    route: `/v1/reports/${report}`,
    access: READERS,
    scope: 'report',
    ok: 200,
    request: byScope(
      `/v1/reports/${report}?${PERIOD}&agency=${PROVINCE_IN}`,
      `/v1/reports/${report}?${PERIOD}&agency=${PROVINCE_OUT}`,
    ),
  })),
  ...(['overdue', 'reference'] as const).map((report): Row => ({
    service: 'reporting',
    method: 'GET',
    route: `/v1/reports/${report}`,
    access: READERS,
    scope: 'report',
    ok: 200,
    request: byScope(`/v1/reports/${report}?agency=${DEPARTMENT_IN}`, `/v1/reports/${report}?agency=${DEPARTMENT_OUT}`),
  })),
  {
    service: 'reporting',
    method: 'GET',
    route: '/v1/reports/form-06a/layout',
    access: READERS,
    scope: 'none', // the form's fixed layout (headings, columns): no agency's data
    ok: 200,
    request: fixed('/v1/reports/form-06a/layout'),
  },
  {
    service: 'reporting',
    method: 'GET',
    route: '/v1/reports/dossiers/:code',
    access: READERS,
    scope: 'resource',
    ok: 200,
    request: byScope(`/v1/reports/dossiers/${DOSSIER_IN}`, `/v1/reports/dossiers/${DOSSIER_OUT}`),
  },
  {
    service: 'reporting',
    method: 'GET',
    route: '/v1/me',
    access: READERS,
    scope: 'none',
    ok: 200,
    request: fixed('/v1/me'),
  },
  {
    service: 'reporting',
    method: 'GET',
    route: '/v1/reports/scheduled',
    access: READERS,
    scope: 'list',
    ok: 200,
    request: fixed('/v1/reports/scheduled'),
  },
  {
    service: 'reporting',
    method: 'GET',
    route: '/v1/reports/scheduled/:id',
    access: READERS,
    scope: 'resource',
    ok: 200,
    request: byScope(
      `/v1/reports/scheduled/${encodeURIComponent(`${PROVINCE_IN}:2017-03:field:csv`)}`,
      `/v1/reports/scheduled/${encodeURIComponent(`${PROVINCE_OUT}:2017-03:field:csv`)}`,
    ),
  },
  {
    service: 'reporting',
    method: 'POST',
    route: '/v1/admin/scheduled-reports/run',
    access: ADMIN,
    scope: 'none',
    ok: 202,
    request: fixed('/v1/admin/scheduled-reports/run', { body: { month: '2017-02' } }),
  },
  {
    service: 'reporting',
    method: 'GET',
    route: '/v1/admin/scheduled-reports/runs/:jobId',
    access: ADMIN,
    scope: 'none',
    ok: 200,
    request: (context) => ({ path: `/v1/admin/scheduled-reports/runs/${encodeURIComponent(context.runId)}` }),
  },
  // the dashboard's page and its scripts and styles (it asks for a key itself)
  publicRow('reporting', '/'),
  publicRow('reporting', '/assets/:name', '/assets/app.js'),
];

function IMPORT_FILE(): string {
  return `${JSON.stringify(event('import-1', DEPARTMENT_IN))}\n`;
}

/** What a caller should get from a row. */
function expectedStatus(row: Row, caller: Caller): number {
  if (row.access === 'public') return row.ok;
  if (caller === 'no key' || caller === 'wrong key' || caller === 'revoked key') return 401;
  const role: Role = caller === 'admin' ? 'admin' : caller.startsWith('viewer') ? 'viewer' : 'desk';
  if (!row.access.includes(role)) return 403;
  const outside = caller.endsWith(' out');
  if (!outside) return row.ok;
  switch (row.scope) {
    case 'resource':
      return 404;
    case 'write':
    case 'report':
      return 403;
    case 'list':
    case 'none':
      return row.ok;
  }
}

interface ExpressLayer {
  route?: { path: string; methods: Record<string, boolean> };
}

/** The routes an application registered with Express: `GET /v1/dossiers/:code`, … */
function registeredRoutes(app: INestApplication): string[] {
  const express = app.getHttpAdapter().getInstance() as { router?: { stack: ExpressLayer[] } };
  const routes = new Set<string>();
  for (const layer of express.router?.stack ?? []) {
    if (layer.route === undefined) continue;
    for (const [method, on] of Object.entries(layer.route.methods)) {
      if (on && method !== '_all') routes.add(`${method.toUpperCase()} ${layer.route.path}`);
    }
  }
  return [...routes].sort();
}

const rowKey = (row: Pick<Row, 'method' | 'route'>) => `${row.method} ${row.route}`;

describe('authorization matrix: every registered route × every kind of caller (real servers)', () => {
  const namespace = newNamespace('authz');
  const services = new Map<Service, RunningService>();
  const keys: Record<Caller, string | null> = {
    'no key': null,
    'wrong key': 'not-a-key-of-this-system-0123',
    'revoked key': '',
    'viewer in': '',
    'viewer out': '',
    'desk in': '',
    'desk out': '',
    admin: TEST_ADMIN_KEY,
  };
  const context: Context = { revokedKeyId: '', importId: '', runId: '' };
  let db: mongoose.Connection | undefined;
  const url = (service: Service) => services.get(service)?.url ?? '';
  const admin = (service: Service, path: string, options: Parameters<typeof call>[1] = {}) =>
    call(`${url(service)}${path}`, options);
  const expectStatus = async (answer: Promise<HttpAnswer>, status: number) => {
    const { status: got, text } = await answer;
    if (got !== status) throw new Error(`expected ${status}, got ${got}: ${text.slice(0, 300)}`);
  };

  /** Waits until every service answers `key` on a route it allows none of with `status` (401 unknown, 403 known). */
  async function untilEveryService(key: string, status: 401 | 403, what: string): Promise<void> {
    const probes: Record<Service, string> = {
      intake: '/v1/admin/desks',
      'dossier-tracking': '/v1/admin/data-quality',
      'on-time-rate': '/v1/admin/rebuilds/none',
      reporting: '/v1/admin/scheduled-reports/runs/none',
    };
    for (const service of SERVICES) {
      await waitFor(
        async () => ((await call(`${url(service)}${probes[service]}`, { key })).status === status ? true : undefined),
        { what: `${what} in ${service}` },
      );
    }
  }

  beforeAll(async () => {
    for (const [service, module] of [
      ['intake', IntakeModule],
      ['dossier-tracking', DossierTrackingModule],
      ['on-time-rate', OnTimeRateModule],
      ['reporting', ReportingModule],
    ] as const) {
      // Every caller here is 127.0.0.1: the failed-authentication throttle (tested in
      // apps/intake/src/hardening.int-spec.ts) would answer 429 to the wrong and revoked keys.
      const config = testConfig(service, namespace, { AUTH_FAILURES_PER_MINUTE: '100000' });
      services.set(service, await startService(config, module.forRoot(config)));
    }
    db = await mongoose.createConnection(mongoUrlFor(namespace)).asPromise();
    for (const kind of ['agencies', 'fields', 'procedures'] as const) {
      await expectStatus(admin('intake', `/v1/reference/${kind}`, { method: 'PUT', body: REFERENCE[kind] }), 200);
    }
    const create = async (kind: 'desks' | 'viewers', body: unknown) => {
      const answer = await admin('intake', `/v1/admin/${kind}`, { body });
      expect(answer.status).toBe(201);
      return answer.body as { id: string; key: string };
    };
    const desk = await create('desks', { name: 'desk in', agencyCodes: [DEPARTMENT_IN] });
    const viewer = await create('viewers', { name: 'viewer in', agencyCode: PROVINCE_IN });
    const revoked = await create('desks', { name: 'revoked desk', agencyCodes: [DEPARTMENT_IN] });
    keys['desk in'] = keys['desk out'] = desk.key;
    keys['viewer in'] = keys['viewer out'] = viewer.key;
    keys['revoked key'] = revoked.key;
    context.revokedKeyId = revoked.id;
    for (const key of [desk.key, viewer.key, revoked.key]) await untilEveryService(key, 403, 'a new key');
    await expectStatus(admin('intake', `/v1/admin/desks/${revoked.id}`, { method: 'DELETE' }), 204);
    await untilEveryService(revoked.key, 401, 'the revocation');

    await expectStatus(
      admin('intake', '/v1/events', {
        body: [
          { ...event('in-1', DEPARTMENT_IN), dossierCode: DOSSIER_IN },
          { ...event('out-1', DEPARTMENT_OUT), dossierCode: DOSSIER_OUT },
        ],
      }),
      202,
    );
    for (const code of [DOSSIER_IN, DOSSIER_OUT]) {
      for (const [service, path] of [
        ['dossier-tracking', `/v1/dossiers/${code}`],
        ['reporting', `/v1/reports/dossiers/${code}`],
      ] as const) {
        await waitFor(async () => ((await admin(service, path)).status === 200 ? true : undefined), {
          what: `${code} in ${service}`,
        });
      }
    }
    const upload = await admin('intake', '/v1/admin/imports', {
      raw: IMPORT_FILE(),
      contentType: 'application/x-ndjson',
    });
    expect(upload.status).toBe(202);
    context.importId = (upload.body as { id: string }).id;
    const run = await admin('reporting', '/v1/admin/scheduled-reports/run', { body: { month: '2017-03' } });
    expect(run.status).toBe(202);
    context.runId = (run.body as { jobId: string }).jobId;
    await waitFor(
      async () => {
        const state = (await admin('reporting', `/v1/admin/scheduled-reports/runs/${context.runId}`)).body as {
          state?: string;
        };
        if (state.state === 'failed') throw new Error('the scheduled-report run failed');
        return state.state === 'completed' ? true : undefined;
      },
      { what: 'the scheduled II.06a files of 2017-03' },
    );
  });

  afterAll(async () => {
    await Promise.all([...services.values()].map((service) => service.close()));
    await db?.dropDatabase().catch(() => undefined);
    await db?.close();
  });

  describe.each(SERVICES)('%s', (service) => {
    it('has a row in the table for every registered route, and a registered route for every row', () => {
      const app = services.get(service)?.app;
      if (app === undefined) throw new Error(`${service} did not start`);
      const registered = registeredRoutes(app);
      const declared = TABLE.filter((row) => row.service === service)
        .map(rowKey)
        .sort();
      expect({ withoutRow: registered.filter((route) => !declared.includes(route)) }).toEqual({ withoutRow: [] });
      expect({ notRegistered: declared.filter((route) => !registered.includes(route)) }).toEqual({
        notRegistered: [],
      });
    });

    const rows = TABLE.filter((row) => row.service === service);
    describe.each(rows.map((row) => [rowKey(row), row] as const))('%s', (_, row) => {
      it.each(CALLERS)('%s', async (caller) => {
        const request = row.request(context, !caller.endsWith(' out'));
        const answer = await call(`${url(service)}${request.path}`, {
          method: row.method,
          key: keys[caller],
          ...(request.body === undefined ? {} : { body: request.body }),
          ...(request.raw === undefined ? {} : { raw: request.raw }),
          ...(request.contentType === undefined ? {} : { contentType: request.contentType }),
        });
        const expected = expectedStatus(row, caller);
        expect({ status: answer.status, body: answer.status === expected ? '' : answer.text.slice(0, 300) }).toEqual({
          status: expected,
          body: '',
        });
      });
    });
  });
});
