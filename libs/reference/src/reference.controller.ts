import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import {
  ACCESS_KEYS,
  REFERENCE_AGENCIES,
  REFERENCE_CALENDARS,
  REFERENCE_FIELDS,
  REFERENCE_PROCEDURES,
  type TopicDefinition,
} from '@tthc/contracts';
import type { ConsumedMessage } from '@tthc/kafka';
import { ReferenceData, type ReferenceChange, type ReferenceKind } from './reference-data';

/** The compacted topics every service that uses reference data subscribes to. */
export const REFERENCE_TOPICS: readonly TopicDefinition[] = [
  REFERENCE_AGENCIES,
  REFERENCE_FIELDS,
  REFERENCE_PROCEDURES,
  REFERENCE_CALENDARS,
  ACCESS_KEYS,
];

type Batch<T extends TopicDefinition> = readonly ConsumedMessage<T>[];

/**
 * Keeps the service's copy of the reference and key topics: each (broadcast) batch becomes
 * changes of {@link ReferenceData}, a tombstone (null value) a removal.
 */
@Controller()
export class ReferenceTopicsController {
  constructor(private readonly data: ReferenceData) {}

  @EventPattern(REFERENCE_AGENCIES.name)
  agencies(@Payload() messages: Batch<typeof REFERENCE_AGENCIES>): Promise<void> {
    return this.apply('agency', messages);
  }

  @EventPattern(REFERENCE_FIELDS.name)
  fields(@Payload() messages: Batch<typeof REFERENCE_FIELDS>): Promise<void> {
    return this.apply('field', messages);
  }

  @EventPattern(REFERENCE_PROCEDURES.name)
  procedures(@Payload() messages: Batch<typeof REFERENCE_PROCEDURES>): Promise<void> {
    return this.apply('procedure', messages);
  }

  @EventPattern(REFERENCE_CALENDARS.name)
  calendars(@Payload() messages: Batch<typeof REFERENCE_CALENDARS>): Promise<void> {
    return this.apply('calendar', messages);
  }

  @EventPattern(ACCESS_KEYS.name)
  keys(@Payload() messages: Batch<typeof ACCESS_KEYS>): Promise<void> {
    return this.apply('key', messages);
  }

  private apply(kind: ReferenceKind, messages: Batch<TopicDefinition>): Promise<void> {
    const changes = messages.map(
      (message) => ({ kind, code: String(message.key), value: message.value }) as ReferenceChange,
    );
    return this.data.apply(changes);
  }
}
