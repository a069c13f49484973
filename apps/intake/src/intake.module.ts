import { Module, type DynamicModule } from '@nestjs/common';
import { AuthModule } from '@tthc/auth';
import { ConfigModule, type AppConfig } from '@tthc/config';
import { DOSSIER_EVENTS } from '@tthc/contracts';
import { KafkaModule } from '@tthc/kafka';
import { ObservabilityModule } from '@tthc/observability';
import { PersistenceModule } from '@tthc/persistence';
import { QueueModule } from '@tthc/queue';
import { EventIntakeService } from './events/event-intake.service';
import { EventsController } from './events/events.controller';

@Module({})
export class IntakeModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: IntakeModule,
      imports: [
        ConfigModule.forRoot(config),
        ObservabilityModule,
        AuthModule,
        PersistenceModule.forRoot(),
        KafkaModule.forRoot({ produces: [DOSSIER_EVENTS] }),
        QueueModule.forRoot({ queues: [] }),
      ],
      controllers: [EventsController],
      providers: [EventIntakeService],
    };
  }
}
