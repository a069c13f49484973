import { IntakeModule } from '../apps/intake/src/intake.module';
import { call, newNamespace, startService, testConfig, waitFor, type RunningService } from '@tthc/testing';

/**
 * Reference data and keys reach every replica, not just one of the consumer group: two intake
 * replicas share a namespace; what is uploaded through one is known to the other.
 */
describe('reference data and keys reach every replica (real Kafka)', () => {
  const namespace = newNamespace('bcast');
  const replicas: RunningService[] = [];

  beforeAll(async () => {
    for (let index = 0; index < 2; index++) {
      const config = testConfig('intake', namespace);
      replicas.push(await startService(config, IntakeModule.forRoot(config)));
    }
  });
  afterAll(async () => {
    await Promise.all(replicas.map((replica) => replica.close()));
  });

  it('fields and desk keys created through either replica are known to both', async () => {
    const [first, second] = replicas as [RunningService, RunningService];
    const agency = { code: 'B-1', name: 'Sở', parentCode: null, level: 'department' };
    expect((await call(`${first.url}/v1/reference/agencies`, { method: 'PUT', body: [agency] })).status).toBe(200);
    // Each replica applies its own uploads at once; only the broadcast makes the other one learn them.
    // (With one shared group, the replica not holding the single partition would never learn.)
    const keys: string[] = [];
    for (const [replica, code] of [
      [first, 'F-A'],
      [second, 'F-B'],
    ] as const) {
      await waitFor(
        async () =>
          (await call(`${replica.url}/v1/reference/fields`, { method: 'PUT', body: [{ code, name: code }] })).status ===
          200
            ? true
            : undefined,
        { what: `upload of ${code}` },
      );
      const desk = await waitFor(
        async () => {
          const answer = await call(`${replica.url}/v1/admin/desks`, { body: { name: code, agencyCodes: ['B-1'] } });
          return answer.status === 201 ? answer : undefined;
        },
        { what: `a desk through the replica that uploaded ${code}` },
      );
      keys.push((desk.body as { key: string }).key);
    }
    for (const replica of replicas) {
      await waitFor(
        async () => {
          const list = (await call(`${replica.url}/v1/reference/fields`)).body as { code: string }[];
          const codes = Array.isArray(list) ? list.map((field) => field.code) : [];
          return codes.includes('F-A') && codes.includes('F-B') ? true : undefined;
        },
        { what: 'every replica to know both fields' },
      );
      for (const key of keys) {
        // A desk key known to the replica is not refused with 401 (415: wrong content type). Many
        // 401s in a row make the address wait (429, failed-authentication throttling): wait on.
        const answer = await waitFor(
          async () => {
            const posted = await call(`${replica.url}/v1/events`, { key, raw: 'x', contentType: 'text/plain' });
            return posted.status === 401 || posted.status === 429 ? undefined : posted;
          },
          { what: 'every replica to accept both desk keys' },
        );
        expect(answer.status).toBe(415);
      }
    }
  });
});
