import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';
import type { IHeaders } from 'kafkajs';
import { currentRequestId, isAcceptableRequestId, traceIdOf } from '@tthc/observability';

/**
 * Kafka header carrying the correlation id of the desk request (or operator action) a message
 * descends from. Transport metadata: never part of a topic's key or value contract.
 */
export const CORRELATION_HEADER = 'x-correlation-id';
/** W3C Trace Context header, also set when the correlation id is a trace id (32 hex digits or a UUID). */
export const TRACEPARENT_HEADER = 'traceparent';

/** Headers of one produced message (strings; kafkajs sends them as bytes). */
export type MessageHeaders = Record<string, string>;

/**
 * The headers naming `correlationId`: always {@link CORRELATION_HEADER}; also a `traceparent`
 * whose trace id is the correlation id when it has the form of one (a fresh parent id each time).
 */
export function correlationHeaders(correlationId: string): MessageHeaders {
  const headers: MessageHeaders = { [CORRELATION_HEADER]: correlationId };
  const traceId = traceIdFromCorrelationId(correlationId);
  if (traceId !== undefined) headers[TRACEPARENT_HEADER] = `00-${traceId}-${randomBytes(8).toString('hex')}-01`;
  return headers;
}

/** The 32-hex trace id a correlation id stands for (itself, or a UUID without dashes), if any. */
export function traceIdFromCorrelationId(correlationId: string): string | undefined {
  const hex = correlationId
    .toLowerCase()
    .replace(/^([0-9a-f]{8})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{12})$/, '$1$2$3$4$5');
  return /^[0-9a-f]{32}$/.test(hex) && !/^0+$/.test(hex) ? hex : undefined;
}

/** Kafka headers as strings (a header given several times keeps its first value). */
export function headersOf(raw: IHeaders | undefined): MessageHeaders {
  const headers: MessageHeaders = {};
  for (const [name, value] of Object.entries(raw ?? {})) {
    const first = Array.isArray(value) ? value[0] : value;
    if (first === undefined) continue;
    headers[name.toLowerCase()] = first.toString();
  }
  return headers;
}

/**
 * The correlation id of a consumed message: a well-formed {@link CORRELATION_HEADER}, else the
 * trace id of a valid `traceparent`, else null (messages produced before correlation ids existed).
 */
export function correlationIdOf(headers: MessageHeaders): string | null {
  const given = headers[CORRELATION_HEADER]?.trim();
  if (given !== undefined && isAcceptableRequestId(given)) return given;
  return traceIdOf(headers[TRACEPARENT_HEADER]) ?? null;
}

/** The correlation ids of the messages a handler is working on, by encoded message key. */
interface CorrelationScope {
  byKey: ReadonlyMap<string, string>;
}

const scope = new AsyncLocalStorage<CorrelationScope>();

/**
 * Runs a batch handler so that what it produces carries the correlation id of the consumed message
 * with the same key (the facts of a dossier descend from the events of that dossier): the
 * producers look the key up when the caller gives no headers. With several messages of one key,
 * the last one's id wins.
 */
export function runWithConsumedCorrelation<R>(
  messages: readonly { rawKey: string | null; correlationId: string | null }[],
  work: () => R,
): R {
  const byKey = new Map<string, string>();
  for (const { rawKey, correlationId } of messages) {
    if (rawKey !== null && correlationId !== null) byKey.set(rawKey, correlationId);
  }
  return scope.run({ byKey }, work);
}

/**
 * Headers of a message about to be produced: the message's own, else the call's, else the
 * correlation id of the consumed message with the same key (in a handler), else the current HTTP
 * request's id (in intake), else none.
 */
export function outgoingHeaders(
  encodedKey: string | null,
  own: MessageHeaders | undefined,
  call: MessageHeaders | undefined,
): MessageHeaders | undefined {
  if (own !== undefined) return own;
  if (call !== undefined) return call;
  const fromConsumed = encodedKey === null ? undefined : scope.getStore()?.byKey.get(encodedKey);
  const correlationId = fromConsumed ?? currentRequestId();
  return correlationId === undefined ? undefined : correlationHeaders(correlationId);
}

/** Most correlation ids one batch log line lists (the rest are counted). */
export const MAX_LOGGED_CORRELATION_IDS = 100;

/** The structured log line of one handled slice of a batch. */
export interface BatchLogLine {
  message: 'batch handled';
  topic: string;
  partition: number;
  firstOffset: string;
  lastOffset: string;
  messages: number;
  handled: number;
  deadLettered: number;
  durationMs: number;
  /** The distinct correlation ids of the slice, in order of first appearance, at most {@link MAX_LOGGED_CORRELATION_IDS}. */
  correlationIds: string[];
  /** Distinct ids beyond the listed ones (0 when all are listed). */
  correlationIdsNotListed: number;
  /** Messages of the slice without a correlation id. */
  withoutCorrelationId: number;
}

/** Builds the log line of a handled slice (pure). */
export function batchLogLine(input: {
  topic: string;
  partition: number;
  messages: readonly { offset: string; headers?: IHeaders }[];
  handled: number;
  deadLettered: number;
  durationMs: number;
  maxIds?: number;
}): BatchLogLine {
  const ids = new Set<string>();
  let without = 0;
  for (const message of input.messages) {
    const id = correlationIdOf(headersOf(message.headers));
    if (id === null) without++;
    else ids.add(id);
  }
  const max = input.maxIds ?? MAX_LOGGED_CORRELATION_IDS;
  const all = [...ids];
  return {
    message: 'batch handled',
    topic: input.topic,
    partition: input.partition,
    firstOffset: input.messages[0]?.offset ?? '',
    lastOffset: input.messages[input.messages.length - 1]?.offset ?? '',
    messages: input.messages.length,
    handled: input.handled,
    deadLettered: input.deadLettered,
    durationMs: Math.round(input.durationMs * 10) / 10,
    correlationIds: all.slice(0, max),
    correlationIdsNotListed: Math.max(0, all.length - max),
    withoutCorrelationId: without,
  };
}
