import mongoose from 'mongoose';
import { DOSSIER_EVENTS } from '@tthc/contracts';
import {
  call,
  mongoUrlFor,
  newNamespace,
  readTopic,
  startService,
  testConfig,
  waitFor,
  type RunningService,
} from '@tthc/testing';
import { DossierTrackingModule } from '../apps/dossier-tracking/src/dossier-tracking.module';
import { IMPORTS_PATH } from '../apps/intake/src/import/imports.controller';
import type { ImportView } from '../apps/intake/src/import/import.service';
import { IntakeModule } from '../apps/intake/src/intake.module';

const AGENCY = '000.00.12.H56';
const PROCEDURE = '1.001612';

const received = (n: string, procedureCode = PROCEDURE, agencyCode = AGENCY) =>
  JSON.stringify({
    eventId: `r-${n}`,
    type: 'dossier.received',
    occurredAt: '2017-03-14T09:12:00+07:00',
    dossierCode: `${AGENCY}-170314-${n}`,
    data: { procedureCode, agencyCode, channel: 'online' },
  });
const resolved = (n: string) =>
  JSON.stringify({
    eventId: `z-${n}`,
    type: 'dossier.resolved',
    occurredAt: '2017-03-15T10:00:00+07:00',
    dossierCode: `${AGENCY}-170314-${n}`,
    data: { outcome: 'approved' },
  });

// 8 event lines (a blank line 4 is skipped, not counted): 5 valid, 3 rejected.
const NDJSON = [
  received('0001'), // 1
  resolved('0001'), // 2
  received('0002'), // 3
  '', // 4
  '{"eventId": "broken"', // 5 bad JSON
  received('0003', '9.999999'), // 6 unknown procedure
  received('0004'), // 7
  JSON.stringify({ eventId: 'bad id!', type: 'dossier.resumed', occurredAt: 'x', dossierCode: 'D' }), // 8
  resolved('0004'), // 9
].join('\n');

// 5 event lines: 3 valid, 2 rejected; a quoted cell with a comma, quotes and a line break.
const CSV = [
  'eventId,type,occurredAt,dossierCode,procedureCode,agencyCode,channel,reason,outcome',
  `c-1,dossier.received,2017-03-20T08:00:00+07:00,${AGENCY}-170320-0001,${PROCEDURE},${AGENCY},in_person,,`, // 2
  `c-2,dossier.supplement_requested,2017-03-20T15:00:00+07:00,${AGENCY}-170320-0001,,,,"thiếu ""tờ khai"",`, // 3
  `bản sao",`, // (line 4: inside the quoted reason of line 3)
  `c-3,dossier.received,2017-03-20T08:00:00+07:00,${AGENCY}-170320-0002,${PROCEDURE},999.99.99.X,online,,`, // 5 unknown agency
  `c-4,dossier.resolved,2017-03-21T08:00:00+07:00,${AGENCY}-170320-0001`, // 6 too few cells
  `c-5,dossier.resolved,2017-03-21T09:00:00+07:00,${AGENCY}-170320-0003,,,,,refused`, // 7
].join('\r\n');

