import { Module, type DynamicModule } from '@nestjs/common';
import { AuditModule } from '@tthc/audit';
import { AuthModule } from '@tthc/auth';
import { ConfigModule, type AppConfig } from '@tthc/config';
import { DOSSIER_OUTCOMES } from '@tthc/contracts';
import { DeadLettersModule } from '@tthc/dead-letters';
import { KafkaModule } from '@tthc/kafka';
import { ObservabilityModule } from '@tthc/observability';
import { PersistenceModule } from '@tthc/persistence';
import { QueueModule } from '@tthc/queue';
import { REFERENCE_TOPICS, ReferenceModule } from '@tthc/reference';
import { DossierOutcomesHandler } from './consumers/dossier-outcomes.handler';
import { DashboardModule } from './dashboard/dashboard.module';
import { MeController } from './me.controller';
import { OverdueIndexMaintenance } from './persistence/overdue-index-maintenance';
import { ReportingLedger } from './persistence/reporting-ledger';
import { ReportingMeta } from './persistence/reporting-meta';
import { ReportingMetrics } from './reporting-metrics';
import { CounterCache } from './reports/counter-cache';
import { ReportDossiersRepository } from './reports/report-dossiers.repository';
import { ReportsController } from './reports/reports.controller';
import { ReportsService } from './reports/reports.service';
import { SCHEDULED_REPORTS, SCHEDULED_REPORTS_CONTROLLERS, SCHEDULED_REPORTS_PROVIDERS } from './scheduled';
import { COLLECTION_PREFIX } from './collections';

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
        KafkaModule.forRoot({
          consumer: { group: 'reporting', topics: [DOSSIER_OUTCOMES], broadcastTopics: REFERENCE_TOPICS },
        }),
        ReferenceModule.forRoot({ collectionPrefix: COLLECTION_PREFIX }),
        AuditModule.forRoot({ collectionPrefix: COLLECTION_PREFIX }),
        DeadLettersModule.forRoot({ collectionPrefix: COLLECTION_PREFIX }),
        QueueModule.forRoot({ queues: [SCHEDULED_REPORTS] }),
        DashboardModule,
      ],
      controllers: [ReportsController, MeController, ...SCHEDULED_REPORTS_CONTROLLERS, DossierOutcomesHandler],
      providers: [
        ReportingLedger,
        ReportingMeta,
        OverdueIndexMaintenance,
        {
          provide: CounterCache,
          inject: [ReportingLedger, ReportingMeta],
          useFactory: (ledger: ReportingLedger, meta: ReportingMeta) =>
            new CounterCache({
              rows: () => ledger.rows(),
              sequence: () => ledger.sequence(),
              onJournalCompleted: (listener) => ledger.onJournalCompleted(listener),
              dataAsOf: () => meta.dataAsOf(),
            }),
        },
        ReportDossiersRepository,
        ReportsService,
        ReportingMetrics,
        ...SCHEDULED_REPORTS_PROVIDERS,
      ],
    };
  }
}
