import { Controller, Module, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { z } from 'zod';
import { ConfigModule } from '@tthc/config';
import { DOSSIER_EVENTS, DOSSIER_FACTS } from '@tthc/contracts';
import { EventPattern } from '@nestjs/microservices';
import { HandlerRegistrationError, KafkaModule } from '@tthc/kafka';
import { createService, startMessageTransports } from '@tthc/http';
import { ObservabilityModule } from '@tthc/observability';
import { defineQueue, QueueModule, QueueRegistrationError } from '@tthc/queue';
import { newNamespace, testConfig } from '@tthc/testing';

@Controller()
class EventsOnlyHandler {
  @EventPattern(DOSSIER_EVENTS.name)
  handleBatch(): Promise<void> {
    return Promise.resolve();
  }
}

const orphanQueue = defineQueue({ name: 'orphan', description: 'a queue without worker', data: z.object({}) });

describe('a service refuses to boot when a subscribed topic or queue has no handler', () => {
  const config = testConfig('dossier-tracking', newNamespace('boot'));

  /** Started the way every service starts: createService connects the Kafka transport, then it is started. */
  const start = async (module: DynamicModule) => {
    const app = await createService(config, module, { title: 'boot', description: 'boot refusal' });
    try {
      await startMessageTransports(app);
    } finally {
      await app.close().catch(() => undefined);
    }
  };

  it('fails on a subscribed topic without an @EventPattern handler', async () => {
    @Module({})
    class MissingHandlerModule {}
    const refused = start({
      module: MissingHandlerModule,
      imports: [
        ConfigModule.forRoot(config),
        ObservabilityModule,
        KafkaModule.forRoot({ consumer: { group: 'boot-test', topics: [DOSSIER_EVENTS, DOSSIER_FACTS] } }),
      ],
      controllers: [EventsOnlyHandler],
    });
    await expect(refused).rejects.toThrow(HandlerRegistrationError);
    await expect(refused).rejects.toThrow(/subscribed topic tthc\.dossier-facts\.v1 has no @EventPattern handler/);
  });

  it('fails on an @EventPattern handler of a topic the service does not subscribe to', async () => {
    @Module({})
    class SurplusHandlerModule {}
    const refused = start({
      module: SurplusHandlerModule,
      imports: [
        ConfigModule.forRoot(config),
        ObservabilityModule,
        KafkaModule.forRoot({ consumer: { group: 'boot-test', topics: [DOSSIER_FACTS] } }),
      ],
      controllers: [EventsOnlyHandler],
    });
    await expect(refused).rejects.toThrow(
      /a handler of pattern tthc\.dossier-events\.v1 matches no subscribed topic.*subscribed: tthc\.dossier-facts\.v1/,
    );
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
