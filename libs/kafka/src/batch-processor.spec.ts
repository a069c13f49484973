import { KafkaJSConnectionError } from 'kafkajs';
import { MongoBulkWriteError, MongoNetworkError, MongoServerError, MongoServerSelectionError } from 'mongodb';
import { DOSSIER_EVENTS, encodeMessage, type TopicDefinition } from '@tthc/contracts';
import { processBatch, type InfrastructureWaiter, type RawMessage } from './batch-processor';
import { RetryableError } from './failure';
import type { ConsumedMessage, TopicBatchHandler } from './topic-handler';

type Events = typeof DOSSIER_EVENTS;

function raw(offset: number, eventId: string): RawMessage {
  const encoded = encodeMessage(DOSSIER_EVENTS, 'D-1', {
    deskId: 'desk-1',
    acceptedAt: '2026-01-01T00:00:00.000Z',
    event: {
      eventId,
      type: 'dossier.returned',
      occurredAt: '2026-01-02T08:00:00+07:00',
      dossierCode: 'D-1',
      data: {},
    },
  });
  return {
    key: Buffer.from(encoded.key),
    value: Buffer.from(encoded.value ?? ''),
    offset: String(offset),
    timestamp: '0',
  };
}

/** Records the waits; stops (answers false) after `stopAfter` waits when given. */
class FakeWaiter implements InfrastructureWaiter {
  waits: { error: string; waits: number }[] = [];
  recoveries = 0;
  constructor(private readonly stopAfter = Number.POSITIVE_INFINITY) {}
  wait(error: unknown, waits: number): Promise<boolean> {
    this.waits.push({ error: (error as Error).name, waits });
    return Promise.resolve(this.waits.length < this.stopAfter);
  }
  recovered(): void {
    this.recoveries++;
  }
}

const options = (maxAttempts = 3, infrastructure: InfrastructureWaiter = new FakeWaiter()) => ({
  topic: DOSSIER_EVENTS,
  partition: 0,
  consumerGroup: 'test',
  maxAttempts,
  backoff: () => Promise.resolve(),
  infrastructure,
  now: () => new Date('2026-01-01T00:00:00Z'),
});

/** A fake handler: `failWith(ids, call)` returns the error to throw for a call, or undefined to succeed. */
class RecordingHandler implements TopicBatchHandler<Events> {
  calls: string[][] = [];
  constructor(private readonly failWith: (ids: string[], call: number) => Error | undefined = () => undefined) {}
  handleBatch(messages: readonly ConsumedMessage<Events>[]): Promise<void> {
    const ids = messages.map((message) => message.value?.event.eventId ?? 'tombstone');
    this.calls.push(ids);
    const error = this.failWith(ids, this.calls.length);
    return error === undefined ? Promise.resolve() : Promise.reject(error);
  }
}

const deterministic = (ids: string[]) => new Error(`failed ${ids.join(',')}`);

describe('processBatch: deterministic failures end in dead letters after capped attempts', () => {
  it('hands a valid batch over once when the handler succeeds', async () => {
    const handler = new RecordingHandler();
    const outcome = await processBatch(handler, [raw(1, 'a'), raw(2, 'b')], options());
    expect(outcome).toEqual({ handled: 2, deadLettered: [], interrupted: false });
    expect(handler.calls).toEqual([['a', 'b']]);
  });

  it('dead-letters a message that violates the contract without calling the handler for it', async () => {
    const handler = new RecordingHandler();
    const poison: RawMessage = {
      key: Buffer.from('D-1'),
      value: Buffer.from('{"nope":1}'),
      offset: '3',
      timestamp: '0',
    };
    const outcome = await processBatch(handler, [raw(1, 'a'), poison], options());
    expect(outcome.handled).toBe(1);
    expect(outcome.deadLettered).toHaveLength(1);
    expect(outcome.deadLettered[0]?.letter).toMatchObject({
      offset: '3',
      attempts: 0,
      value: '{"nope":1}',
      sourceTopic: DOSSIER_EVENTS.name,
    });
    expect(outcome.deadLettered[0]?.letter.error).toMatch(/^ContractViolation: /);
    expect(outcome.deadLettered[0]?.raw).toBe(poison);
    expect(handler.calls).toEqual([['a']]);
  });

  it('keeps the original bytes of a dead letter, also when they are not UTF-8', async () => {
    const bytes = Buffer.from([0x7b, 0xff, 0xfe, 0x7d]);
    const outcome = await processBatch(
      new RecordingHandler(),
      [{ key: Buffer.from('D-9'), value: bytes, offset: '9', timestamp: '0' }],
      options(),
    );
    expect(outcome.deadLettered[0]?.raw.value?.equals(bytes)).toBe(true);
  });

  it('retries a deterministic failure and succeeds within the cap', async () => {
    const handler = new RecordingHandler((ids, call) => (call < 3 ? deterministic(ids) : undefined));
    const outcome = await processBatch(handler, [raw(1, 'a'), raw(2, 'b')], options(3));
    expect(outcome).toEqual({ handled: 2, deadLettered: [], interrupted: false });
    expect(handler.calls).toHaveLength(3);
  });

  it('isolates one bad message: the others are handled, the bad one is dead-lettered after the cap', async () => {
    const handler = new RecordingHandler((ids) => (ids.includes('bad') ? deterministic(ids) : undefined));
    const outcome = await processBatch(handler, [raw(1, 'a'), raw(2, 'bad'), raw(3, 'c')], options(2));
    expect(outcome.handled).toBe(2);
    expect(outcome.deadLettered.map(({ letter }) => [letter.offset, letter.attempts])).toEqual([['2', 2]]);
    expect(outcome.deadLettered[0]?.letter.error).toMatch(/failed bad/);
    // 2 attempts of the whole batch, then 2 for 'bad' alone and 1 each for 'a' and 'c'.
    expect(handler.calls.filter((ids) => ids.length === 3)).toHaveLength(2);
    expect(handler.calls.filter((ids) => ids.length === 1 && ids[0] === 'bad')).toHaveLength(2);
  });

  it('never retries more than the cap when everything fails deterministically', async () => {
    const handler = new RecordingHandler(deterministic);
    const outcome = await processBatch(handler, [raw(1, 'a')], options(4));
    expect(outcome.handled).toBe(0);
    expect(outcome.deadLettered).toHaveLength(1);
    expect(handler.calls).toHaveLength(4);
  });

  it('treats a duplicate-key bulk write error as deterministic', async () => {
    const duplicate = new MongoBulkWriteError(
      { message: 'E11000', code: 11000, writeErrors: [{ code: 11000, index: 0 }] } as never,
      {} as never,
    );
    const waiter = new FakeWaiter();
    const outcome = await processBatch(new RecordingHandler(() => duplicate), [raw(1, 'a')], options(2, waiter));
    expect(outcome.deadLettered).toHaveLength(1);
    expect(waiter.waits).toEqual([]);
  });

  it('accepts a generic topic definition', async () => {
    const handler = new RecordingHandler();
    const topic: TopicDefinition = DOSSIER_EVENTS;
    expect((await processBatch(handler, [raw(1, 'a')], { ...options(), topic: topic as Events })).handled).toBe(1);
  });
});

