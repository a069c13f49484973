import { Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { z } from 'zod';
import { ConfigModule } from '@tthc/config';
import { DOSSIER_EVENTS, DOSSIER_FACTS } from '@tthc/contracts';
import { HandlerRegistrationError, HandlesTopic, KafkaModule } from '@tthc/kafka';
import { ObservabilityModule } from '@tthc/observability';
import { defineQueue, QueueModule, QueueRegistrationError } from '@tthc/queue';
import { newNamespace, testConfig } from '@tthc/testing';

@HandlesTopic(DOSSIER_EVENTS)
@Injectable()
class EventsOnlyHandler {
  handleBatch(): Promise<void> {
    return Promise.resolve();
  }
}

const orphanQueue = defineQueue({ name: 'orphan', description: 'a queue without worker', data: z.object({}) });

describe('a service refuses to boot when a subscribed topic or queue has no handler', () => {
  const config = testConfig('dossier-tracking', newNamespace('boot'));

  it('fails on a subscribed topic without handler', async () => {
    @Module({
      imports: [
        ConfigModule.forRoot(config),
        ObservabilityModule,
        KafkaModule.forRoot({ consumer: { group: 'boot-test', topics: [DOSSIER_EVENTS, DOSSIER_FACTS] } }),
      ],
      providers: [EventsOnlyHandler],
    })
    class MissingHandlerModule {}
    const app = await NestFactory.create(MissingHandlerModule, { logger: false, abortOnError: false });
    await expect(app.init()).rejects.toThrow(HandlerRegistrationError);
    await app.close().catch(() => undefined);
  });

  it('fails on a registered queue without worker', async () => {
    @Module({
      imports: [ConfigModule.forRoot(config), ObservabilityModule, QueueModule.forRoot({ queues: [orphanQueue] })],
    })
    class MissingWorkerModule {}
    const app = await NestFactory.create(MissingWorkerModule, { logger: false, abortOnError: false });
    await expect(app.init()).rejects.toThrow(QueueRegistrationError);
    await app.close().catch(() => undefined);
  });
});
