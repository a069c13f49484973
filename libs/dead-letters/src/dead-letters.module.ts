import { DynamicModule, Global, Module } from '@nestjs/common';
import { DEAD_LETTER_SINK } from '@tthc/kafka';
import { DeadLetterMetrics } from './dead-letter-metrics';
import { DEAD_LETTERS_OPTIONS, DeadLetterRepository, type DeadLettersOptions } from './dead-letter.repository';
import { DeadLettersController } from './dead-letters.controller';
import { DeadLettersService } from './dead-letters.service';

/**
 * Dead letters as an operational tool for a consuming service: the consumer (libs/kafka) records
 * every dead letter in `<prefix>_dead_letters` through the {@link DEAD_LETTER_SINK} this module
 * provides, and `/v1/admin/dead-letters` lists, shows, redrives and discards them. Needs the
 * service's KafkaModule (producer) and PersistenceModule (connection).
 */
@Global()
@Module({})
export class DeadLettersModule {
  static forRoot(options: DeadLettersOptions): DynamicModule {
    return {
      module: DeadLettersModule,
      controllers: [DeadLettersController],
      providers: [
        { provide: DEAD_LETTERS_OPTIONS, useValue: options },
        DeadLetterRepository,
        { provide: DEAD_LETTER_SINK, useExisting: DeadLetterRepository },
        DeadLettersService,
        DeadLetterMetrics,
      ],
      exports: [DEAD_LETTER_SINK, DeadLetterRepository, DeadLettersService],
    };
  }
}