describe('bulk import of history: upload → job → Kafka → dossier-tracking (real servers)', () => {
  const namespace = newNamespace('import');
  const services: RunningService[] = [];
  let intake: RunningService;
  let tracking: RunningService;
  let db: mongoose.Connection;

  const upload = (raw: string, contentType: string, query = '', key?: string) =>
    call(`${intake.url}${IMPORTS_PATH}${query}`, { method: 'POST', raw, contentType, key });
  const completed = (id: string) =>
    waitFor(
      async () => {
        const answer = await call(`${intake.url}${IMPORTS_PATH}/${id}`);
        const view = answer.body as ImportView;
        return view.state === 'completed' ? view : undefined;
      },
      { what: `import ${id} to complete` },
    );

  beforeAll(async () => {
    // Small chunks so the files span several; a small size limit to show 413.
    const env = { INTAKE_IMPORT_CHUNK_LINES: '3', INTAKE_IMPORT_MAX_BYTES: String(64 * 1024) };
    const intakeConfig = testConfig('intake', namespace, env);
    intake = await startService(intakeConfig, IntakeModule.forRoot(intakeConfig));
    const trackingConfig = testConfig('dossier-tracking', namespace);
    tracking = await startService(trackingConfig, DossierTrackingModule.forRoot(trackingConfig));
    services.push(intake, tracking);
    db = await mongoose.createConnection(mongoUrlFor(namespace)).asPromise();
    for (const [path, body] of [
      ['agencies', [{ code: AGENCY, name: 'Sở Tư pháp', parentCode: null, level: 'department' }]],
      ['fields', [{ code: 'G03-GD10', name: 'Chứng thực' }]],
      [
        'procedures',
        [
          {
            code: PROCEDURE,
            name: 'Chứng thực bản sao',
            fieldCode: 'G03-GD10',
            processingTime: { value: 2, unit: 'working_days' },
          },
        ],
      ],
    ] as const) {
      expect((await call(`${intake.url}/v1/reference/${path}`, { method: 'PUT', body })).status).toBe(200);
    }
    await waitFor(
      async () =>
        (await db.collection('tracking_reference').countDocuments({ kind: 'procedure' })) === 1 ? true : undefined,
      { what: 'dossier-tracking to learn the procedure' },
    );
  });

  afterAll(async () => {
    await Promise.all(services.map((service) => service.close()));
    await db?.dropDatabase().catch(() => undefined);
    await db?.close();
  });

  let ndjsonId = '';
  let csvId = '';

  it('imports an NDJSON file: valid lines published, invalid ones listed with line numbers', async () => {
    const answer = await upload(NDJSON, 'application/x-ndjson', '?desk=legacy-desk');
    expect(answer.status).toBe(202);
    const created = answer.body as ImportView;
    expect(answer.headers.get('location')).toBe(`${IMPORTS_PATH}/${created.id}`);
    expect(created).toMatchObject({ desk: 'legacy-desk', format: 'ndjson', total: 8, state: 'queued' });
    ndjsonId = created.id;

    const done = await completed(ndjsonId);
    expect(done).toMatchObject({ total: 8, processed: 8, accepted: 5, rejected: 3, percent: 100 });
    expect(done.rejections).toEqual([
      { line: 5, reason: expect.stringMatching(/^not valid JSON/) as string },
      { line: 6, reason: 'data.procedureCode: unknown procedure 9.999999' },
      { line: 8, reason: expect.stringMatching(/^eventId: must be 1-128 characters/) as string },
    ]);
  });

  it('imports a CSV file with quoted cells; empty cells are absent fields', async () => {
    const answer = await upload(CSV, 'text/csv; charset=utf-8');
    expect(answer.status).toBe(202);
    csvId = (answer.body as ImportView).id;
    expect(answer.body).toMatchObject({ desk: 'import', format: 'csv', total: 5 });
    const done = await completed(csvId);
    expect(done).toMatchObject({ total: 5, processed: 5, accepted: 3, rejected: 2 });
    expect(done.rejections).toEqual([
      { line: 5, reason: 'data.agencyCode: unknown agency 999.99.99.X' },
      { line: 6, reason: 'expected 9 cells, found 4' },
    ]);
  });

  it('publishes the valid events under the import desk; dossier-tracking folds them', async () => {
    const messages = await readTopic(namespace, DOSSIER_EVENTS, 8);
    expect(messages.map((m) => `${m.value?.deskId}|${m.value?.event.eventId}`).sort()).toEqual(
      [
        'import|c-1',
        'import|c-2',
        'import|c-5',
        'legacy-desk|r-0001',
        'legacy-desk|r-0002',
        'legacy-desk|r-0004',
        'legacy-desk|z-0001',
        'legacy-desk|z-0004',
      ].sort(),
    );
    const supplement = messages.find((m) => m.value?.event.eventId === 'c-2')?.value?.event;
    expect(supplement?.data).toEqual({ reason: 'thiếu "tờ khai",\nbản sao' });

    await waitFor(async () => ((await db.collection('tracking_events').countDocuments({})) === 8 ? true : undefined), {
      what: '8 events stored by dossier-tracking',
    });
    const dossier = await waitFor(
      async () => {
        const answer = await call(`${tracking.url}/v1/dossiers/${AGENCY}-170314-0001`);
        const body = answer.body as { state?: { status?: string } } | undefined;
        return answer.status === 200 && body?.state?.status === 'resolved' ? body : undefined;
      },
      { what: 'dossier 0001 folded to resolved' },
    );
    expect(dossier).toMatchObject({ dossierCode: `${AGENCY}-170314-0001` });
  });

  it('re-uploading the same file answers the same import and counts nothing twice', async () => {
    const versionsBefore = await versions();
    const again = await upload(NDJSON, 'application/x-ndjson', '?desk=legacy-desk');
    expect(again.status).toBe(200);
    expect(again.headers.get('location')).toBe(`${IMPORTS_PATH}/${ndjsonId}`);
    expect(again.body).toMatchObject({ id: ndjsonId, state: 'completed', processed: 8, accepted: 5, rejected: 3 });
    expect((await upload(CSV, 'text/csv')).body).toMatchObject({ id: csvId, accepted: 3 });

    // No second job: the topic holds no new message, dossier-tracking nothing new.
    await expect(readTopic(namespace, DOSSIER_EVENTS, 9, 4000)).rejects.toThrow(/only 8 of 9/);
    expect(await db.collection('tracking_events').countDocuments({})).toBe(8);
    expect(await versions()).toEqual(versionsBefore);

    const listed = await call(`${intake.url}${IMPORTS_PATH}`);
    expect((listed.body as ImportView[]).map((view) => view.id)).toEqual([csvId, ndjsonId]);
    expect((listed.body as ImportView[])[0]).not.toHaveProperty('rejections');
  });

  it('refuses other keys (403), content types (415), oversize bodies (413), bad headers (400); 404 unknown', async () => {
    const desk = await call(`${intake.url}/v1/admin/desks`, { body: { name: 'Desk', agencyCodes: [AGENCY] } });
    expect(desk.status).toBe(201);
    const deskKey = (desk.body as { key: string }).key;
    await waitFor(
      async () => ((await upload(NDJSON, 'application/x-ndjson', '', deskKey)).status === 403 ? true : undefined),
      { what: 'the desk key to be known and refused' },
    );
    expect((await call(`${intake.url}${IMPORTS_PATH}`, { key: deskKey })).status).toBe(403);
    expect((await upload(NDJSON, 'application/x-ndjson', '', 'wrong-key')).status).toBe(401);

    const wrongType = await upload(NDJSON, 'application/json');
    expect(wrongType.status).toBe(415);
    expect(wrongType.headers.get('content-type')).toMatch(/problem\+json/);
    const tooLarge = await upload(`${received('9999')}\n`.repeat(1000), 'application/x-ndjson');
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.body).toMatchObject({ status: 413 });
    // Without Content-Length (chunked): refused once the streamed bytes pass the limit.
    const chunk = new TextEncoder().encode(`${received('9999')}\n`.repeat(100));
    const streamed = await fetch(`${intake.url}${IMPORTS_PATH}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${intake.config.adminKey}`, 'content-type': 'application/x-ndjson' },
      body: new ReadableStream<Uint8Array>({
        start(controller) {
          for (let i = 0; i < 10; i++) controller.enqueue(chunk);
          controller.close();
        },
      }),
      duplex: 'half',
    });
    expect(streamed.status).toBe(413);
    expect((await call(`${intake.url}${IMPORTS_PATH}`)).body).toHaveLength(2);
    // Only the two imports' files are kept: parts of refused and duplicate uploads are deleted.
    expect(await db.collection('intake_import_parts').countDocuments({})).toBe(2);
    const badHeader = await upload('eventId,type,colour\nx,y,z', 'text/csv');
    expect(badHeader.status).toBe(400);
    expect(badHeader.body).toMatchObject({ detail: expect.stringMatching(/line 1: .*unknown column/) as string });
    expect((await upload('\n\n', 'application/x-ndjson')).status).toBe(400);
    expect((await upload(NDJSON, 'application/x-ndjson', '?desk=bad%20desk')).status).toBe(400);
    const unknown = await call(`${intake.url}${IMPORTS_PATH}/imp-nope`);
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toMatch(/problem\+json/);

    const docs = (await call(`${intake.url}/docs-json`)).body as { paths: Record<string, unknown> };
    expect(Object.keys(docs.paths)).toEqual(expect.arrayContaining([IMPORTS_PATH, `${IMPORTS_PATH}/{id}`]));
  });

  async function versions(): Promise<Record<string, number>> {
    const docs = await db.collection('tracking_dossiers').find({}).toArray();
    return Object.fromEntries(docs.map((doc) => [String(doc._id), doc.version as number]));
  }
});
