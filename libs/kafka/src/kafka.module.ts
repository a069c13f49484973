import { DynamicModule, Global, Module, type Provider } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@tthc/config';
import type { TopicDefinition } from '@tthc/contracts';
import { MESSAGE_TRANSPORT } from '@tthc/http';
import { ContractProducer } from './contract-producer';
import { KafkaHealthIndicator } from './kafka-health';
import { createKafkaClient, KAFKA_CLIENT } from './kafka-client';
import { PRODUCED_TOPICS, TopicAdmin } from './topic-admin';
import { CONSUMER_OPTIONS, KafkaTransport, type ConsumerOptions } from './topic-consumer';
import { TransactionalProducer } from './transactional-producer';

export interface KafkaModuleOptions {
  /**
   * The service's consumer group and subscriptions; omit for a producer-only service. The
   * {@link KafkaTransport} runs them: `createService` (libs/http) connects it as a microservice,
   * and each topic needs one `@EventPattern(topic.name)` handler on a controller.
   */
  consumer?: ConsumerOptions;
  /** Topics the service produces to; created at start-up if missing. */
  produces?: readonly TopicDefinition[];
  /** Provide the {@link TransactionalProducer} pool (intake: all-or-nothing publication of a request). */
  transactional?: boolean;
}

@Global()
@Module({})
export class KafkaModule {
  static forRoot(options: KafkaModuleOptions = {}): DynamicModule {
    const providers: Provider[] = [
      {
        provide: KAFKA_CLIENT,
        inject: [APP_CONFIG],
        useFactory: (config: AppConfig) => createKafkaClient(config.kafka),
      },
      { provide: PRODUCED_TOPICS, useValue: options.produces ?? [] },
      TopicAdmin,
      ContractProducer,
      KafkaHealthIndicator,
    ];
    const exports: (symbol | Provider)[] = [KAFKA_CLIENT, TopicAdmin, ContractProducer];
    if (options.consumer !== undefined) {
      providers.push({ provide: CONSUMER_OPTIONS, useValue: options.consumer }, KafkaTransport, {
        provide: MESSAGE_TRANSPORT,
        useExisting: KafkaTransport,
      });
    }
    if (options.transactional === true) {
      providers.push(TransactionalProducer);
      exports.push(TransactionalProducer);
    }
    return {
      module: KafkaModule,
      providers,
      exports,
    };
  }
}
