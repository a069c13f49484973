import { Controller, Logger, Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { map, mergeMap, throwError, timer } from 'rxjs';
import { ConfigModule, loadConfig } from '@tthc/config';
import type { TopicDefinition } from '@tthc/contracts';
import { ObservabilityModule } from '@tthc/observability';
import { classifyFailure } from './failure';
import { KafkaModule } from './kafka.module';
import type { ConsumedMessage } from './topic-handler';
import { KafkaBatchContext, KafkaTransport, runEventHandler } from './topic-consumer';

/**
 * How `@EventPattern` handlers reach the batch processor through Nest's own wrapping (guards,
 * pipes, exception handling): the method's promise or observable is awaited to its end, and its
 * error arrives unchanged (so the failure classifier sees a MongoDB outage as one). No Kafka is
 * involved: the transport is connected, never started.
 */

/** What the driver throws when MongoDB does not answer (classified as infrastructure). */
class MongoServerSelectionError extends Error {
  override name = 'MongoServerSelectionError';
}

const seen: string[] = [];
const outage = new MongoServerSelectionError('Server selection timed out after 200 ms');
const bug = new TypeError('cannot read properties of undefined');

@Controller()
class ScriptedController {
  @EventPattern('t.slow')
  async slow(@Payload() messages: readonly ConsumedMessage<TopicDefinition>[], @Ctx() context: KafkaBatchContext) {
    await new Promise((resolve) => setTimeout(resolve, 30));
    seen.push(`slow ${messages.length} ${context.getTopic()}[${context.getPartition()}]`);
  }

  @EventPattern('t.outage')
  async outage(): Promise<void> {
    await Promise.resolve();
    throw outage;
  }

  @EventPattern('t.sync-throw')
  syncThrow(): void {
    throw bug;
  }

  @EventPattern('t.observable')
  observable() {
    return timer(30).pipe(map(() => seen.push('observable done')));
  }

  @EventPattern('t.observable-error')
  observableError() {
    return timer(10).pipe(mergeMap(() => throwError(() => outage)));
  }
}

const config = loadConfig('dossier-tracking', {});

@Module({
  imports: [
    ConfigModule.forRoot(config),
    ObservabilityModule,
    KafkaModule.forRoot({ consumer: { group: 'unit', topics: [] } }),
  ],
  controllers: [ScriptedController],
})
class ScriptedModule {}

@Module({
  imports: [
    ConfigModule.forRoot(config),
    ObservabilityModule,
    KafkaModule.forRoot({ consumer: { group: 'unit', topics: [] } }),
  ],
})
class UnconnectedModule {}

const message = (offset: string): ConsumedMessage<TopicDefinition> => ({
  key: 'D-1',
  value: { n: offset },
  partition: 2,
  offset,
  timestamp: '0',
  headers: {},
  correlationId: null,
});
const context = new KafkaBatchContext(['t.any', 2]);

describe('@EventPattern handlers run through the Kafka transport', () => {
  let app: INestApplication;
  let transport: KafkaTransport;
  let errorLogs: jest.SpyInstance;

  beforeAll(async () => {
    errorLogs = jest.spyOn(Logger.prototype, 'error');
    app = await NestFactory.create(ScriptedModule, { logger: false, abortOnError: false });
    transport = app.get(KafkaTransport);
    transport.connect(app);
  });
  afterAll(async () => {
    errorLogs.mockRestore();
    await app.close();
  });
  beforeEach(() => {
    seen.length = 0;
    errorLogs.mockClear();
  });

  const handler = (pattern: string) => {
    const found = transport.getHandlers().get(pattern);
    if (found === undefined) throw new Error(`no handler registered for ${pattern}`);
    return found;
  };

  it('registers every @EventPattern method as an event handler under its pattern', () => {
    expect([...transport.getHandlers().keys()].sort()).toEqual(
      ['t.observable', 't.observable-error', 't.outage', 't.slow', 't.sync-throw'].sort(),
    );
    for (const registered of transport.getHandlers().values()) expect(registered.isEventHandler).toBe(true);
  });

  it('hands the whole batch and its context over, and resolves only after the method finished', async () => {
    const run = runEventHandler(
      handler('t.slow'),
      [message('1'), message('2'), message('3')],
      new KafkaBatchContext(['t.slow', 4]),
    );
    expect(seen).toEqual([]);
    await run;
    expect(seen).toEqual(['slow 3 t.slow[4]']);
  });

  it('awaits a returned observable to its end', async () => {
    await runEventHandler(handler('t.observable'), [message('1')], context);
    expect(seen).toEqual(['observable done']);
  });

  it('passes the original error on unchanged, with no ERROR line from Nest', async () => {
    await expect(runEventHandler(handler('t.outage'), [message('1')], context)).rejects.toBe(outage);
    await expect(runEventHandler(handler('t.sync-throw'), [message('1')], context)).rejects.toBe(bug);
    await expect(runEventHandler(handler('t.observable-error'), [message('1')], context)).rejects.toBe(outage);
    expect(errorLogs).not.toHaveBeenCalled();
  });

  it('so the failure classifier tells an outage (waited out) from a bug (retried, then dead-lettered)', async () => {
    const failure = (pattern: string) =>
      runEventHandler(handler(pattern), [message('1')], context).then(
        () => 'handled',
        (error: unknown) => classifyFailure(error),
      );
    expect(await failure('t.outage')).toBe('infrastructure');
    expect(await failure('t.observable-error')).toBe('infrastructure');
    expect(await failure('t.sync-throw')).toBe('deterministic');
  });
});

describe('the Kafka transport refuses to start unless connected with its own connect', () => {
  it('explains what is missing', async () => {
    const app = await NestFactory.create(UnconnectedModule, { logger: false, abortOnError: false });
    try {
      const error = await new Promise<unknown>((resolve) => app.get(KafkaTransport).listen(resolve));
      expect(String(error)).toMatch(/not connected with KafkaTransport\.connect\(app\)/);
    } finally {
      await app.close();
    }
  });
});
