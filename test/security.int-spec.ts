import mongoose from 'mongoose';
import { adminKeyId, hashKey, KeyRecordSigner } from '@tthc/auth';
import { ACCESS_KEYS, type AccessKey } from '@tthc/contracts';
import { DossierTrackingModule } from '../apps/dossier-tracking/src/dossier-tracking.module';
import { IntakeModule } from '../apps/intake/src/intake.module';
import { OnTimeRateModule } from '../apps/on-time-rate/src/on-time-rate.module';
import { ReportingModule } from '../apps/reporting/src/reporting.module';
import {
  call,
  mongoUrlFor,
  newNamespace,
  produce,
  startService,
  TEST_ADMIN_KEY,
  testConfig,
  waitFor,
  type RunningService,
} from '@tthc/testing';

const KEYS_SECRET = 'security-int-spec-signing-secret-0123456789';
const AGENCY = { code: 'SEC.H56', name: 'Sở Tư pháp', parentCode: null, level: 'department' };
const FIELD = { code: 'SEC-F', name: 'Chứng thực' };
const PROCEDURE = {
  code: 'SEC.1',
  name: 'Chứng thực bản sao',
  fieldCode: 'SEC-F',
  processingTime: { value: 2, unit: 'working_days' },
};

/**
 * The trust model of the key topic, the audit log, and that no key reaches a log or the audit
 * log (docs/security.md): the four services on the real servers, one namespace, every log line
 * they write captured (LOG_LEVEL=debug).
 */
