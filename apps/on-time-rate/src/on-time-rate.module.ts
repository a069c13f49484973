import { Module, type DynamicModule } from '@nestjs/common';
import { AuthModule } from '@tthc/auth';
import { ConfigModule, type AppConfig } from '@tthc/config';
import { DOSSIER_FACTS, DOSSIER_OUTCOMES } from '@tthc/contracts';
import { KafkaModule } from '@tthc/kafka';
import { ObservabilityModule } from '@tthc/observability';
import { PersistenceModule } from '@tthc/persistence';
import { QueueModule } from '@tthc/queue';
import { DossierFactsHandler } from './consumers/dossier-facts.handler';
import { OnTimeRateLedger } from './persistence/on-time-rate-ledger';

@Module({})
export class OnTimeRateModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: OnTimeRateModule,
      imports: [
        ConfigModule.forRoot(config),
        ObservabilityModule,
        AuthModule,
        PersistenceModule.forRoot(),
        KafkaModule.forRoot({
          consumer: { group: 'on-time-rate', topics: [DOSSIER_FACTS] },
          produces: [DOSSIER_OUTCOMES],
        }),
        QueueModule.forRoot({ queues: [] }),
      ],
      providers: [OnTimeRateLedger, DossierFactsHandler],
    };
  }
}
