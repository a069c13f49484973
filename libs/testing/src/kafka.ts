import { Kafka, logLevel } from 'kafkajs';
import { loadConfig } from '@tthc/config';
import { KeyRecordSigner } from '@tthc/auth';
import {
  decodeMessage,
  encodeMessage,
  type AccessKey,
  type KeyOf,
  type TopicDefinition,
  type ValueOf,
} from '@tthc/contracts';
import { headersOf, kafkaSecurityOptions } from '@tthc/kafka';
import { TEST_KEYS_SECRET, type TestNamespace } from './environment';

/** A kafkajs client of the suite's brokers, with the KAFKA_SSL / KAFKA_SASL_* settings of the environment. */
export function testKafkaClient(label: string): Kafka {
  const config = loadConfig('intake', { ...process.env, NODE_ENV: 'test' }).kafka;
  return new Kafka({
    clientId: `test-${label}`,
    brokers: config.brokers,
    ...kafkaSecurityOptions(config),
    logLevel: logLevel.NOTHING,
  });
}

const client = testKafkaClient;

/**
 * Access-key records signed as intake signs them, for tests that produce key records straight to
 * the topic (the services install no unsigned record; docs/security.md).
 */
export function signedKeyRecords<M extends { key: string; value: AccessKey }>(messages: readonly M[]): M[] {
  const signer = new KeyRecordSigner([TEST_KEYS_SECRET]);
  return messages.map((message) => ({ ...message, value: signer.sign(message.value) }));
}

/** Produces validated messages to a namespaced topic (the topic must exist: a service creates it). */
export async function produce<T extends TopicDefinition>(
  namespace: TestNamespace,
  topic: T,
  messages: readonly { key: KeyOf<T>; value: ValueOf<T>; headers?: Record<string, string> }[],
): Promise<void> {
  const producer = client('producer').producer({ allowAutoTopicCreation: false });
  await producer.connect();
  try {
    await producer.send({
      topic: `${namespace.topicPrefix}${topic.name}`,
      acks: -1,
      messages: messages.map((message) => ({
        ...encodeMessage(topic, message.key, message.value),
        ...(message.headers === undefined ? {} : { headers: message.headers }),
      })),
    });
  } finally {
    await producer.disconnect();
  }
}

/** Reads a namespaced topic from the beginning until `expected` messages arrived (validated). */
export async function readTopic<T extends TopicDefinition>(
  namespace: TestNamespace,
  topic: T,
  expected: number,
  timeoutMs = 60_000,
): Promise<{ key: KeyOf<T>; value: ValueOf<T> | null; partition: number }[]> {
  const consumer = client('reader').consumer({
    groupId: `${namespace.topicPrefix}reader-${Date.now()}-${Math.random()}`,
    // What the services see: committed transactions only.
    readUncommitted: false,
  });
  const received: { key: KeyOf<T>; value: ValueOf<T> | null; partition: number }[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic: `${namespace.topicPrefix}${topic.name}`, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`only ${received.length} of ${expected} messages arrived`)),
        timeoutMs,
      );
      consumer
        .run({
          eachMessage: ({ message, partition }) => {
            const decoded = decodeMessage(topic, message.key, message.value);
            received.push({ ...decoded, partition });
            if (received.length >= expected) {
              clearTimeout(timer);
              resolve();
            }
            return Promise.resolve();
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return received;
}

/** Moves a (namespaced) consumer group of a service back to offset 0 of a topic; the group must have no member. */
export async function rewindGroup(namespace: TestNamespace, service: string, topic: TopicDefinition): Promise<void> {
  const admin = client('admin').admin();
  await admin.connect();
  try {
    await admin.resetOffsets({
      groupId: `${namespace.topicPrefix}tthc.${service}`,
      topic: `${namespace.topicPrefix}${topic.name}`,
      earliest: true,
    });
  } finally {
    await admin.disconnect();
  }
}

/** How many messages of a topic a service's consumer group has not committed yet. */
export async function groupLag(namespace: TestNamespace, service: string, topic: TopicDefinition): Promise<number> {
  const admin = client('admin').admin();
  await admin.connect();
  try {
    const name = `${namespace.topicPrefix}${topic.name}`;
    const [ends, committed] = await Promise.all([
      admin.fetchTopicOffsets(name),
      admin.fetchOffsets({ groupId: `${namespace.topicPrefix}tthc.${service}`, topics: [name] }),
    ]);
    const done = new Map(
      (committed[0]?.partitions ?? []).map((partition) => [partition.partition, Number(partition.offset)]),
    );
    return ends.reduce(
      (lag, end) => lag + Math.max(0, Number(end.high) - Math.max(0, done.get(end.partition) ?? 0)),
      0,
    );
  } finally {
    await admin.disconnect();
  }
}

/** A message read back by {@link readTopicUntil}: decoded key and value, partition, headers as strings. */
export interface ReadMessage<T extends TopicDefinition> {
  key: KeyOf<T>;
  value: ValueOf<T> | null;
  partition: number;
  headers: Record<string, string>;
}

/**
 * Reads a namespaced topic from the beginning until `done(received)` holds; `isolation` chooses
 * what a consumer sees of transactions: `committed` (what the services see) or `uncommitted`
 * (also the records of open and aborted transactions: shows what was physically written).
 */
export async function readTopicUntil<T extends TopicDefinition>(
  namespace: TestNamespace,
  topic: T,
  done: (received: readonly ReadMessage<T>[]) => boolean,
  options: { isolation?: 'committed' | 'uncommitted'; timeoutMs?: number } = {},
): Promise<ReadMessage<T>[]> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const consumer = client('reader').consumer({
    groupId: `${namespace.topicPrefix}reader-${Date.now()}-${Math.random()}`,
    readUncommitted: options.isolation === 'uncommitted',
  });
  const received: ReadMessage<T>[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic: `${namespace.topicPrefix}${topic.name}`, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`the condition did not hold within ${timeoutMs} ms (${received.length} messages read)`)),
        timeoutMs,
      );
      consumer
        .run({
          eachMessage: ({ message, partition }) => {
            received.push({
              ...decodeMessage(topic, message.key, message.value),
              partition,
              headers: headersOf(message.headers),
            });
            if (done(received)) {
              clearTimeout(timer);
              resolve();
            }
            return Promise.resolve();
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return received;
}
