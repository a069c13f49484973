import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { Kafka } from 'kafkajs';
import { APP_CONFIG, type AppConfig } from '@tthc/config';
import type { TopicDefinition } from '@tthc/contracts';
import { KAFKA_CLIENT, topicName } from './kafka-client';

export const PRODUCED_TOPICS = Symbol('PRODUCED_TOPICS');

/** Creates the service's topics at start-up, before any consumer subscribes (kafkajs#1563). */
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
   * Creates the missing topics and waits until every one has a leader. Retried a few times: right
   * after a creation (ours or another service's, at the same moment) the broker may still answer
   * "topic already exists" or "does not host this topic-partition" for a short while.
   */
  async ensureTopics(topics: readonly TopicDefinition[]): Promise<void> {
    const byName = new Map(topics.map((topic) => [topicName(this.config.kafka, topic), topic]));
    if (byName.size === 0) return;
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      for (let attempt = 1; ; attempt++) {
        try {
          const existing = new Set(await admin.listTopics());
          const missing = [...byName.entries()].filter(([name]) => !existing.has(name));
          if (missing.length > 0) {
            await admin.createTopics({
              waitForLeaders: true,
              topics: missing.map(([name, topic]) => ({
                topic: name,
                numPartitions: topic.partitions === 'events' ? this.config.kafka.eventPartitions : topic.partitions,
                replicationFactor: this.config.kafka.replicationFactor,
                configEntries: [
                  { name: 'cleanup.policy', value: topic.cleanupPolicy },
                  { name: 'retention.ms', value: String(topic.retentionMs) },
                  { name: 'min.insync.replicas', value: String(Math.min(2, this.config.kafka.replicationFactor)) },
                ],
              })),
            });
            this.logger.log(`created topics: ${missing.map(([name]) => name).join(', ')}`);
          }
          await admin.fetchTopicMetadata({ topics: [...byName.keys()] });
          return;
        } catch (error) {
          if (attempt >= TOPIC_ATTEMPTS) throw error;
          this.logger.warn(`topics not ready yet (attempt ${attempt} of ${TOPIC_ATTEMPTS}): ${String(error)}`);
          await new Promise((resolve) => setTimeout(resolve, 300 * attempt));
        }
      }
    } finally {
      await admin.disconnect();
    }
  }
}

const TOPIC_ATTEMPTS = 6;
