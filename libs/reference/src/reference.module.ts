import { DynamicModule, Global, Module } from '@nestjs/common';
import { REFERENCE_HANDLERS } from './reference.handlers';
import { REFERENCE_OPTIONS, ReferenceData, type ReferenceOptions } from './reference-data';

/**
 * Reference data and access keys for a service. The service must also subscribe to
 * `REFERENCE_TOPICS` in its KafkaModule consumer (the handlers are registered here).
 */
@Global()
@Module({})
export class ReferenceModule {
  static forRoot(options: ReferenceOptions): DynamicModule {
    return {
      module: ReferenceModule,
      providers: [{ provide: REFERENCE_OPTIONS, useValue: options }, ReferenceData, ...REFERENCE_HANDLERS],
      exports: [ReferenceData],
    };
  }
}