describe('security: key records, audit log, no key material (real Kafka, MongoDB-wire, Redis)', () => {
  const namespace = newNamespace('security');
  const services = new Map<string, RunningService>();
  const captured: string[] = [];
  const writes = { stdout: process.stdout.write, stderr: process.stderr.write };
  let db: mongoose.Connection;
  const url = (service: string) => services.get(service)!.url;

  beforeAll(async () => {
    // Every line any service logs, kept for the scan (and not printed: warnings are expected here).
    for (const stream of ['stdout', 'stderr'] as const) {
      process[stream].write = (chunk: string | Uint8Array, ...rest: unknown[]) => {
        captured.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
        const callback = rest.find((arg) => typeof arg === 'function') as (() => void) | undefined;
        callback?.();
        return true;
      };
    }
    const env = { LOG_LEVEL: 'debug', TTHC_KEYS_SECRET: KEYS_SECRET };
    for (const [service, module] of [
      ['intake', IntakeModule],
      ['dossier-tracking', DossierTrackingModule],
      ['on-time-rate', OnTimeRateModule],
      ['reporting', ReportingModule],
    ] as const) {
      const config = testConfig(service, namespace, env);
      services.set(service, await startService(config, module.forRoot(config)));
    }
    db = await mongoose.createConnection(mongoUrlFor(namespace)).asPromise();
    for (const [path, body] of [
      ['agencies', [AGENCY]],
      ['fields', [FIELD]],
      ['procedures', [PROCEDURE]],
    ] as const) {
      expect((await call(`${url('intake')}/v1/reference/${path}`, { method: 'PUT', body })).status).toBe(200);
    }
  });

  afterAll(async () => {
    await Promise.all([...services.values()].map((service) => service.close()));
    process.stdout.write = writes.stdout;
    process.stderr.write = writes.stderr;
    await db?.dropDatabase().catch(() => undefined);
    await db?.close();
  });

  const refusedCount = async (service: string, reason: string): Promise<number> => {
    const metrics = (await call(`${url(service)}/metrics`, { key: null })).text;
    const line = metrics
      .split('\n')
      .find((row) => row.startsWith('tthc_access_key_records_refused_total{') && row.includes(`reason="${reason}"`));
    return line === undefined ? 0 : Number(line.split(' ').pop());
  };

  it('installs only key records intake signed: forged admin, unsigned, wrongly signed records grant nothing', async () => {
    const signer = new KeyRecordSigner([KEYS_SECRET]);
    const record = (id: string, key: string, role: AccessKey['role'], agencyCodes: string[]): AccessKey => ({
      id,
      role,
      name: id,
      keyHash: hashKey(key),
      agencyCodes,
      createdAt: new Date().toISOString(),
      revokedAt: null,
    });
    const forged = {
      unsignedAdmin: 'forged-admin-key-unsigned-000000',
      signedAdmin: 'forged-admin-key-signed-0000000',
      unsignedDesk: 'desk_forged-unsigned-desk-key-0000000000',
      wrongSecretDesk: 'desk_forged-wrong-secret-desk-key-000000',
      tamperedViewer: 'viewer_forged-tampered-viewer-key-0000000',
    };
    const signedViewer = signer.sign(record('viewer-sec-ok', 'viewer_ok', 'viewer', [AGENCY.code]));
    const messages: { key: string; value: AccessKey }[] = [
      { key: 'admin-forged-1', value: record('admin-forged-1', forged.unsignedAdmin, 'admin', []) },
      // Even a record signed with the real secret cannot make an admin: admin keys come from the environment.
      { key: 'admin-forged-2', value: signer.sign(record('admin-forged-2', forged.signedAdmin, 'admin', [])) },
      { key: 'desk-forged-3', value: record('desk-forged-3', forged.unsignedDesk, 'desk', [AGENCY.code]) },
      {
        key: 'desk-forged-4',
        value: new KeyRecordSigner(['an-attacker-guess-of-the-secret-000000']).sign(
          record('desk-forged-4', forged.wrongSecretDesk, 'desk', [AGENCY.code]),
        ),
      },
      // A properly signed record whose hash was swapped for the attacker's key.
      { key: 'viewer-sec-ok', value: { ...signedViewer, keyHash: hashKey(forged.tamperedViewer) } },
      // Last, the same viewer record as intake would publish it: once it works, every record above was consumed.
      { key: 'viewer-sec-ok', value: signedViewer },
    ];
    await produce(namespace, ACCESS_KEYS, messages);

    // intake's viewer routes are the reference reads; reporting's include /v1/me.
    for (const [service, path] of [
      ['intake', '/v1/reference/agencies'],
      ['reporting', '/v1/me'],
    ] as const) {
      await waitFor(
        async () => ((await call(`${url(service)}${path}`, { key: 'viewer_ok' })).status === 200 ? true : undefined),
        { what: `${service} to install the signed viewer record` },
      );
    }
    // The forged admin keys get 401 on every service, on admin and on shared routes.
    for (const service of services.keys()) {
      for (const key of [forged.unsignedAdmin, forged.signedAdmin]) {
        expect([service, (await call(`${url(service)}/v1/admin/audit`, { key })).status]).toEqual([service, 401]);
      }
    }
    expect((await call(`${url('intake')}/v1/admin/desks`, { key: forged.signedAdmin })).status).toBe(401);
    const event = {
      eventId: 'sec-forged-1',
      type: 'dossier.received',
      occurredAt: '2017-03-14T09:12:00+07:00',
      dossierCode: 'SEC.H56-170314-forged',
      data: { procedureCode: PROCEDURE.code, agencyCode: AGENCY.code, channel: 'online' },
    };
    for (const key of [forged.unsignedDesk, forged.wrongSecretDesk, forged.tamperedViewer]) {
      expect((await call(`${url('intake')}/v1/events`, { key, body: [event] })).status).toBe(401);
      expect((await call(`${url('reporting')}/v1/me`, { key })).status).toBe(401);
    }
    // Refused records are counted on every service, and none is stored.
    for (const service of services.keys()) {
      expect([service, await refusedCount(service, 'admin_role')]).toEqual([service, 2]);
      expect([service, await refusedCount(service, 'unsigned')]).toEqual([service, 1]);
      expect([service, await refusedCount(service, 'bad_signature')]).toEqual([service, 2]);
    }
    for (const prefix of ['intake', 'tracking', 'otr', 'rpt']) {
      const ids = (await db.collection(`${prefix}_reference`).find({ kind: 'key' }).toArray()).map((doc) => doc.code);
      expect([prefix, ids]).toEqual([prefix, ['viewer-sec-ok']]);
    }
    // Logged as warnings naming the record, never its hash.
    const log = captured.join('');
    expect(log).toMatch(/refused access-key record "admin-forged-2" role admin \(topic\): admin_role/);
    expect(log).toMatch(/refused access-key record "desk-forged-4" role desk \(topic\): bad_signature/);
    expect(log).not.toContain(hashKey(forged.signedAdmin));
  });

  it('audits admin actions and keeps every key out of every log and audit entry', async () => {
    // The flow: a desk key, events posted with it, a viewer key, reports read with it.
    const desk = await call(`${url('intake')}/v1/admin/desks`, {
      body: { name: 'Một cửa Sở Tư pháp', agencyCodes: [AGENCY.code] },
    });
    expect(desk.status).toBe(201);
    const { id: deskId, key: deskKey } = desk.body as { id: string; key: string };
    const dossierCode = `SEC.H56-170314-${namespace.id}`;
    const posted = await call(`${url('intake')}/v1/events`, {
      key: deskKey,
      body: [
        {
          eventId: 'sec-1',
          type: 'dossier.received',
          occurredAt: '2017-03-14T09:12:00+07:00',
          dossierCode,
          data: { procedureCode: PROCEDURE.code, agencyCode: AGENCY.code, channel: 'online' },
        },
        {
          eventId: 'sec-2',
          type: 'dossier.resolved',
          occurredAt: '2017-03-15T10:00:00+07:00',
          dossierCode,
          data: { outcome: 'approved' },
        },
      ],
    });
    expect(posted.status).toBe(202);
    const viewer = await call(`${url('intake')}/v1/admin/viewers`, {
      body: { name: 'Văn phòng UBND', agencyCode: AGENCY.code },
    });
    expect(viewer.status).toBe(201);
    const { id: viewerId, key: viewerKey } = viewer.body as { id: string; key: string };
    const summary = await waitFor(
      async () => {
        const answer = await call(`${url('reporting')}/v1/reports/summary?from=2017-01-01&to=2017-12-31`, {
          key: viewerKey,
        });
        const resolved = (answer.body as { resolved?: { total?: number } }).resolved?.total;
        return answer.status === 200 && resolved === 1 ? answer : undefined;
      },
      { what: 'reporting to know the viewer key and count the dossier' },
    );
    expect(summary.status).toBe(200);

    // An admin action on each of the other services, one of them failing (its status is recorded).
    expect((await call(`${url('dossier-tracking')}/v1/admin/data-quality`)).status).toBe(200);
    expect((await call(`${url('on-time-rate')}/v1/admin/rebuilds/no-such-rebuild`)).status).toBe(404);
    expect((await call(`${url('reporting')}/v1/admin/audit?limit=5`)).status).toBe(200);
    // A desk key on an admin route is refused before anything runs; not an admin action.
    expect((await call(`${url('intake')}/v1/admin/desks`, { key: deskKey })).status).toBe(403);

    const adminKeyIdentity = adminKeyId(TEST_ADMIN_KEY);
    type Entry = Record<string, unknown> & { route: string; method: string; status: number };
    const auditOf = async (service: string, predicate: (entry: Entry) => boolean): Promise<Entry> =>
      waitFor(
        async () => {
          const answer = await call(`${url(service)}/v1/admin/audit?from=2000-01-01&limit=1000`);
          return (answer.body as Entry[]).find(predicate);
        },
        { what: `an audit entry in ${service}` },
      );
    const created = await auditOf('intake', (entry) => entry.route === '/v1/admin/desks' && entry.method === 'POST');
    expect(created).toMatchObject({
      service: 'intake',
      keyId: adminKeyIdentity,
      role: 'admin',
      status: 201,
      resultId: deskId,
      body: { name: 'Một cửa Sở Tư pháp', agencyCodes: { items: 1, first: [AGENCY.code] } },
      client: { ip: expect.stringMatching(/127\.0\.0\.1/) },
    });
    expect(created.at).toEqual(expect.any(String));
    await auditOf('intake', (entry) => entry.route === '/v1/admin/viewers' && entry.resultId === viewerId);
    await auditOf(
      'intake',
      (entry) => entry.route === '/v1/reference/:kind' || entry.route.startsWith('/v1/reference'),
    );
    expect(await auditOf('dossier-tracking', (entry) => entry.route === '/v1/admin/data-quality')).toMatchObject({
      service: 'dossier-tracking',
      status: 200,
      keyId: adminKeyIdentity,
    });
    expect(await auditOf('on-time-rate', (entry) => entry.route === '/v1/admin/rebuilds/:id')).toMatchObject({
      status: 404,
      params: { id: 'no-such-rebuild' },
    });
    expect(await auditOf('reporting', (entry) => entry.route === '/v1/admin/audit')).toMatchObject({
      status: 200,
      query: { limit: '5' },
    });
    // The desk's events are not admin actions; the refused desk call is not audited.
    const intakeEntries = (await call(`${url('intake')}/v1/admin/audit?limit=1000`)).body as Entry[];
    expect(intakeEntries.filter((entry) => entry.route === '/v1/events')).toEqual([]);
    expect(intakeEntries.every((entry) => entry.keyId === adminKeyIdentity)).toBe(true);

    // Revoking the viewer reaches reporting over Kafka.
    expect((await call(`${url('intake')}/v1/admin/viewers/${viewerId}`, { method: 'DELETE' })).status).toBe(204);
    await waitFor(
      async () => ((await call(`${url('reporting')}/v1/me`, { key: viewerKey })).status === 401 ? true : undefined),
      { what: 'reporting to refuse the revoked viewer key' },
    );

    // Every service documents its audit endpoint.
    for (const service of services.keys()) {
      const paths = ((await call(`${url(service)}/docs-json`, { key: null })).body as { paths: object }).paths;
      expect([service, Object.keys(paths).includes('/v1/admin/audit')]).toEqual([service, true]);
    }

    // No key string in any log line or audit entry of any service.
    const audits = await Promise.all(
      ['intake', 'tracking', 'otr', 'rpt'].map(async (prefix) =>
        JSON.stringify(await db.collection(`${prefix}_audit`).find({}).toArray()),
      ),
    );
    expect(audits.every((text) => text.length > 2)).toBe(true);
    const everything = [captured.join(''), ...audits].join('\n');
    expect(everything).toContain(deskId); // the scan sees what it should
    for (const [name, key] of [
      ['desk key', deskKey],
      ['viewer key', viewerKey],
      ['admin key', TEST_ADMIN_KEY],
      ['signing secret', KEYS_SECRET],
    ]) {
      expect([name, everything.includes(key as string)]).toEqual([name, false]);
    }
  });
});
