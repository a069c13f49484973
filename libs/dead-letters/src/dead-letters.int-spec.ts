import { Controller, Module, type DynamicModule } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { Kafka, logLevel } from 'kafkajs';
import { MongoClient } from 'mongodb';
import mongoose from 'mongoose';
import { AuthModule } from '@tthc/auth';
import { ConfigModule, type AppConfig } from '@tthc/config';
import { DOSSIER_EVENTS, deadLetterTopicOf, type DossierEvent } from '@tthc/contracts';
import { KafkaModule, type ConsumedMessage } from '@tthc/kafka';
import { ObservabilityModule } from '@tthc/observability';
import { PersistenceModule } from '@tthc/persistence';
import {
  call,
  mongoUrlFor,
  newNamespace,
  produce,
  readTopic,
  startService,
  testConfig,
  waitFor,
  type RunningService,
  type TestNamespace,
} from '@tthc/testing';
import type { DeadLetterView } from './dead-letter-record';
import { DeadLettersModule } from './dead-letters.module';

/** What the test handler does; each test sets it. */
const behaviour: {
  /** Event ids that fail deterministically while in this set. */
  broken: Set<string>;
  /** When set, every batch first reads through this client (a MongoDB that does not answer). */
  unreachable: MongoClient | null;
  handled: Map<string, number>;
  calls: number;
  /** Names of the driver errors the handler got from `unreachable`. */
  driverErrors: Set<string>;
} = { broken: new Set(), unreachable: null, handled: new Map(), calls: 0, driverErrors: new Set() };

@Controller()
class ScriptedHandler {
  @EventPattern(DOSSIER_EVENTS.name)
  async handleBatch(@Payload() messages: readonly ConsumedMessage<typeof DOSSIER_EVENTS>[]): Promise<void> {
    behaviour.calls++;
    const ids = messages.map((message) => message.value?.event.eventId ?? '');
    if (behaviour.unreachable !== null) {
      try {
        await behaviour.unreachable
          .db('unreachable')
          .collection('anything')
          .findOne({ _id: 'x' as never });
      } catch (error) {
        behaviour.driverErrors.add((error as Error).name);
        throw error;
      }
    }
    const bad = ids.find((id) => behaviour.broken.has(id));
    if (bad !== undefined) throw new Error(`cannot fold ${bad}`);
    for (const id of ids) behaviour.handled.set(id, (behaviour.handled.get(id) ?? 0) + 1);
  }
}

function testModule(config: AppConfig): DynamicModule {
  @Module({})
  class DeadLetterTestModule {}
  return {
    module: DeadLetterTestModule,
    imports: [
      ConfigModule.forRoot(config),
      ObservabilityModule,
      AuthModule,
      PersistenceModule.forRoot(),
      KafkaModule.forRoot({ consumer: { group: 'dlq-test', topics: [DOSSIER_EVENTS] } }),
      DeadLettersModule.forRoot({ collectionPrefix: 'dlq' }),
    ],
    controllers: [ScriptedHandler],
  };
}

const event = (eventId: string) => {
  const value: DossierEvent = {
    eventId,
    type: 'dossier.received',
    occurredAt: '2017-03-14T09:12:00+07:00',
    dossierCode: 'D-1',
    data: { procedureCode: 'P-1', agencyCode: 'A-1', channel: 'online' },
  };
  return { key: 'D-1', value: { deskId: 'desk-1', acceptedAt: '2026-01-01T00:00:00.000Z', event: value } };
};