describe('processBatch: infrastructure failures are waited out and never dead-lettered', () => {
  const outage = [
    () => new MongoServerSelectionError('connect ECONNREFUSED 127.0.0.1:27017', { error: undefined } as never),
    () => new MongoNetworkError('connection 4 to 127.0.0.1:27017 closed'),
    () => new KafkaJSConnectionError('Connection error: connect ECONNREFUSED 127.0.0.1:9092'),
    () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6379'), { code: 'ECONNREFUSED' }),
    () => new RetryableError('a rebuild holds the gate'),
  ];

  it('waits through an outage much longer than the attempt cap, then handles the batch once it answers', async () => {
    for (const makeError of outage) {
      const handler = new RecordingHandler((_, call) => (call <= 25 ? makeError() : undefined));
      const waiter = new FakeWaiter();
      const outcome = await processBatch(handler, [raw(1, 'a'), raw(2, 'b')], options(3, waiter));
      expect(outcome).toEqual({ handled: 2, deadLettered: [], interrupted: false });
      expect(handler.calls).toHaveLength(26);
      // Every call was the whole batch: an outage never splits it into single messages.
      expect(handler.calls.every((ids) => ids.length === 2)).toBe(true);
      expect(waiter.waits.map((wait) => wait.waits)).toEqual(Array.from({ length: 25 }, (_, index) => index + 1));
      expect(waiter.recoveries).toBe(1);
    }
  });

  it('never dead-letters while the infrastructure keeps failing, however long', async () => {
    const handler = new RecordingHandler(() => new MongoNetworkError('socket hang up'));
    const waiter = new FakeWaiter(200);
    const outcome = await processBatch(handler, [raw(1, 'a'), raw(2, 'b')], options(2, waiter));
    expect(outcome).toEqual({ handled: 0, deadLettered: [], interrupted: true });
    expect(handler.calls).toHaveLength(200);
  });

  it('does not count infrastructure waits toward the attempts of a deterministic failure', async () => {
    // Alternating: outage, bad, outage, bad… With 3 attempts the message is dead-lettered after
    // exactly 3 deterministic failures, whatever the number of outages between them.
    const handler = new RecordingHandler((ids, call) =>
      call % 2 === 1 ? new MongoNetworkError('closed') : deterministic(ids),
    );
    const waiter = new FakeWaiter();
    const outcome = await processBatch(handler, [raw(1, 'bad')], options(3, waiter));
    expect(outcome.deadLettered.map(({ letter }) => letter.attempts)).toEqual([3]);
    expect(handler.calls).toHaveLength(6);
    expect(waiter.waits.every((wait) => wait.waits === 1)).toBe(true);
    expect(waiter.recoveries).toBe(3);
  });

  it('waits out an outage that starts while single messages are being isolated', async () => {
    let outageCalls = 0;
    const handler = new RecordingHandler((ids) => {
      if (ids.includes('bad')) return deterministic(ids);
      if (ids.length === 1 && ids[0] === 'c' && outageCalls < 4) {
        outageCalls++;
        return new MongoServerError({ message: 'not primary', code: 10107 });
      }
      return undefined;
    });
    const waiter = new FakeWaiter();
    const outcome = await processBatch(handler, [raw(1, 'a'), raw(2, 'bad'), raw(3, 'c')], options(2, waiter));
    expect(outcome.handled).toBe(2);
    expect(outcome.deadLettered.map(({ letter }) => letter.offset)).toEqual(['2']);
    expect(waiter.waits).toHaveLength(4);
  });

  it('gives up the slice without dead letters when the consumer stops while waiting', async () => {
    const handler = new RecordingHandler((ids) =>
      ids.includes('bad') ? deterministic(ids) : new MongoNetworkError('closed'),
    );
    // The batch fails deterministically (contains 'bad'); alone, 'a' hits the outage and the consumer stops.
    const waiter = new FakeWaiter(3);
    const outcome = await processBatch(handler, [raw(1, 'bad'), raw(2, 'a')], options(1, waiter));
    expect(outcome).toEqual({ handled: 0, deadLettered: [], interrupted: true });
  });
});
