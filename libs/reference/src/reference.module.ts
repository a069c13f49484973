import { DynamicModule, Global, Module } from '@nestjs/common';
import { ReferenceTopicsController } from './reference.controller';
import { REFERENCE_OPTIONS, ReferenceData, type ReferenceOptions } from './reference-data';

/**
 * Reference data and access keys for a service. The service must also subscribe to
 * `REFERENCE_TOPICS` in its KafkaModule consumer (their `@EventPattern` handlers are
 * {@link ReferenceTopicsController}, registered here).
 */
@Global()
@Module({})
export class ReferenceModule {
  static forRoot(options: ReferenceOptions): DynamicModule {
    return {
      module: ReferenceModule,
      controllers: [ReferenceTopicsController],
      providers: [{ provide: REFERENCE_OPTIONS, useValue: options }, ReferenceData],
      exports: [ReferenceData],
    };
  }
}
