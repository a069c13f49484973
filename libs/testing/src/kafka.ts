import { Kafka, logLevel } from 'kafkajs';
import { decodeMessage, encodeMessage, type KeyOf, type TopicDefinition, type ValueOf } from '@tthc/contracts';
import type { TestNamespace } from './environment';

function client(label: string): Kafka {
  return new Kafka({
    clientId: `test-${label}`,
    brokers: (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(','),
    logLevel: logLevel.NOTHING,
  });
}

/** Produces validated messages to a namespaced topic (the topic must exist: a service creates it). */
export async function produce<T extends TopicDefinition>(
  namespace: TestNamespace,
  topic: T,
  messages: readonly { key: KeyOf<T>; value: ValueOf<T> }[],
): Promise<void> {
  const producer = client('producer').producer({ allowAutoTopicCreation: false });
  await producer.connect();
  try {
    await producer.send({
      topic: `${namespace.topicPrefix}${topic.name}`,
      acks: -1,
      messages: messages.map((message) => encodeMessage(topic, message.key, message.value)),
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
