import type { ServiceName } from '@tthc/config';
import mongoose from 'mongoose';
import {
  call,
  freePort,
  generatedReference,
  generateDossierEvents,
  mongoUrlFor,
  newNamespace,
  spawnServiceProcess,
  testEnvironment,
  waitFor,
  type ServiceProcess,
} from '@tthc/testing';
import { decreasedSeries, parsePrometheusText, type Scrape } from './support/prometheus-text';

/**
 * What ops reads from a running system (issue 12), with the four services each in its own process
 * and logging JSON lines at the default level (`LOG_LEVEL=log`) as in production:
 * 1. one desk request's correlation id (its `X-Request-Id`) is answered back, shown on the dossier's
 *    timeline, and found in the logs of all four services;
 * 2. under a load of desk requests, every service's `/metrics` has the metrics docs/operations.md
 *    lists, with sane values: consumer lag never negative and exported by each consumer, counters and
 *    histograms never going down between scrapes;
 * 3. an import and a rebuild move their progress metrics (and the imported events carry the upload's
 *    request id);
 * 4. every line every service wrote during all of it is JSON, and none is an error.
 */

const SERVICES: readonly ServiceName[] = ['intake', 'dossier-tracking', 'on-time-rate', 'reporting'];
const CONSUMERS: readonly ServiceName[] = ['dossier-tracking', 'on-time-rate', 'reporting'];

/** Metric families each service must export (by `# TYPE` line). */
const EXPECTED: Record<ServiceName, readonly string[]> = {
  intake: [
    'tthc_intake_events_accepted_total',
    'tthc_intake_events_rejected_total',
    'tthc_queue_jobs',
    'tthc_queue_jobs_failed_total',
    'tthc_imports_running',
    'tthc_import_rows_processed',
    'tthc_import_rows_expected',
    'tthc_import_rows_processed_total',
  ],
  'dossier-tracking': ['tthc_queue_jobs', 'tthc_tracking_events_refused_total'],
  'on-time-rate': [
    'tthc_queue_jobs',
    'tthc_rebuilds_running',
    'tthc_rebuild_dossiers_processed',
    'tthc_rebuild_dossiers_expected',
    'tthc_rebuild_dossiers_processed_total',
  ],
  reporting: [
    'tthc_queue_jobs',
    'tthc_reporting_data_as_of_timestamp_seconds',
    'tthc_reporting_on_time_ratio',
    'tthc_reporting_resolved_dossiers',
  ],
};
const COMMON = ['tthc_http_requests_total', 'tthc_http_request_duration_seconds', 'process_resident_memory_bytes'];
const CONSUMER_METRICS = [
  'tthc_kafka_consumer_lag',
  'tthc_kafka_consumer_assigned_partitions',
  'tthc_kafka_messages_handled_total',
  'tthc_kafka_batch_seconds',
  'tthc_kafka_batch_messages',
  'tthc_kafka_dead_letters_total',
  'tthc_kafka_partitions_waiting',
  'tthc_dead_letters_open',
];
const QUEUE_STATES = ['waiting', 'active', 'failed', 'delayed'];

