import { DossierTrackingModule } from '../apps/dossier-tracking/src/dossier-tracking.module';
import { IntakeModule } from '../apps/intake/src/intake.module';
import { OnTimeRateModule } from '../apps/on-time-rate/src/on-time-rate.module';
import { ReportingModule } from '../apps/reporting/src/reporting.module';
import {
  call,
  controlKafka,
  newNamespace,
  startService,
  testConfig,
  waitFor,
  type RunningService,
} from '@tthc/testing';

/**
 * docs/api.md §1: every service answers /health/live, /health/ready (checks its Kafka, MongoDB and
 * Redis) and /metrics; readiness turns 503 when Kafka stops and 200 again when it is back.
 */
describe('health and readiness of the four services (stops and restarts the real Kafka)', () => {
  const namespace = newNamespace('ready');
  const services: RunningService[] = [];

  beforeAll(async () => {
    for (const [service, module] of [
      ['intake', IntakeModule],
      ['dossier-tracking', DossierTrackingModule],
      ['on-time-rate', OnTimeRateModule],
      ['reporting', ReportingModule],
    ] as const) {
      const config = testConfig(service, namespace);
      services.push(await startService(config, module.forRoot(config)));
    }
  });

  afterAll(async () => {
    await controlKafka('start');
    await Promise.all(services.map((service) => service.close()));
  });

  const readiness = async () =>
    Promise.all(services.map(async (service) => (await call(`${service.url}/health/ready`)).status));

  it('is live, ready and exposes Prometheus metrics while every dependency answers', async () => {
    await waitFor(async () => ((await readiness()).every((status) => status === 200) ? true : undefined), {
      what: 'all four services to be ready',
    });
    for (const service of services) {
      expect((await call(`${service.url}/health/live`)).status).toBe(200);
      const ready = await call(`${service.url}/health/ready`);
      expect(Object.keys((ready.body as { checks: object }).checks).sort()).toEqual(['kafka', 'mongodb', 'redis']);
      const metrics = await call(`${service.url}/metrics`);
      expect(metrics.status).toBe(200);
      expect(metrics.headers.get('content-type')).toMatch(/text\/plain/);
      expect(metrics.text).toMatch(new RegExp(`process_cpu_seconds_total\\{service="${service.config.service}"\\}`));
    }
  });

  it('answers 503 when Kafka is stopped and 200 again after it restarts', async () => {
    await controlKafka('stop');
    const down = await waitFor(
      async () => {
        const statuses = await readiness();
        return statuses.every((status) => status === 503) ? statuses : undefined;
      },
      { what: 'every service to report 503 with Kafka stopped', timeoutMs: 30_000 },
    );
    expect(down).toEqual([503, 503, 503, 503]);
    const detail = await call(`${services[0]?.url ?? ''}/health/ready`);
    expect(detail.body).toMatchObject({
      status: 'not_ready',
      checks: { kafka: { ok: false }, mongodb: { ok: true }, redis: { ok: true } },
    });

    await controlKafka('start');
    const up = await waitFor(
      async () => {
        const statuses = await readiness();
        return statuses.every((status) => status === 200) ? statuses : undefined;
      },
      { what: 'every service to be ready again after Kafka restarted', timeoutMs: 120_000 },
    );
    expect(up).toEqual([200, 200, 200, 200]);
  });
});
