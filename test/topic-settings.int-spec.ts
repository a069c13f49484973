import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Kafka, logLevel } from 'kafkajs';
import { ConfigModule, type AppConfig } from '@tthc/config';
import { DOSSIER_EVENTS, DOSSIER_FACTS } from '@tthc/contracts';
import { KafkaModule, TopicSettingsError } from '@tthc/kafka';
import { ObservabilityModule } from '@tthc/observability';
import { newNamespace, testConfig, type TestNamespace } from '@tthc/testing';

/**
 * A service refuses to start when an existing topic differs from the configuration (partition
 * count of the keyed topics, replication factor, min.insync.replicas), listing every difference.
 * Topics are prepared with the admin client on the suite's (single-broker) Kafka.
 */
const kafka = new Kafka({
  clientId: 'test-topic-settings',
  brokers: (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(','),
  logLevel: logLevel.NOTHING,
});

async function createTopic(
  namespace: TestNamespace,
  name: string,
  partitions: number,
  minInsyncReplicas: number,
): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({
      waitForLeaders: true,
      topics: [
        {
          topic: `${namespace.topicPrefix}${name}`,
          numPartitions: partitions,
          replicationFactor: 1,
          configEntries: [{ name: 'min.insync.replicas', value: String(minInsyncReplicas) }],
        },
      ],
    });
  } finally {
    await admin.disconnect();
  }
}

/** Boots a module that produces the event and fact topics; resolves with the boot error, if any. */
async function boot(config: AppConfig): Promise<unknown> {
  @Module({
    imports: [
      ConfigModule.forRoot(config),
      ObservabilityModule,
      KafkaModule.forRoot({ produces: [DOSSIER_EVENTS, DOSSIER_FACTS] }),
    ],
  })
  class ProducerModule {}
  const app = await NestFactory.create(ProducerModule, { logger: false, abortOnError: false });
  try {
    await app.init();
    return undefined;
  } catch (error) {
    return error;
  } finally {
    await app.close().catch(() => undefined);
  }
}

describe('a service refuses to boot when its topics differ from the configuration (real Kafka)', () => {
  it('boots when the existing topics are as configured', async () => {
    const namespace = newNamespace('settingsok');
    await createTopic(namespace, DOSSIER_EVENTS.name, 3, 1);
    expect(await boot(testConfig('dossier-tracking', namespace))).toBeUndefined();
  });

  it('refuses a keyed topic whose partitions were added, and a wrong min.insync.replicas, listing both', async () => {
    const namespace = newNamespace('settingsbad');
    await createTopic(namespace, DOSSIER_EVENTS.name, 3, 1);
    await createTopic(namespace, DOSSIER_FACTS.name, 3, 2);
    const admin = kafka.admin();
    await admin.connect();
    await admin.createPartitions({
      topicPartitions: [{ topic: `${namespace.topicPrefix}${DOSSIER_EVENTS.name}`, count: 5 }],
    });
    await admin.disconnect();

    const error = await boot(testConfig('dossier-tracking', namespace));
    expect(error).toBeInstanceOf(TopicSettingsError);
    const problems = (error as TopicSettingsError).problems;
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/dossier-events.v1 has 5 partitions but KAFKA_EVENT_PARTITIONS is 3/);
    expect(problems[0]).toMatch(/same partition/);
    expect(problems[1]).toMatch(/dossier-facts.v1 has min.insync.replicas 2 but KAFKA_MIN_INSYNC_REPLICAS is 1/);
    expect((error as Error).message).toMatch(/refusing to start/);
  });

  it('refuses topics with another replication factor than KAFKA_REPLICATION_FACTOR', async () => {
    const namespace = newNamespace('settingsrf');
    await createTopic(namespace, DOSSIER_EVENTS.name, 3, 1);
    await createTopic(namespace, DOSSIER_FACTS.name, 3, 1);
    const error = await boot(testConfig('dossier-tracking', namespace, { KAFKA_REPLICATION_FACTOR: '3' }));
    expect(error).toBeInstanceOf(TopicSettingsError);
    expect((error as TopicSettingsError).problems).toEqual([
      `${namespace.topicPrefix}${DOSSIER_EVENTS.name} has replication factor 1 but KAFKA_REPLICATION_FACTOR is 3`,
      `${namespace.topicPrefix}${DOSSIER_FACTS.name} has replication factor 1 but KAFKA_REPLICATION_FACTOR is 3`,
    ]);
  });
});
