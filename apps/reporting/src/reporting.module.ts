import { Module, type DynamicModule } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { AuthModule } from '@tthc/auth';
import { ConfigModule, type AppConfig } from '@tthc/config';
import { DOSSIER_FACTS } from '@tthc/contracts';
import { KafkaModule } from '@tthc/kafka';
import { ObservabilityModule } from '@tthc/observability';
import { PersistenceModule } from '@tthc/persistence';
import { QueueModule } from '@tthc/queue';
import { ReportingFactsHandler } from './consumers/dossier-facts.handler';
import { ReportDossierRepository } from './persistence/report-dossier.repository';
import { ReportDossier, ReportDossierSchema } from './persistence/report-dossier.schema';

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
        MongooseModule.forFeature([{ name: ReportDossier.name, schema: ReportDossierSchema }]),
        KafkaModule.forRoot({ consumer: { group: 'reporting', topics: [DOSSIER_FACTS] } }),
        QueueModule.forRoot({ queues: [] }),
      ],
      providers: [ReportDossierRepository, ReportingFactsHandler],
    };
  }
}
