import { Controller, type DynamicModule, Module } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { map, timer } from 'rxjs';
import { ConfigModule, type AppConfig } from '@tthc/config';
import { DOSSIER_EVENTS, type DossierEvent } from '@tthc/contracts';
import { ObservabilityModule } from '@tthc/observability';
import { newNamespace, produce, startService, testConfig, waitFor, type RunningService } from '@tthc/testing';
import { KafkaModule } from './kafka.module';
import type { ConsumedMessage } from './topic-handler';
import { KafkaBatchContext } from './topic-consumer';

/**
 * The Kafka transport under Nest's lifecycle, on the real broker: an `@EventPattern` handler gets
 * whole batches with their context, its observable is awaited, and closing the application drains
 * the batch in flight and commits it (a restarted replica of the group does not get it again).
 */

const record: { started: string[]; handled: string[]; contexts: string[] } = { started: [], handled: [], contexts: [] };

@Controller()
class SlowEventsHandler {
  @EventPattern(DOSSIER_EVENTS.name)
  handle(@Payload() messages: readonly ConsumedMessage<typeof DOSSIER_EVENTS>[], @Ctx() context: KafkaBatchContext) {
    const ids = messages.map((message) => message.value?.event.eventId ?? '');
    record.started.push(...ids);
    record.contexts.push(`${context.getTopic()}[${context.getPartition()}]`);
    // An observable that finishes later: the slice counts as handled only then.
    return timer(1500).pipe(map(() => record.handled.push(...ids)));
  }
}

function testModule(config: AppConfig): DynamicModule {
  @Module({})
  class TransportTestModule {}
  return {
    module: TransportTestModule,
    imports: [
      ConfigModule.forRoot(config),
      ObservabilityModule,
      KafkaModule.forRoot({ consumer: { group: 'transport-test', topics: [DOSSIER_EVENTS] } }),
    ],
    controllers: [SlowEventsHandler],
  };
}

const event = (eventId: string) => {
  const value: DossierEvent = {
    eventId,
    type: 'dossier.received',
    occurredAt: '2017-03-14T09:12:00+07:00',
    dossierCode: 'D-1',
    data: { procedureCode: 'P-1', agencyCode: 'A-1', channel: 'online' },
  };
  return { key: 'D-1', value: { deskId: 'desk-1', acceptedAt: '2026-01-01T00:00:00.000Z', event: value } };
};

describe('the Kafka transport drains the batch in flight at shutdown (real Kafka)', () => {
  const namespace = newNamespace('transport');
  const config = testConfig('dossier-tracking', namespace, { KAFKA_EVENT_PARTITIONS: '1' });
  let service: RunningService | undefined;

  afterAll(async () => {
    await service?.close();
  });

  it('awaits the handler, commits what it handled before closing, and a restart starts after it', async () => {
    service = await startService(config, testModule(config));
    await produce(namespace, DOSSIER_EVENTS, [event('a'), event('b'), event('c')]);
    await waitFor(() => Promise.resolve(record.started.length === 3 ? true : undefined), {
      what: 'the batch to reach the handler',
    });
    expect(record.contexts).toEqual([`${DOSSIER_EVENTS.name}[0]`]);
    // The handler's observable has not finished yet: closing waits for it.
    expect(record.handled).toEqual([]);
    await service.close();
    service = undefined;
    expect(record.handled).toEqual(['a', 'b', 'c']);

    // The same group again: the drained batch was committed, only the new message comes.
    service = await startService(config, testModule(config));
    await produce(namespace, DOSSIER_EVENTS, [event('d')]);
    await waitFor(() => Promise.resolve(record.handled.includes('d') ? true : undefined), {
      what: 'the message produced after the restart',
    });
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(record.started).toEqual(['a', 'b', 'c', 'd']);
    expect(record.handled).toEqual(['a', 'b', 'c', 'd']);
  });
});
