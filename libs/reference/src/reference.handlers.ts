import { Inject, Injectable, type Type } from '@nestjs/common';
import {
  ACCESS_KEYS,
  REFERENCE_AGENCIES,
  REFERENCE_CALENDARS,
  REFERENCE_FIELDS,
  REFERENCE_PROCEDURES,
  type TopicDefinition,
} from '@tthc/contracts';
import { HandlesTopic, type ConsumedMessage, type TopicBatchHandler } from '@tthc/kafka';
import { ReferenceData, type ReferenceChange, type ReferenceKind } from './reference-data';

/** The compacted topics every service that uses reference data subscribes to. */
export const REFERENCE_TOPICS: readonly TopicDefinition[] = [
  REFERENCE_AGENCIES,
  REFERENCE_FIELDS,
  REFERENCE_PROCEDURES,
  REFERENCE_CALENDARS,
  ACCESS_KEYS,
];

function handlerFor(topic: TopicDefinition, kind: ReferenceKind): Type<TopicBatchHandler<TopicDefinition>> {
  @HandlesTopic(topic)
  @Injectable()
  class ReferenceTopicHandler implements TopicBatchHandler<TopicDefinition> {
    constructor(@Inject(ReferenceData) private readonly data: ReferenceData) {}

    handleBatch(messages: readonly ConsumedMessage<TopicDefinition>[]): Promise<void> {
      const changes = messages.map(
        (message) => ({ kind, code: String(message.key), value: message.value }) as ReferenceChange,
      );
      return this.data.apply(changes);
    }
  }
  Object.defineProperty(ReferenceTopicHandler, 'name', { value: `${kind}ReferenceHandler` });
  return ReferenceTopicHandler;
}

export const REFERENCE_HANDLERS = [
  handlerFor(REFERENCE_AGENCIES, 'agency'),
  handlerFor(REFERENCE_FIELDS, 'field'),
  handlerFor(REFERENCE_PROCEDURES, 'procedure'),
  handlerFor(REFERENCE_CALENDARS, 'calendar'),
  handlerFor(ACCESS_KEYS, 'key'),
];