describe('observability of the four services in their own processes (JSON logs, /metrics)', () => {
  const namespace = newNamespace('obs');
  const running = new Map<ServiceName, ServiceProcess>();
  const reference = generatedReference();
  const url = (service: ServiceName): string => {
    const found = running.get(service);
    if (found === undefined) throw new Error(`${service} is not running`);
    return found.url;
  };

  beforeAll(async () => {
    const env = testEnvironment(namespace, { LOG_FORMAT: 'json', LOG_LEVEL: 'log' });
    const spawnOne = async (service: ServiceName) => {
      running.set(service, await spawnServiceProcess(service, await freePort(), env, 240_000, { captureOutput: true }));
    };
    // intake first (it creates the event topic it publishes to), then the consumers together.
    await spawnOne('intake');
    await Promise.all(CONSUMERS.map(spawnOne));
    for (const [path, body] of [
      ['agencies', reference.agencies],
      ['fields', reference.fields],
      ['procedures', reference.procedures],
    ] as const) {
      expect((await call(`${url('intake')}/v1/reference/${path}`, { method: 'PUT', body })).status).toBe(200);
    }
  }, 600_000);

  afterAll(async () => {
    await Promise.all([...running.values()].map((service) => service.stop()));
    const db = await mongoose.createConnection(mongoUrlFor(namespace)).asPromise();
    await db.dropDatabase().catch(() => undefined);
    await db.close();
  });

  /** Every line each service wrote so far, parsed; the lines that are not JSON objects, listed. */
  function logsOf(service: ServiceName): { records: Record<string, unknown>[]; notJson: string[] } {
    const output = running.get(service)?.output ?? { stdout: [], stderr: [] };
    const records: Record<string, unknown>[] = [];
    const notJson: string[] = [];
    for (const line of [...output.stdout, ...output.stderr]) {
      try {
        const parsed: unknown = JSON.parse(line);
        if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
          records.push(parsed as Record<string, unknown>);
        } else notJson.push(`${service}: ${line}`);
      } catch {
        notJson.push(`${service}: ${line}`);
      }
    }
    return { records, notJson };
  }

  it('follows one desk request by its correlation id through the logs of all four services', async () => {
    const correlationId = `obs-${namespace.id}`;
    const events = generateDossierEvents(7, 1, `OBS${namespace.id}`);
    const [event] = events;
    if (event === undefined) throw new Error('no event generated');
    const posted = await call(`${url('intake')}/v1/events`, {
      body: events,
      headers: { 'X-Request-Id': correlationId },
    });
    expect(posted.status).toBe(202);
    expect(posted.headers.get('x-request-id')).toBe(correlationId);

    // The figures: reporting has the dossier (its last version).
    const code = event.dossierCode;
    await waitFor(
      async () => {
        const answer = await call(`${url('reporting')}/v1/reports/dossiers/${encodeURIComponent(code)}`);
        return answer.status === 200 ? answer : undefined;
      },
      { what: 'reporting to have the dossier', timeoutMs: 120_000 },
    );
    const dossier = await call(`${url('dossier-tracking')}/v1/dossiers/${encodeURIComponent(code)}`);
    expect(dossier.status).toBe(200);
    const timeline = (dossier.body as { timeline: { eventId: string; correlationId: string | null }[] }).timeline;
    expect(timeline.length).toBe(events.length);
    for (const entry of timeline) expect(entry.correlationId).toBe(correlationId);

    // Each consumer logs the batch that carried it (after handling it: wait for the line).
    const mentions = (service: ServiceName) =>
      logsOf(service).records.filter((record) => JSON.stringify(record).includes(correlationId));
    await waitFor(() => Promise.resolve(SERVICES.every((service) => mentions(service).length > 0) ? true : undefined), {
      what: 'the correlation id in the logs of all four services',
      timeoutMs: 60_000,
    });
    expect(mentions('intake')).toContainEqual(
      expect.objectContaining({ service: 'intake', message: 'request', route: '/v1/events', requestId: correlationId }),
    );
    for (const service of CONSUMERS) {
      expect(mentions(service)).toContainEqual(
        expect.objectContaining({
          service,
          level: 'info',
          message: 'batch handled',
          correlationIds: expect.arrayContaining([correlationId]) as unknown,
        }),
      );
    }
  });

  it('exports the metrics ops needs with sane values while a load runs', async () => {
    const scrape = async (service: ServiceName): Promise<Scrape> => {
      const answer = await fetch(`${url(service)}/metrics`);
      expect(answer.status).toBe(200);
      return parsePrometheusText(await answer.text());
    };
    const scrapeAll = async () =>
      new Map(await Promise.all(SERVICES.map(async (service) => [service, await scrape(service)] as const)));
    const history: Map<ServiceName, Scrape>[] = [];
    const negativeLag: string[] = [];
    const record = (scrapes: Map<ServiceName, Scrape>) => {
      history.push(scrapes);
      for (const [service, scraped] of scrapes) {
        for (const sample of scraped.samples) {
          if (sample.name === 'tthc_kafka_consumer_lag' && !(sample.value >= 0)) {
            negativeLag.push(`${service} ${JSON.stringify(sample.labels)} ${sample.value}`);
          }
        }
      }
    };

    // The load: 600 dossiers' events in requests of 500, posted while /metrics is read.
    const events = generateDossierEvents(11, 600, `LOAD${namespace.id}`);
    let posting = true;
    const load = (async () => {
      try {
        for (let start = 0; start < events.length; start += 500) {
          const answer = await call(`${url('intake')}/v1/events`, { body: events.slice(start, start + 500) });
          expect(answer.status).toBe(202);
        }
        // One refused request: rejections are counted by reason.
        const refused = await call(`${url('intake')}/v1/events`, { body: [{ eventId: 'x' }] });
        expect(refused.status).toBe(400);
      } finally {
        posting = false;
      }
    })();
    while (posting) {
      record(await scrapeAll());
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    await load;
    // Until every consumer exports its lag (measured every 15 s) and reporting caught up.
    await waitFor(
      async () => {
        const scrapes = await scrapeAll();
        record(scrapes);
        const lagOf = (service: ServiceName) =>
          scrapes.get(service)?.samples.filter((sample) => sample.name === 'tthc_kafka_consumer_lag') ?? [];
        const caughtUp = CONSUMERS.every(
          (service) => lagOf(service).length > 0 && lagOf(service).every((sample) => sample.value === 0),
        );
        return caughtUp ? true : undefined;
      },
      { what: 'every consumer to export a lag of 0', timeoutMs: 180_000 },
    );
    expect(history.length).toBeGreaterThanOrEqual(2);

    expect(negativeLag).toEqual([]);
    for (let index = 1; index < history.length; index++) {
      for (const service of SERVICES) {
        const earlier = history[index - 1]?.get(service);
        const later = history[index]?.get(service);
        if (earlier === undefined || later === undefined) throw new Error(`no scrape of ${service}`);
        expect({ service, decreased: decreasedSeries(earlier, later) }).toEqual({ service, decreased: [] });
      }
    }

    const last = history[history.length - 1] as Map<ServiceName, Scrape>;
    const value = (service: ServiceName, name: string, labels: Record<string, string> = {}) =>
      last
        .get(service)
        ?.samples.filter(
          (sample) =>
            sample.name === name && Object.entries(labels).every(([label, wanted]) => sample.labels[label] === wanted),
        )
        .reduce((sum, sample) => sum + sample.value, 0) ?? NaN;
    for (const service of SERVICES) {
      const types = last.get(service)?.types ?? new Map<string, string>();
      const wanted = [...COMMON, ...EXPECTED[service], ...(CONSUMERS.includes(service) ? CONSUMER_METRICS : [])];
      expect({ service, missing: wanted.filter((name) => !types.has(name)) }).toEqual({ service, missing: [] });
      // Every sample carries the service label; no value of the service's own metrics is NaN (Node's
      // event-loop lag gauges are NaN until sampled).
      for (const sample of last.get(service)?.samples ?? []) {
        expect(sample.labels.service).toBe(service);
        if (sample.name.startsWith('tthc_'))
          expect({ [sample.name]: sample.value }).not.toEqual({ [sample.name]: NaN });
      }
      expect(value(service, 'tthc_http_requests_total', { route: '/metrics', status: '200' })).toBeGreaterThan(0);
    }

    expect(value('intake', 'tthc_intake_events_accepted_total')).toBeGreaterThanOrEqual(events.length);
    expect(value('intake', 'tthc_intake_events_rejected_total', { reason: 'invalid' })).toBeGreaterThanOrEqual(1);
    expect(value('intake', 'tthc_http_requests_total', { route: '/v1/events', status: '202' })).toBeGreaterThan(0);
    for (const [service, queue] of [
      ['intake', 'intake-imports'],
      ['on-time-rate', 'otr-rebuilds'],
    ] as const) {
      for (const state of QUEUE_STATES)
        expect(value(service, 'tthc_queue_jobs', { queue, state })).toBeGreaterThanOrEqual(0);
    }
    expect(value('intake', 'tthc_imports_running')).toBe(0);
    expect(value('on-time-rate', 'tthc_rebuilds_running')).toBe(0);
    for (const service of CONSUMERS) {
      expect(value(service, 'tthc_kafka_messages_handled_total')).toBeGreaterThan(0);
      expect(value(service, 'tthc_kafka_batch_messages_count')).toBeGreaterThan(0);
      expect(value(service, 'tthc_kafka_batch_seconds_count')).toBeGreaterThan(0);
      // One replica: it holds every partition of its shared group (3 per topic in tests).
      expect(value(service, 'tthc_kafka_consumer_assigned_partitions')).toBeGreaterThanOrEqual(3);
      expect(value(service, 'tthc_dead_letters_open')).toBe(0);
    }
    const asOf = value('reporting', 'tthc_reporting_data_as_of_timestamp_seconds');
    expect(asOf).toBeGreaterThan(Date.now() / 1000 - 3600);
    expect(asOf).toBeLessThanOrEqual(Date.now() / 1000 + 60);
  });

  it('counts the progress of an import and of a rebuild; imported events carry the upload request id', async () => {
    const sample = async (service: ServiceName, name: string): Promise<number> => {
      const scraped = parsePrometheusText(await (await fetch(`${url(service)}/metrics`)).text());
      return scraped.samples.filter((s) => s.name === name).reduce((sum, s) => sum + s.value, 0);
    };
    const importedBefore = await sample('intake', 'tthc_import_rows_processed_total');
    const events = generateDossierEvents(13, 40, `IMP${namespace.id}`);
    const uploadId = `imp-${namespace.id}`;
    const uploaded = await call(`${url('intake')}/v1/admin/imports?desk=legacy`, {
      raw: events.map((event) => JSON.stringify(event)).join('\n'),
      contentType: 'application/x-ndjson',
      headers: { 'X-Request-Id': uploadId },
    });
    expect(uploaded.status).toBe(202);
    const importId = (uploaded.body as { id: string }).id;
    await waitFor(
      async () => {
        const view = (await call(`${url('intake')}/v1/admin/imports/${importId}`)).body as { state: string };
        if (view.state === 'failed') throw new Error('the import failed');
        return view.state === 'completed' ? view : undefined;
      },
      { what: 'the import to complete', timeoutMs: 120_000 },
    );
    expect((await sample('intake', 'tthc_import_rows_processed_total')) - importedBefore).toBe(events.length);
    expect(await sample('intake', 'tthc_imports_running')).toBe(0);
    expect(await sample('intake', 'tthc_import_rows_processed')).toBe(0);
    const code = events[0]?.dossierCode ?? '';
    const timeline = await waitFor(
      async () => {
        const answer = await call(`${url('dossier-tracking')}/v1/dossiers/${encodeURIComponent(code)}`);
        return answer.status === 200
          ? (answer.body as { timeline: { correlationId: string | null }[] }).timeline
          : undefined;
      },
      { what: 'the imported dossier to be folded' },
    );
    expect(timeline.map((entry) => entry.correlationId)).toEqual(timeline.map(() => uploadId));

    const rebuiltBefore = await sample('on-time-rate', 'tthc_rebuild_dossiers_processed_total');
    const started = await call(`${url('on-time-rate')}/v1/admin/rebuilds`, { method: 'POST' });
    expect(started.status).toBe(202);
    const rebuildId = (started.body as { id: string }).id;
    const rebuilt = await waitFor(
      async () => {
        const view = (await call(`${url('on-time-rate')}/v1/admin/rebuilds/${rebuildId}`)).body as {
          state: string;
          processed: number;
        };
        if (view.state === 'failed') throw new Error('the rebuild failed');
        return view.state === 'completed' ? view : undefined;
      },
      { what: 'the rebuild to complete', timeoutMs: 120_000 },
    );
    expect(rebuilt.processed).toBeGreaterThan(0);
    expect((await sample('on-time-rate', 'tthc_rebuild_dossiers_processed_total')) - rebuiltBefore).toBe(
      rebuilt.processed,
    );
    expect(await sample('on-time-rate', 'tthc_rebuilds_running')).toBe(0);
    expect(await sample('on-time-rate', 'tthc_rebuild_dossiers_expected')).toBe(0);
  });

  it('wrote only JSON lines in every service during the whole run (above), none of them an error', () => {
    // Every line is JSON with an ISO time in UTC, a level and the service; nothing is an error.
    for (const service of SERVICES) {
      const { records, notJson } = logsOf(service);
      expect(notJson).toEqual([]);
      expect(records.length).toBeGreaterThan(0);
      for (const record of records) {
        expect(record).toMatchObject({ service, level: expect.any(String) as unknown });
        expect(String(record.time)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      }
      expect(records.filter((record) => record.level === 'error' || record.level === 'fatal')).toEqual([]);
    }
  });
});
