import { Logger } from '@nestjs/common';
import { Kafka, logLevel, type KafkaConfig as KafkaJsConfig, type LogEntry } from 'kafkajs';
import type { KafkaConfig } from '@tthc/config';
import type { TopicDefinition } from '@tthc/contracts';
import { kafkajsLogLevel } from '@tthc/observability';

/** Injection token of the service's kafkajs client. */
export const KAFKA_CLIENT = Symbol('KAFKA_CLIENT');

function logCreator(context: string) {
  const logger = new Logger(context);
  return () =>
    ({ level, log }: LogEntry) => {
      const { message, ...extra } = log;
      const text = `${message} ${Object.keys(extra).length > 2 ? JSON.stringify(extra) : ''}`.trim();
      // Known-benign start-up races (topic creation, coordinator loading) are demoted to debug.
      const target = kafkajsLogLevel(level, log);
      if (target !== undefined) logger[target](text);
    };
}

/**
 * kafkajs' `ssl` and `sasl` options from the validated configuration (docs/security.md): PLAINTEXT
 * when neither is configured (local runs).
 */
export function kafkaSecurityOptions(config: Pick<KafkaConfig, 'ssl' | 'sasl'>): Pick<KafkaJsConfig, 'ssl' | 'sasl'> {
  const options: Pick<KafkaJsConfig, 'ssl' | 'sasl'> = {};
  if (config.ssl !== false) {
    const { ca, cert, key } = config.ssl;
    options.ssl =
      ca === undefined && cert === undefined
        ? true
        : {
            rejectUnauthorized: true,
            ...(ca === undefined ? {} : { ca: [ca] }),
            ...(cert === undefined ? {} : { cert }),
            ...(key === undefined ? {} : { key }),
          };
  }
  if (config.sasl !== undefined) {
    const { username, password } = config.sasl;
    switch (config.sasl.mechanism) {
      case 'plain':
        options.sasl = { mechanism: 'plain', username, password };
        break;
      case 'scram-sha-256':
        options.sasl = { mechanism: 'scram-sha-256', username, password };
        break;
      case 'scram-sha-512':
        options.sasl = { mechanism: 'scram-sha-512', username, password };
        break;
    }
  }
  return options;
}

export function createKafkaClient(config: KafkaConfig, overrides: Partial<KafkaJsConfig> = {}): Kafka {
  return new Kafka({
    clientId: config.clientId,
    brokers: config.brokers,
    ...kafkaSecurityOptions(config),
    connectionTimeout: 3000,
    requestTimeout: 30000,
    retry: { initialRetryTime: 200, maxRetryTime: 5000, retries: 8 },
    logLevel: logLevel.INFO,
    logCreator: logCreator(`kafkajs:${config.clientId}`),
    ...overrides,
  });
}

/** The deployed name of a logical topic (test runs and tenants may prefix every name). */
export function topicName(config: Pick<KafkaConfig, 'topicPrefix'>, topic: TopicDefinition | string): string {
  const name = typeof topic === 'string' ? topic : topic.name;
  return `${config.topicPrefix}${name}`;
}