/** The raw bytes of one message of a namespaced topic. */
async function rawMessageAt(namespace: TestNamespace, partition: number, offset: string) {
  const kafka = new Kafka({
    clientId: 'test-raw',
    brokers: (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(','),
    logLevel: logLevel.NOTHING,
  });
  const consumer = kafka.consumer({ groupId: `${namespace.topicPrefix}raw-${Date.now()}` });
  const topic = `${namespace.topicPrefix}${DOSSIER_EVENTS.name}`;
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    return await new Promise<{ key: Buffer | null; value: Buffer | null }>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no message at ${offset}`)), 30_000);
      void consumer.run({
        eachMessage: ({ partition: got, message }) => {
          if (got === partition && message.offset === offset) {
            clearTimeout(timer);
            resolve({ key: message.key, value: message.value });
          }
          return Promise.resolve();
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
}

const metric = (text: string, name: string, topic: string): number => {
  const line = text.split('\n').find((row) => row.startsWith(`${name}{`) && row.includes(`topic="${topic}"`));
  return line === undefined ? 0 : Number(line.split(' ').pop());
};

describe('dead letters: recorded, listed, redriven once (real Kafka and MongoDB)', () => {
  const namespace = newNamespace('dlq');
  let service: RunningService;
  let db: mongoose.Connection;
  const url = (path: string) => `${service.url}/v1/admin/dead-letters${path}`;

  beforeAll(async () => {
    behaviour.broken = new Set(['poison']);
    behaviour.unreachable = null;
    behaviour.handled = new Map();
    const config = testConfig('dossier-tracking', namespace, { KAFKA_MAX_ATTEMPTS: '2', KAFKA_EVENT_PARTITIONS: '1' });
    service = await startService(config, testModule(config));
    db = await mongoose.createConnection(mongoUrlFor(namespace)).asPromise();
  });
  afterAll(async () => {
    await service?.close();
    await db?.dropDatabase().catch(() => undefined);
    await db?.close();
  });

  it('dead-letters the one message that fails deterministically, to the topic and the collection', async () => {
    await produce(namespace, DOSSIER_EVENTS, [event('a'), event('poison'), event('b')]);
    const [letter] = await readTopic(namespace, deadLetterTopicOf(DOSSIER_EVENTS), 1);
    expect(letter?.value).toMatchObject({ attempts: 2, error: 'Error: cannot fold poison', offset: '1' });
    expect(behaviour.handled.get('a')).toBe(1);
    expect(behaviour.handled.get('b')).toBe(1);

    const list = await waitFor(
      async () => {
        const answer = await call(url('?status=open'));
        return (answer.body as { total: number }).total === 1 ? answer : undefined;
      },
      { what: 'the dead letter in the collection' },
    );
    const item = (list.body as { items: DeadLetterView[] }).items[0];
    expect(item).toMatchObject({
      id: `${DOSSIER_EVENTS.name}|0|1|${namespace.topicPrefix}tthc.dlq-test`,
      sourceTopic: DOSSIER_EVENTS.name,
      status: 'open',
      attempts: 2,
      recorded: 1,
      key: 'D-1',
      redrive: null,
    });
    expect(item).not.toHaveProperty('value');
    const shown = await call(url(`/${encodeURIComponent(item?.id ?? '')}`));
    expect(shown.status).toBe(200);
    expect(JSON.parse((shown.body as DeadLetterView).value ?? '')).toEqual(event('poison').value);

    const metrics = (await call(`${service.url}/metrics`)).text;
    expect(metric(metrics, 'tthc_dead_letters_open', DOSSIER_EVENTS.name)).toBe(1);
    expect(metric(metrics, 'tthc_kafka_dead_letters_total', DOSSIER_EVENTS.name)).toBe(1);
    expect((await call(`${service.url}/health/ready`)).status).toBe(200);
  });

  it('answers problems for unknown ids, bad filters, a missing topic and keys that are not admin', async () => {
    expect((await call(url('/nope'))).status).toBe(404);
    expect((await call(url('/nope/redrive'), { method: 'POST' })).status).toBe(404);
    const bad = await call(url('?status=lost'));
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect((await call(url('?limit=0'))).status).toBe(400);
    expect((await call(url('/redrive'), { method: 'POST' })).status).toBe(400);
    expect((await call(url(''), { key: null })).status).toBe(401);
    expect((await call(url(''), { key: 'not-a-key' })).status).toBe(401);
  });

  it('redrives the original bytes after the fix: handled once, a repeated redrive publishes nothing', async () => {
    const id = `${DOSSIER_EVENTS.name}|0|1|${namespace.topicPrefix}tthc.dlq-test`;
    const original = await rawMessageAt(namespace, 0, '1');
    behaviour.broken.delete('poison');

    const first = await call(url(`/${encodeURIComponent(id)}/redrive`), { method: 'POST' });
    expect(first.status).toBe(200);
    const view = first.body as DeadLetterView;
    expect(view).toMatchObject({ status: 'redriven', redrive: { partition: 0, offset: '3' } });
    expect(view.redrive?.topic).toBe(`${namespace.topicPrefix}${DOSSIER_EVENTS.name}`);

    const second = await call(url(`/${encodeURIComponent(id)}/redrive`), { method: 'POST' });
    expect(second.status).toBe(200);
    expect((second.body as DeadLetterView).redrive).toEqual(view.redrive);
    const bulk = await call(url(`/redrive?topic=${DOSSIER_EVENTS.name}`), { method: 'POST' });
    expect(bulk.body).toMatchObject({ open: 0, redriven: [], refused: [] });

    await waitFor(() => Promise.resolve(behaviour.handled.get('poison') === 1 ? true : undefined), {
      what: 'the redriven message to be handled',
    });
    const republished = await rawMessageAt(namespace, 0, '3');
    expect(republished.key?.equals(original.key ?? Buffer.alloc(0))).toBe(true);
    expect(republished.value?.equals(original.value ?? Buffer.alloc(0))).toBe(true);
    // Nothing else arrives: the topic ends at the one redriven message.
    const producedAfter = await call(url('?status=redriven'));
    expect((producedAfter.body as { total: number }).total).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(behaviour.handled.get('poison')).toBe(1);
    expect(behaviour.handled.get('a')).toBe(1);

    expect((await call(url(`/${encodeURIComponent(id)}/discard`), { method: 'POST' })).status).toBe(409);
    const metrics = (await call(`${service.url}/metrics`)).text;
    expect(metric(metrics, 'tthc_dead_letters_open', DOSSIER_EVENTS.name)).toBe(0);
  });

  it('discards an open letter once, and refuses to redrive it afterwards', async () => {
    behaviour.broken.add('second-poison');
    await produce(namespace, DOSSIER_EVENTS, [event('second-poison')]);
    const open = await waitFor(
      async () => {
        const answer = await call(url('?status=open'));
        return (answer.body as { items: DeadLetterView[] }).items[0];
      },
      { what: 'the second dead letter' },
    );
    const discard = `/${encodeURIComponent(open.id)}/discard`;
    expect((await call(url(discard), { method: 'POST' })).body).toMatchObject({ status: 'discarded' });
    expect((await call(url(discard), { method: 'POST' })).body).toMatchObject({ status: 'discarded' });
    expect((await call(url(`/${encodeURIComponent(open.id)}/redrive`), { method: 'POST' })).status).toBe(409);
    expect(behaviour.handled.get('second-poison')).toBeUndefined();
  });
});

describe('an unreachable MongoDB is waited out, never dead-lettered (real driver errors)', () => {
  const namespace = newNamespace('dlqinfra');
  let service: RunningService;
  let unreachable: MongoClient;

  beforeAll(async () => {
    behaviour.broken = new Set();
    behaviour.handled = new Map();
    behaviour.calls = 0;
    // A second client (the driver under mongoose) at a port nothing listens on: every operation
    // fails with the driver's own server-selection error, as during a real outage.
    unreachable = new MongoClient('mongodb://127.0.0.1:9/unreachable', { serverSelectionTimeoutMS: 200 });
    behaviour.unreachable = unreachable;
    const config = testConfig('dossier-tracking', namespace, { KAFKA_MAX_ATTEMPTS: '2', KAFKA_EVENT_PARTITIONS: '1' });
    service = await startService(config, testModule(config));
  });
  afterAll(async () => {
    behaviour.unreachable = null;
    await service?.close();
    await unreachable?.close().catch(() => undefined);
    const db = await mongoose.createConnection(mongoUrlFor(namespace)).asPromise();
    await db.dropDatabase().catch(() => undefined);
    await db.close();
  });

  it('keeps retrying far beyond KAFKA_MAX_ATTEMPTS with readiness 503, then handles the message once MongoDB answers', async () => {
    await produce(namespace, DOSSIER_EVENTS, [event('x'), event('y')]);
    const waiting = await waitFor(
      async () => {
        const ready = await call(`${service.url}/health/ready`);
        return behaviour.calls >= 5 && ready.status === 503 ? ready : undefined;
      },
      { what: 'five attempts and readiness 503', timeoutMs: 90_000 },
    );
    expect(JSON.stringify(waiting.body)).toMatch(/waiting on infrastructure.*tthc\.dossier-events\.v1\[0\]/);
    // The first operation fails server selection; the driver then closes the topology and later ones say so.
    expect(behaviour.driverErrors).toContain('MongoServerSelectionError');
    const metrics = (await call(`${service.url}/metrics`)).text;
    expect(metric(metrics, 'tthc_kafka_infrastructure_waits_total', DOSSIER_EVENTS.name)).toBeGreaterThanOrEqual(4);
    expect(metric(metrics, 'tthc_kafka_partitions_waiting', DOSSIER_EVENTS.name)).toBe(1);
    expect(metric(metrics, 'tthc_kafka_dead_letters_total', DOSSIER_EVENTS.name)).toBe(0);
    expect(((await call(`${service.url}/v1/admin/dead-letters`)).body as { total: number }).total).toBe(0);

    behaviour.unreachable = null; // MongoDB is back
    await waitFor(() => Promise.resolve(behaviour.handled.get('y') === 1 ? true : undefined), {
      what: 'the batch to be handled after the outage',
      timeoutMs: 60_000,
    });
    expect(behaviour.handled.get('x')).toBe(1);
    await waitFor(async () => ((await call(`${service.url}/health/ready`)).status === 200 ? true : undefined), {
      what: 'readiness 200 again',
    });
    const after = (await call(`${service.url}/metrics`)).text;
    expect(metric(after, 'tthc_kafka_partitions_waiting', DOSSIER_EVENTS.name)).toBe(0);
    expect(metric(after, 'tthc_kafka_dead_letters_total', DOSSIER_EVENTS.name)).toBe(0);
  });
});
