import { DOSSIER_EVENTS } from '@tthc/contracts';
import { call, newNamespace, readTopic, startService, testConfig, type RunningService } from '@tthc/testing';
import { IntakeModule } from '../intake.module';

const event = (eventId: string, dossierCode = 'D-INTAKE-1') => ({
  eventId,
  type: 'dossier.received',
  occurredAt: '2017-03-14T09:12:00+07:00',
  dossierCode,
  data: { procedureCode: '1.001612', agencyCode: '000.00.12.H56', channel: 'in_person' },
});

describe('intake POST /v1/events (real Kafka)', () => {
  const namespace = newNamespace('intake');
  let intake: RunningService;

  beforeAll(async () => {
    const config = testConfig('intake', namespace);
    intake = await startService(config, IntakeModule.forRoot(config));
    // Events must name known reference data (docs/api.md §3).
    const put = (path: string, body: unknown) => call(`${intake.url}/v1/reference/${path}`, { method: 'PUT', body });
    expect(
      (await put('agencies', [{ code: '000.00.12.H56', name: 'Tỉnh', parentCode: null, level: 'province' }])).status,
    ).toBe(200);
    expect((await put('fields', [{ code: 'G03-GD10', name: 'Giáo dục' }])).status).toBe(200);
    expect(
      (await put('procedures', [{ code: '1.001612', name: 'Thủ tục', fieldCode: 'G03-GD10', processingTime: null }]))
        .status,
    ).toBe(200);
  });
  afterAll(async () => {
    await intake?.close();
  });

  it('publishes a JSON array and NDJSON, keyed by dossier, and answers 202 with the count', async () => {
    const array = await call(`${intake.url}/v1/events`, { body: [event('a-1', 'D-A'), event('a-2', 'D-B')] });
    expect(array.status).toBe(202);
    expect(array.body).toEqual({ accepted: 2 });
    const single = await call(`${intake.url}/v1/events`, { body: event('a-3', 'D-C') });
    expect(single.body).toEqual({ accepted: 1 });
    const ndjson = await call(`${intake.url}/v1/events`, {
      raw: `${JSON.stringify(event('n-1', 'D-D'))}\n\n${JSON.stringify(event('n-2', 'D-E'))}\n`,
      contentType: 'application/x-ndjson',
    });
    expect(ndjson.status).toBe(202);
    expect(ndjson.body).toEqual({ accepted: 2 });

    const messages = await readTopic(namespace, DOSSIER_EVENTS, 5);
    expect(messages.map((m) => m.value?.event.eventId).sort()).toEqual(['a-1', 'a-2', 'a-3', 'n-1', 'n-2']);
    expect(messages.find((m) => m.value?.event.eventId === 'a-2')).toMatchObject({
      key: 'D-B',
      value: { deskId: 'admin' },
    });
  });

  it('rejects the whole request, listing each invalid event, when one is invalid', async () => {
    const answer = await call(`${intake.url}/v1/events`, {
      body: [event('ok-1'), { ...event('bad 2'), data: { channel: 'fax' } }],
    });
    expect(answer.status).toBe(400);
    expect(answer.headers.get('content-type')).toMatch(/application\/problem\+json/);
    const errors = (answer.body as { errors: { index: number; path: string }[] }).errors;
    expect(errors.every((error) => error.index === 1)).toBe(true);
    expect(errors.map((error) => error.path).sort()).toEqual([
      'data.agencyCode',
      'data.channel',
      'data.procedureCode',
      'eventId',
    ]);
  });

  it('answers 400 for malformed JSON, 415 for other content types, 413 for too many events', async () => {
    const malformed = await call(`${intake.url}/v1/events`, { raw: '{"eventId": ', contentType: 'application/json' });
    expect(malformed.status).toBe(400);
    expect(malformed.text).toMatch(/not valid JSON/);
    const badLine = await call(`${intake.url}/v1/events`, {
      raw: `${JSON.stringify(event('x'))}\n{oops`,
      contentType: 'application/x-ndjson',
    });
    expect(badLine.status).toBe(400);
    expect(badLine.text).toMatch(/line 2/);
    const text = await call(`${intake.url}/v1/events`, { raw: 'hello', contentType: 'text/plain' });
    expect(text.status).toBe(415);
    const tooMany = await call(`${intake.url}/v1/events`, {
      body: Array.from({ length: 1001 }, (_, i) => event(`m-${i}`)),
    });
    expect(tooMany.status).toBe(413);
    const huge = await call(`${intake.url}/v1/events`, {
      raw: `[${'"x",'.repeat(3_000_000)}"x"]`,
      contentType: 'application/json',
    });
    expect(huge.status).toBe(413);
    expect(huge.headers.get('content-type')).toMatch(/problem\+json/);
  });

  it('answers 401 without a valid key', async () => {
    expect((await call(`${intake.url}/v1/events`, { body: event('k'), key: null })).status).toBe(401);
    expect((await call(`${intake.url}/v1/events`, { body: event('k'), key: 'wrong-key' })).status).toBe(401);
  });

  it('serves its OpenAPI document', async () => {
    const docs = await call(`${intake.url}/docs-json`);
    expect(docs.status).toBe(200);
    expect(Object.keys((docs.body as { paths: Record<string, unknown> }).paths)).toContain('/v1/events');
  });
});
