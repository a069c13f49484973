import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { ConfigResourceTypes, type Admin, type Kafka } from 'kafkajs';
import { APP_CONFIG, type AppConfig } from '@tthc/config';
import type { TopicDefinition } from '@tthc/contracts';
import { KAFKA_CLIENT, topicName } from './kafka-client';
import { topicSettingsProblems, TopicSettingsError, type ActualTopicSettings } from './topic-settings';

export const PRODUCED_TOPICS = Symbol('PRODUCED_TOPICS');

/**
 * Creates the service's topics at start-up, before any consumer subscribes (kafkajs#1563), and
 * refuses to start when an existing topic differs from the configuration.
 */
@Injectable()
export class TopicAdmin implements OnApplicationBootstrap {
  private readonly logger = new Logger(TopicAdmin.name);

  constructor(
    @Inject(KAFKA_CLIENT) private readonly kafka: Kafka,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(PRODUCED_TOPICS) private readonly produced: readonly TopicDefinition[],
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.ensureTopics(this.produced);
  }

  /**
   * Creates the missing topics, waits until every one has a leader, then checks that every topic
   * has the configured partition count, replication factor and `min.insync.replicas`, and refuses
   * to start ({@link TopicSettingsError}, listing every difference) otherwise. Retried a few times:
   * right after a creation (ours or another service's, at the same moment) the broker may still
   * answer "topic already exists" or "does not host this topic-partition" for a short while.
   */
  async ensureTopics(topics: readonly TopicDefinition[]): Promise<void> {
    const byName = new Map(topics.map((topic) => [topicName(this.config.kafka, topic), topic]));
    if (byName.size === 0) return;
    const { replicationFactor, minInsyncReplicas, eventPartitions } = this.config.kafka;
    const partitionsOf = (topic: TopicDefinition) =>
      topic.partitions === 'events' ? eventPartitions : topic.partitions;
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      let problems: string[];
      for (let attempt = 1; ; attempt++) {
        try {
          const existing = new Set(await admin.listTopics());
          const missing = [...byName.entries()].filter(([name]) => !existing.has(name));
          if (missing.length > 0) {
            await admin.createTopics({
              waitForLeaders: true,
              topics: missing.map(([name, topic]) => ({
                topic: name,
                numPartitions: partitionsOf(topic),
                replicationFactor,
                configEntries: [
                  { name: 'cleanup.policy', value: topic.cleanupPolicy },
                  { name: 'retention.ms', value: String(topic.retentionMs) },
                  { name: 'min.insync.replicas', value: String(minInsyncReplicas) },
                ],
              })),
            });
            this.logger.log(`created topics: ${missing.map(([name]) => name).join(', ')}`);
          }
          problems = topicSettingsProblems(
            [...byName.entries()].map(([name, topic]) => ({
              name,
              partitions: partitionsOf(topic),
              keyedByDossier: topic.partitions === 'events',
              replicationFactor,
              minInsyncReplicas,
            })),
            await this.describe(admin, [...byName.keys()]),
          );
          break;
        } catch (error) {
          if (attempt >= TOPIC_ATTEMPTS) throw error;
          this.logger.warn(`topics not ready yet (attempt ${attempt} of ${TOPIC_ATTEMPTS}): ${String(error)}`);
          await new Promise((resolve) => setTimeout(resolve, 300 * attempt));
        }
      }
      if (problems.length > 0) throw new TopicSettingsError(problems);
    } finally {
      await admin.disconnect();
    }
  }

  /** Partitions, replicas per partition and effective `min.insync.replicas` of existing topics. */
  private async describe(admin: Admin, names: readonly string[]): Promise<Map<string, ActualTopicSettings>> {
    const metadata = await admin.fetchTopicMetadata({ topics: [...names] });
    const described = await admin.describeConfigs({
      includeSynonyms: false,
      resources: names.map((name) => ({
        type: ConfigResourceTypes.TOPIC,
        name,
        configNames: ['min.insync.replicas'],
      })),
    });
    const minIsr = new Map<string, number>();
    for (const resource of described.resources) {
      if (resource.errorCode !== 0) {
        throw new Error(
          `describing ${resource.resourceName}: ${resource.errorMessage ?? `error ${resource.errorCode}`}`,
        );
      }
      const entry = resource.configEntries.find((config) => config.configName === 'min.insync.replicas');
      if (entry !== undefined) minIsr.set(resource.resourceName, Number(entry.configValue));
    }
    return new Map(
      metadata.topics.map((topic) => [
        topic.name,
        {
          name: topic.name,
          partitions: topic.partitions.length,
          replicasPerPartition: topic.partitions.map((partition) => partition.replicas.length),
          minInsyncReplicas: minIsr.get(topic.name),
        },
      ]),
    );
  }
}

const TOPIC_ATTEMPTS = 6;
