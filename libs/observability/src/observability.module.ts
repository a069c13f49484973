import { Global, Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@tthc/config';
import { HealthRegistry } from './health';
import { createMetricsRegistry, METRICS_REGISTRY } from './metrics';
import { ObservabilityController } from './observability.controller';

/** `/health/live`, `/health/ready` and `/metrics` for every service (docs/api.md §1). */
@Global()
@Module({
  controllers: [ObservabilityController],
  providers: [
    HealthRegistry,
    {
      provide: METRICS_REGISTRY,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => createMetricsRegistry(config.service),
    },
  ],
  exports: [HealthRegistry, METRICS_REGISTRY],
})
export class ObservabilityModule {}
