import { Module, type DynamicModule } from '@nestjs/common';
import { AuditModule } from '@tthc/audit';
import { AuthModule } from '@tthc/auth';
import { ConfigModule, type AppConfig } from '@tthc/config';
import { DOSSIER_EVENTS } from '@tthc/contracts';
import { DeadLettersModule } from '@tthc/dead-letters';
import { KafkaModule } from '@tthc/kafka';
import { ObservabilityModule } from '@tthc/observability';
import { PersistenceModule } from '@tthc/persistence';
import { QueueModule } from '@tthc/queue';
import { REFERENCE_TOPICS, ReferenceModule } from '@tthc/reference';
import { EventIntakeService } from './events/event-intake.service';
import { IntakeMetrics } from './events/intake-metrics';
import { EventsController } from './events/events.controller';
import { ImportService } from './import/import.service';
import { ImportStore } from './import/import.store';
import { INTAKE_IMPORTS } from './import/import.queue';
import { ImportWorker } from './import/import.worker';
import { ImportsController } from './import/imports.controller';
import { KeysController } from './keys/keys.controller';
import { KeysService } from './keys/keys.service';
import { EventRateLimiter } from './rate-limit/rate-limiter';
import { ReferenceAdminService } from './reference/reference-admin.service';
import { ReferenceController } from './reference/reference.controller';
import { COLLECTION_PREFIX } from './collections';
import { DeskSyncController } from './sync/desk-sync.controller';
import { DeskSyncService } from './sync/desk-sync.service';
import { SYNC_OPTIONS, SYNC_OUTBOX_SWEEP, type SyncOptions } from './sync/outbox-sweep.queue';
import { OutboxSweepWorker } from './sync/outbox-sweep.worker';
import { SyncMetrics } from './sync/sync-metrics';
import { SyncStore } from './sync/sync.store';

@Module({})
export class IntakeModule {
  /** `sync`: options of the portal adapter's outbox sweep (tests shorten its interval). */
  static forRoot(config: AppConfig, sync: SyncOptions = {}): DynamicModule {
    return {
      module: IntakeModule,
      imports: [
        ConfigModule.forRoot(config),
        ObservabilityModule,
        AuthModule,
        PersistenceModule.forRoot(),
        KafkaModule.forRoot({
          // Every replica learns the keys and reference data it validates against.
          consumer: { group: 'intake', topics: [], broadcastTopics: REFERENCE_TOPICS },
          produces: [DOSSIER_EVENTS, ...REFERENCE_TOPICS],
          // Each request (and each bulk-import chunk) is published in one transaction.
          transactional: true,
        }),
        ReferenceModule.forRoot({ collectionPrefix: COLLECTION_PREFIX }),
        AuditModule.forRoot({ collectionPrefix: COLLECTION_PREFIX }),
        // Its reference consumer dead-letters too (list and discard; compacted topics are not redriven).
        DeadLettersModule.forRoot({ collectionPrefix: COLLECTION_PREFIX }),
        QueueModule.forRoot({ queues: [INTAKE_IMPORTS, SYNC_OUTBOX_SWEEP] }),
      ],
      controllers: [EventsController, DeskSyncController, ReferenceController, KeysController, ImportsController],
      providers: [
        EventRateLimiter,
        EventIntakeService,
        IntakeMetrics,
        ReferenceAdminService,
        KeysService,
        ImportStore,
        ImportService,
        ImportWorker,
        SyncStore,
        SyncMetrics,
        DeskSyncService,
        OutboxSweepWorker,
        { provide: SYNC_OPTIONS, useValue: sync },
      ],
    };
  }
}
