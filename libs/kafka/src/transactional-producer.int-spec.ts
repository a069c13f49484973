import { Logger } from '@nestjs/common';
import { logLevel } from 'kafkajs';
import { REFERENCE_FIELDS, type TopicDefinition } from '@tthc/contracts';
import { newNamespace, readTopicUntil, testConfig } from '@tthc/testing';
import { KafkaUnavailableError } from './errors';
import { createKafkaClient } from './kafka-client';
import { TransactionalProducer } from './transactional-producer';

/**
 * All-or-nothing publication on the real broker. Failures are real broker answers, not mocks: a
 * topic whose `max.message.bytes` refuses the second part of a send (MESSAGE_TOO_LARGE, not
 * retried), and a topic that does not exist (auto-creation is off), so the second part is retried
 * (UNKNOWN_TOPIC_OR_PARTITION) until the deadline passes.
 */
const TOO_SMALL: TopicDefinition = { ...REFERENCE_FIELDS, name: 'tthc.test-too-small.v1' };
const MISSING: TopicDefinition = { ...REFERENCE_FIELDS, name: 'tthc.test-missing.v1' };

const field = (code: string, name = `field ${code}`) => ({ key: code, value: { code, name } });

describe('TransactionalProducer (real Kafka, read-committed consumers)', () => {
  const namespace = newNamespace('txproducer');
  const config = testConfig('intake', namespace, {
    KAFKA_PRODUCE_TIMEOUT_MS: '2500',
    KAFKA_TRANSACTIONAL_PRODUCERS: '2',
  });
  // The broker's refusals below are expected: kafkajs would log each as an error.
  const kafka = createKafkaClient(config.kafka, { logLevel: logLevel.NOTHING });
  const producer = new TransactionalProducer(kafka, config);

  beforeAll(async () => {
    Logger.overrideLogger(['error']);
    const admin = kafka.admin();
    await admin.connect();
    try {
      await admin.createTopics({
        waitForLeaders: true,
        topics: [
          { topic: `${namespace.topicPrefix}${REFERENCE_FIELDS.name}`, numPartitions: 3, replicationFactor: 1 },
          {
            topic: `${namespace.topicPrefix}${TOO_SMALL.name}`,
            numPartitions: 1,
            replicationFactor: 1,
            configEntries: [{ name: 'max.message.bytes', value: '2000' }],
          },
        ],
      });
    } finally {
      await admin.disconnect();
    }
  });
  afterAll(async () => {
    await producer.onApplicationShutdown();
  });

  /** Keys a read-committed consumer sees once a later committed marker is visible. */
  async function committedKeysUpTo(marker: string): Promise<string[]> {
    await producer.send(REFERENCE_FIELDS, [field(marker)]);
    const read = await readTopicUntil(namespace, REFERENCE_FIELDS, (got) => got.some((m) => m.key === marker), {
      timeoutMs: 30_000,
    });
    return read.map((m) => m.key);
  }

  it('uses one transactional id per pool member, unique to this process', () => {
    expect(producer.transactionalIds).toEqual([
      `${config.kafka.transactions.idPrefix}.0`,
      `${config.kafka.transactions.idPrefix}.1`,
    ]);
    expect(config.kafka.transactions.idPrefix.startsWith(`${namespace.topicPrefix}tthc.intake.`)).toBe(true);
  });

  it('makes a send of several produce requests visible in full', async () => {
    // 1,500 × ~510 bytes: three produce requests of at most 512 KB, one transaction.
    const many = Array.from({ length: 1500 }, (_, i) => field(`full-${i}`, `${i} ${'n'.repeat(490)}`));
    await producer.send(REFERENCE_FIELDS, many);
    const read = await readTopicUntil(namespace, REFERENCE_FIELDS, (got) => got.length >= 1500);
    expect(new Set(read.map((m) => m.key))).toEqual(new Set(many.map((m) => m.key)));
  });

  it('leaves nothing visible when the second produce of a send fails', async () => {
    const first = Array.from({ length: 20 }, (_, i) => field(`failed-${i}`));
    const error = await producer
      .sendAll([
        { topic: REFERENCE_FIELDS, messages: first },
        { topic: TOO_SMALL, messages: Array.from({ length: 10 }, (_, i) => field(`big-${i}`, 'y'.repeat(480))) },
      ])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KafkaUnavailableError);
    expect((error as KafkaUnavailableError).outcome).toBe('none');
    // The first produce really reached the log ...
    const physical = await readTopicUntil(
      namespace,
      REFERENCE_FIELDS,
      (got) => got.filter((m) => m.key.startsWith('failed-')).length >= 20,
      { isolation: 'uncommitted', timeoutMs: 30_000 },
    );
    expect(physical.filter((m) => m.key.startsWith('failed-'))).toHaveLength(20);
    // ... but a read-committed consumer never sees it.
    const committed = await committedKeysUpTo('after-failure');
    expect(committed.filter((key) => key.startsWith('failed-'))).toEqual([]);
    // The same messages sent again are published in full (not dropped as duplicates of the aborted batch).
    await producer.send(REFERENCE_FIELDS, first);
    const retried = await readTopicUntil(
      namespace,
      REFERENCE_FIELDS,
      (got) => got.filter((m) => m.key.startsWith('failed-')).length >= 20,
      { timeoutMs: 30_000 },
    );
    expect(retried.filter((m) => m.key.startsWith('failed-')).map((m) => m.key)).toEqual(
      expect.arrayContaining(first.map((m) => m.key)),
    );
  });

  it('leaves nothing visible when the second produce times out, and aborts at once (no wait for the transaction timeout)', async () => {
    const first = Array.from({ length: 20 }, (_, i) => field(`timedout-${i}`));
    const started = Date.now();
    const error = await producer
      .sendAll([
        { topic: REFERENCE_FIELDS, messages: first },
        { topic: MISSING, messages: [field('never')] },
      ])
      .catch((e: unknown) => e);
    const answeredAfter = Date.now() - started;
    expect(error).toBeInstanceOf(KafkaUnavailableError);
    expect((error as KafkaUnavailableError).message).toMatch(/not published within 2500 ms \(aborted\)/);
    expect((error as KafkaUnavailableError).outcome).toBe('none');
    expect(answeredAfter).toBeGreaterThanOrEqual(2400);
    expect(answeredAfter).toBeLessThan(5000);
    const physical = await readTopicUntil(
      namespace,
      REFERENCE_FIELDS,
      (got) => got.filter((m) => m.key.startsWith('timedout-')).length >= 20,
      { isolation: 'uncommitted', timeoutMs: 30_000 },
    );
    expect(physical.filter((m) => m.key.startsWith('timedout-'))).toHaveLength(20);
    // The open transaction holds read-committed consumers back until it ends: the marker becomes
    // visible well before the 60 s transaction timeout only because the replaced producer fenced it.
    const fencedAt = Date.now();
    const committed = await committedKeysUpTo('after-timeout');
    expect(Date.now() - fencedAt).toBeLessThan(20_000);
    expect(committed.filter((key) => key.startsWith('timedout-'))).toEqual([]);
    // Nothing of it appears later either.
    const later = await committedKeysUpTo('later');
    expect(later.filter((key) => key.startsWith('timedout-') || key === 'never')).toEqual([]);
  });

  it('runs concurrent sends in parallel transactions, more of them than producers', async () => {
    await Promise.all(
      Array.from({ length: 6 }, (_, n) =>
        producer.send(
          REFERENCE_FIELDS,
          Array.from({ length: 50 }, (_, i) => field(`concurrent-${n}-${i}`)),
        ),
      ),
    );
    const read = await readTopicUntil(
      namespace,
      REFERENCE_FIELDS,
      (got) => got.filter((m) => m.key.startsWith('concurrent-')).length >= 300,
    );
    expect(new Set(read.filter((m) => m.key.startsWith('concurrent-')).map((m) => m.key)).size).toBe(300);
  });
});
