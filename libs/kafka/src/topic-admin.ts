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

  async ensureTopics(topics: readonly TopicDefinition[]): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const existing = new Set(await admin.listTopics());
      const missing = topics.filter((topic) => !existing.has(topicName(this.config.kafka, topic)));
      if (missing.length === 0) return;
      const unique = new Map(missing.map((topic) => [topicName(this.config.kafka, topic), topic]));
      await admin.createTopics({
        waitForLeaders: true,
        topics: [...unique.entries()].map(([name, topic]) => ({
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
      this.logger.log(`created topics: ${[...unique.keys()].join(', ')}`);
    } finally {
      await admin.disconnect();
    }
  }
}
