import { DOSSIER_EVENTS, encodeMessage, type TopicDefinition } from '@tthc/contracts';
import { processBatch, type RawMessage } from './batch-processor';
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

const options = (maxAttempts = 3) => ({
  topic: DOSSIER_EVENTS,
  partition: 0,
  consumerGroup: 'test',
  maxAttempts,
  backoff: () => Promise.resolve(),
  now: () => new Date('2026-01-01T00:00:00Z'),
});

class RecordingHandler implements TopicBatchHandler<Events> {
  calls: string[][] = [];
  constructor(private readonly failWhen: (ids: string[], call: number) => boolean = () => false) {}
  handleBatch(messages: readonly ConsumedMessage<Events>[]): Promise<void> {
    const ids = messages.map((message) => message.value?.event.eventId ?? 'tombstone');
    this.calls.push(ids);
    return this.failWhen(ids, this.calls.length)
      ? Promise.reject(new Error(`failed ${ids.join(',')}`))
      : Promise.resolve();
  }
}

describe('processBatch: capped retries ending in dead letters', () => {
  it('hands a valid batch over once when the handler succeeds', async () => {
    const handler = new RecordingHandler();
    const outcome = await processBatch(handler, [raw(1, 'a'), raw(2, 'b')], options());
    expect(outcome).toEqual({ handled: 2, deadLettered: [] });
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
    expect(outcome.deadLettered[0]).toMatchObject({
      offset: '3',
      attempts: 0,
      value: '{"nope":1}',
      sourceTopic: DOSSIER_EVENTS.name,
    });
    expect(handler.calls).toEqual([['a']]);
  });

  it('retries a transient failure and succeeds within the cap', async () => {
    const handler = new RecordingHandler((_, call) => call < 3);
    const outcome = await processBatch(handler, [raw(1, 'a'), raw(2, 'b')], options(3));
    expect(outcome).toEqual({ handled: 2, deadLettered: [] });
    expect(handler.calls).toHaveLength(3);
  });

  it('isolates one bad message: the others are handled, the bad one is dead-lettered after the cap', async () => {
    const handler = new RecordingHandler((ids) => ids.includes('bad'));
    const outcome = await processBatch(handler, [raw(1, 'a'), raw(2, 'bad'), raw(3, 'c')], options(2));
    expect(outcome.handled).toBe(2);
    expect(outcome.deadLettered.map((letter) => [letter.offset, letter.attempts])).toEqual([['2', 2]]);
    expect(outcome.deadLettered[0]?.error).toMatch(/failed bad/);
    // 2 attempts of the whole batch, then 2 for 'bad' alone and 1 each for 'a' and 'c'.
    expect(handler.calls.filter((ids) => ids.length === 3)).toHaveLength(2);
    expect(handler.calls.filter((ids) => ids.length === 1 && ids[0] === 'bad')).toHaveLength(2);
  });

  it('never retries more than the cap when everything fails', async () => {
    const handler = new RecordingHandler(() => true);
    const outcome = await processBatch(handler, [raw(1, 'a')], options(4));
    expect(outcome.handled).toBe(0);
    expect(outcome.deadLettered).toHaveLength(1);
    expect(handler.calls).toHaveLength(4);
  });

  it('accepts a generic topic definition', async () => {
    const handler = new RecordingHandler();
    const topic: TopicDefinition = DOSSIER_EVENTS;
    expect((await processBatch(handler, [raw(1, 'a')], { ...options(), topic: topic as Events })).handled).toBe(1);
  });
});
