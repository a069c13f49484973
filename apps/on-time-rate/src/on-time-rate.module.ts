import { Module, type DynamicModule } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { AuthModule } from '@tthc/auth';
import { ConfigModule, type AppConfig } from '@tthc/config';
import { DOSSIER_FACTS } from '@tthc/contracts';
import { KafkaModule } from '@tthc/kafka';
import { ObservabilityModule } from '@tthc/observability';
import { PersistenceModule } from '@tthc/persistence';
import { QueueModule } from '@tthc/queue';
import { DossierFactsHandler } from './consumers/dossier-facts.handler';
import { CounterLedger } from './persistence/counter-ledger';
import { ClassifiedDossier, ClassifiedDossierSchema } from './persistence/classified-dossier.schema';

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
        MongooseModule.forFeature([{ name: ClassifiedDossier.name, schema: ClassifiedDossierSchema }]),
        KafkaModule.forRoot({ consumer: { group: 'on-time-rate', topics: [DOSSIER_FACTS] } }),
        QueueModule.forRoot({ queues: [] }),
      ],
      providers: [CounterLedger, DossierFactsHandler],
    };
  }
}
