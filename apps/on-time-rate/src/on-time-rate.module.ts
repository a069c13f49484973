import { Module, type DynamicModule } from '@nestjs/common';
import { AuditModule } from '@tthc/audit';
import { AuthModule } from '@tthc/auth';
import { ConfigModule, type AppConfig } from '@tthc/config';
import { DOSSIER_FACTS, DOSSIER_OUTCOMES } from '@tthc/contracts';
import { DeadLettersModule } from '@tthc/dead-letters';
import { KafkaModule } from '@tthc/kafka';
import { ObservabilityModule } from '@tthc/observability';
import { PersistenceModule } from '@tthc/persistence';
import { QueueModule } from '@tthc/queue';
import { REFERENCE_TOPICS, ReferenceModule } from '@tthc/reference';
import { DossierFactsHandler } from './consumers/dossier-facts.handler';
import { CountingContext } from './counting/counting-context';
import { CountingState } from './persistence/counting-state';
import { OnTimeRateLedger } from './persistence/on-time-rate-ledger';
import { OTR_REBUILDS } from './rebuild/rebuild.queue';
import { RebuildService } from './rebuild/rebuild.service';
import { RebuildStore } from './rebuild/rebuild.store';
import { RebuildWorker } from './rebuild/rebuild.worker';
import { RebuildsController } from './rebuild/rebuilds.controller';
import { COLLECTION_PREFIX } from './collections';

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
        // The reference topics bring the working calendar (non-default counting policies need it)
        // and the desk and viewer keys.
        KafkaModule.forRoot({
          consumer: { group: 'on-time-rate', topics: [DOSSIER_FACTS], broadcastTopics: REFERENCE_TOPICS },
          produces: [DOSSIER_OUTCOMES],
        }),
        ReferenceModule.forRoot({ collectionPrefix: COLLECTION_PREFIX }),
        AuditModule.forRoot({ collectionPrefix: COLLECTION_PREFIX }),
        DeadLettersModule.forRoot({ collectionPrefix: COLLECTION_PREFIX }),
        QueueModule.forRoot({ queues: [OTR_REBUILDS], concurrency: 1 }),
      ],
      controllers: [RebuildsController, DossierFactsHandler],
      providers: [OnTimeRateLedger, CountingContext, CountingState, RebuildStore, RebuildService, RebuildWorker],
    };
  }
}
