import { Inject, Injectable, Optional, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { Admin } from 'kafkajs';
import { APP_CONFIG, type AppConfig } from '@tthc/config';
import { HealthRegistry, type HealthResult } from '@tthc/observability';
import { createKafkaClient } from './kafka-client';
import { KafkaTransport } from './topic-consumer';

/**
 * Readiness of Kafka: the cluster answers a metadata request (with its own client that does not
 * retry, so a stopped broker shows at once), and the service's consumer is in its group.
 */
@Injectable()
export class KafkaHealthIndicator implements OnModuleInit, OnApplicationShutdown {
  readonly name = 'kafka';
  private readonly admin: Admin;
  private connected = false;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly registry: HealthRegistry,
    @Optional() private readonly consumer?: KafkaTransport,
  ) {
    this.admin = createKafkaClient(config.kafka, {
      clientId: `${config.kafka.clientId}-health`,
      retry: { retries: 0 },
      connectionTimeout: 1500,
      requestTimeout: 2500,
      logCreator: () => () => undefined,
    }).admin();
  }

  onModuleInit(): void {
    this.registry.register(this);
  }

  async check(): Promise<HealthResult> {
    try {
      if (!this.connected) {
        await this.admin.connect();
        this.connected = true;
      }
      const cluster = await this.admin.describeCluster();
      if (cluster.brokers.length === 0) return { ok: false, detail: 'no broker in the cluster metadata' };
    } catch (error) {
      this.connected = false;
      await this.admin.disconnect().catch(() => undefined);
      return { ok: false, detail: `Kafka unreachable: ${error instanceof Error ? error.message : String(error)}` };
    }
    return this.consumer === undefined ? { ok: true } : this.consumer.health();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.admin.disconnect().catch(() => undefined);
  }
}
