import { Module, type DynamicModule } from '@nestjs/common';
import { AuthModule } from '@tthc/auth';
import { ConfigModule, type AppConfig } from '@tthc/config';
import { DOSSIER_OUTCOMES } from '@tthc/contracts';
import { KafkaModule } from '@tthc/kafka';
import { ObservabilityModule } from '@tthc/observability';
import { PersistenceModule } from '@tthc/persistence';
import { QueueModule } from '@tthc/queue';
import { DossierOutcomesHandler } from './consumers/dossier-outcomes.handler';
import { ReportingLedger } from './persistence/reporting-ledger';

@Module({})
export class ReportingModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: ReportingModule,
      imports: [
        ConfigModule.forRoot(config),
        ObservabilityModule,
        AuthModule,
        PersistenceModule.forRoot(),
        KafkaModule.forRoot({ consumer: { group: 'reporting', topics: [DOSSIER_OUTCOMES] } }),
        QueueModule.forRoot({ queues: [] }),
      ],
      providers: [ReportingLedger, DossierOutcomesHandler],
    };
  }
}
