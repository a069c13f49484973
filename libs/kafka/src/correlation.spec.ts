import { DOSSIER_EVENTS, encodeMessage } from '@tthc/contracts';
import { runWithRequestContext } from '@tthc/observability';
import { processBatch, type RawMessage } from './batch-processor';
import { encodeOutgoing, requestsOf } from './contract-producer';
import {
  batchLogLine,
  correlationHeaders,
  correlationIdOf,
  CORRELATION_HEADER,
  headersOf,
  outgoingHeaders,
  runWithConsumedCorrelation,
  traceIdFromCorrelationId,
} from './correlation';
import type { ConsumedMessage } from './topic-handler';

const UUID = '0af7651e-16b5-4c3e-9d2a-3f1c2b4a5e6d';

function raw(dossierCode: string, offset: number, headers?: Record<string, string | Buffer>): RawMessage {
  const encoded = encodeMessage(DOSSIER_EVENTS, dossierCode, {
    deskId: 'desk-1',
    acceptedAt: '2026-01-01T00:00:00.000Z',
    event: {
      eventId: `e${offset}`,
      type: 'dossier.returned',
      occurredAt: '2026-01-02T08:00:00+07:00',
      dossierCode,
      data: {},
    },
  });
  return {
    key: Buffer.from(encoded.key),
    value: Buffer.from(encoded.value ?? ''),
    offset: String(offset),
    timestamp: '0',
    ...(headers === undefined ? {} : { headers }),
  };
}

