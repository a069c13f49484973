import { Module, type DynamicModule } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { AuditModule } from '@tthc/audit';
import { AuthModule } from '@tthc/auth';
import { ConfigModule, type AppConfig } from '@tthc/config';
import { DOSSIER_EVENTS, DOSSIER_FACTS } from '@tthc/contracts';
import { DeadLettersModule } from '@tthc/dead-letters';
import { KafkaModule } from '@tthc/kafka';
import { ObservabilityModule } from '@tthc/observability';
import { PersistenceModule } from '@tthc/persistence';
import { QueueModule } from '@tthc/queue';
import { REFERENCE_TOPICS, ReferenceModule } from '@tthc/reference';
import { DossierEventsHandler } from './consumers/dossier-events.handler';
import { DataQualityController } from './data-quality.controller';
import { DossiersController } from './dossiers.controller';
import { FoldContextProvider } from './domain/fold-context.provider';
import { DossierRefolder } from './domain/refolder.service';
import {
  DataQualityRecord,
  DataQualityRecordSchema,
  DossierRecord,
  DossierRecordSchema,
  TrackedEvent,
  TrackedEventSchema,
} from './persistence/schemas';
import { TrackingRepository } from './persistence/tracking.repository';
import { MaintenanceScheduler, MaintenanceWorker } from './timers/maintenance.worker';
import { OverdueTimerWorker } from './timers/overdue-timer.worker';
import { OverdueTimers } from './timers/overdue-timers.service';
import { OVERDUE_TIMERS, TRACKING_MAINTENANCE } from './timers/queues';
import { TrackingMetrics } from './tracking-metrics';
import { TRACKING_OPTIONS, type TrackingOptions } from './tracking-options';
import { COLLECTION_PREFIX } from './collections';

@Module({})
export class DossierTrackingModule {
  static forRoot(config: AppConfig, options: TrackingOptions = {}): DynamicModule {
    return {
      module: DossierTrackingModule,
      imports: [
        ConfigModule.forRoot(config),
        ObservabilityModule,
        AuthModule,
        PersistenceModule.forRoot(),
        MongooseModule.forFeature([
          { name: TrackedEvent.name, schema: TrackedEventSchema },
          { name: DossierRecord.name, schema: DossierRecordSchema },
          { name: DataQualityRecord.name, schema: DataQualityRecordSchema },
        ]),
        KafkaModule.forRoot({
          consumer: { group: 'dossier-tracking', topics: [DOSSIER_EVENTS], broadcastTopics: REFERENCE_TOPICS },
          produces: [DOSSIER_FACTS],
        }),
        ReferenceModule.forRoot({ collectionPrefix: COLLECTION_PREFIX }),
        AuditModule.forRoot({ collectionPrefix: COLLECTION_PREFIX }),
        DeadLettersModule.forRoot({ collectionPrefix: COLLECTION_PREFIX }),
        QueueModule.forRoot({ queues: [OVERDUE_TIMERS, TRACKING_MAINTENANCE] }),
      ],
      controllers: [DossiersController, DataQualityController, DossierEventsHandler],
      providers: [
        { provide: TRACKING_OPTIONS, useValue: options },
        TrackingRepository,
        TrackingMetrics,
        FoldContextProvider,
        OverdueTimers,
        DossierRefolder,
        OverdueTimerWorker,
        MaintenanceWorker,
        MaintenanceScheduler,
      ],
    };
  }
}