describe('correlation headers', () => {
  it('names the id, and adds a traceparent whose trace id is a UUID id without dashes', () => {
    const headers = correlationHeaders(UUID);
    expect(headers[CORRELATION_HEADER]).toBe(UUID);
    expect(headers.traceparent).toMatch(/^00-0af7651e16b54c3e9d2a3f1c2b4a5e6d-[0-9a-f]{16}-01$/);
  });

  it('adds no traceparent for an id that is no trace id', () => {
    expect(correlationHeaders('desk-42:req-7')).toEqual({ [CORRELATION_HEADER]: 'desk-42:req-7' });
    expect(traceIdFromCorrelationId('0'.repeat(32))).toBeUndefined();
    expect(traceIdFromCorrelationId('4BF92F3577B34DA6A3CE929D0E0E4736')).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
  });

  it('reads headers given as buffers or arrays, names in lower case', () => {
    expect(headersOf({ 'X-Correlation-Id': Buffer.from('abc'), b: ['one', 'two'], c: undefined })).toEqual({
      'x-correlation-id': 'abc',
      b: 'one',
    });
    expect(headersOf(undefined)).toEqual({});
  });

  it('takes the correlation id from x-correlation-id, else from traceparent, else null', () => {
    expect(correlationIdOf({ [CORRELATION_HEADER]: ' req-1 ' })).toBe('req-1');
    expect(correlationIdOf({ traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' })).toBe(
      '4bf92f3577b34da6a3ce929d0e0e4736',
    );
    expect(correlationIdOf({})).toBeNull();
  });

  it('ignores a malformed id (never logged or stored) and falls back to traceparent', () => {
    expect(correlationIdOf({ [CORRELATION_HEADER]: 'has spaces\nand a newline' })).toBeNull();
    expect(correlationIdOf({ [CORRELATION_HEADER]: 'x'.repeat(129) })).toBeNull();
    expect(
      correlationIdOf({
        [CORRELATION_HEADER]: '<script>',
        traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
      }),
    ).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
  });
});

describe('headers of produced messages', () => {
  it('prefers the message headers, then the call headers', () => {
    expect(outgoingHeaders('D-1', { a: '1' }, { b: '2' })).toEqual({ a: '1' });
    expect(outgoingHeaders('D-1', undefined, { b: '2' })).toEqual({ b: '2' });
  });

  it('has none outside a request or a handler', () => {
    expect(outgoingHeaders('D-1', undefined, undefined)).toBeUndefined();
  });

  it('carries the id of the HTTP request being handled', () => {
    const headers = runWithRequestContext({ requestId: 'req-9' }, () => outgoingHeaders('D-1', undefined, undefined));
    expect(headers?.[CORRELATION_HEADER]).toBe('req-9');
  });

  it('in a handler, carries the id of the consumed message with the same key, the last one winning', () => {
    const scope = [
      { rawKey: 'D-1', correlationId: 'first' },
      { rawKey: 'D-2', correlationId: 'other' },
      { rawKey: 'D-1', correlationId: 'second' },
      { rawKey: 'D-3', correlationId: null },
    ];
    runWithConsumedCorrelation(scope, () => {
      expect(outgoingHeaders('D-1', undefined, undefined)?.[CORRELATION_HEADER]).toBe('second');
      expect(outgoingHeaders('D-2', undefined, undefined)?.[CORRELATION_HEADER]).toBe('other');
      expect(outgoingHeaders('D-3', undefined, undefined)).toBeUndefined();
      expect(outgoingHeaders(null, undefined, undefined)).toBeUndefined();
    });
  });

  it('encodes messages with their headers and counts the headers in the request size', () => {
    const value = {
      deskId: 'desk-1',
      acceptedAt: '2026-01-01T00:00:00.000Z',
      event: {
        eventId: 'e1',
        type: 'dossier.returned',
        occurredAt: '2026-01-02T08:00:00+07:00',
        dossierCode: 'D-1',
        data: {},
      },
    } as const;
    const encoded = runWithConsumedCorrelation([{ rawKey: 'D-1', correlationId: 'c-1' }], () =>
      encodeOutgoing(
        DOSSIER_EVENTS,
        [
          { key: 'D-1', value },
          { key: 'D-2', value },
        ],
        undefined,
      ),
    );
    expect(encoded[0]?.headers?.[CORRELATION_HEADER]).toBe('c-1');
    expect(encoded[1]?.headers).toBeUndefined();
    const big = { key: 'k', value: 'v', headers: { h: 'x'.repeat(600) } };
    expect(requestsOf([big, big], 1000)).toHaveLength(2);
    expect(
      requestsOf(
        [
          { key: 'k', value: 'v' },
          { key: 'k', value: 'v' },
        ],
        1000,
      ),
    ).toHaveLength(1);
  });
});

describe('processBatch and correlation ids', () => {
  const options = {
    topic: DOSSIER_EVENTS,
    partition: 0,
    consumerGroup: 'test',
    maxAttempts: 1,
    backoff: () => Promise.resolve(),
    infrastructure: { wait: () => Promise.resolve(false), recovered: () => undefined },
  };

  it('hands each message its headers and correlation id, and scopes produced messages to them', async () => {
    const seen: ConsumedMessage<typeof DOSSIER_EVENTS>[] = [];
    const produced: (string | undefined)[] = [];
    await processBatch(
      {
        handleBatch: (messages) => {
          seen.push(...messages);
          produced.push(outgoingHeaders('D-1', undefined, undefined)?.[CORRELATION_HEADER]);
          produced.push(outgoingHeaders('D-2', undefined, undefined)?.[CORRELATION_HEADER]);
          return Promise.resolve();
        },
      },
      [raw('D-1', 1, { [CORRELATION_HEADER]: Buffer.from('req-a'), other: 'x' }), raw('D-2', 2)],
      options,
    );
    expect(seen.map((message) => [message.correlationId, message.headers])).toEqual([
      ['req-a', { [CORRELATION_HEADER]: 'req-a', other: 'x' }],
      [null, {}],
    ]);
    expect(produced).toEqual(['req-a', undefined]);
  });
});

describe('batchLogLine', () => {
  it('lists the distinct ids in order, counts the rest and the messages without one', () => {
    const line = batchLogLine({
      topic: 'tthc.dossier-events.v1',
      partition: 2,
      messages: [
        { offset: '10', headers: { [CORRELATION_HEADER]: 'a' } },
        { offset: '11', headers: { [CORRELATION_HEADER]: 'b' } },
        { offset: '12', headers: { [CORRELATION_HEADER]: 'a' } },
        { offset: '13' },
        { offset: '14', headers: { [CORRELATION_HEADER]: 'c' } },
      ],
      handled: 4,
      deadLettered: 1,
      durationMs: 12.345,
      maxIds: 2,
    });
    expect(line).toEqual({
      message: 'batch handled',
      topic: 'tthc.dossier-events.v1',
      partition: 2,
      firstOffset: '10',
      lastOffset: '14',
      messages: 5,
      handled: 4,
      deadLettered: 1,
      durationMs: 12.3,
      correlationIds: ['a', 'b'],
      correlationIdsNotListed: 1,
      withoutCorrelationId: 1,
    });
  });
});
