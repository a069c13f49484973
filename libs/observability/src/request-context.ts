import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

/** What every log line written while handling one HTTP request carries. */
export interface RequestContext {
  /** From `X-Request-Id`, else the trace id of a W3C `traceparent`, else a new UUID. */
  readonly requestId: string;
}

const storage = new AsyncLocalStorage<RequestContext>();

/** Runs `work` (and everything it starts) with `context` as the current request context. */
export function runWithRequestContext<T>(context: RequestContext, work: () => T): T {
  return storage.run(context, work);
}

/** The context of the request being handled, if any (undefined in consumers and jobs). */
export function currentRequestContext(): RequestContext | undefined {
  return storage.getStore();
}

/** The current request id, if any: what a producer would carry on in a Kafka header. */
export function currentRequestId(): string | undefined {
  return storage.getStore()?.requestId;
}

/** Header values as Node gives them. */
type HeaderValue = string | string[] | undefined;

/** A client-chosen request id is accepted only if short and made of safe characters (it is logged and echoed). */
const REQUEST_ID = /^[A-Za-z0-9._:@/+=-]{1,128}$/;
/** W3C Trace Context: version-traceid-parentid-flags; an all-zero trace id is invalid. */
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** Whether a client-chosen request or correlation id is safe to log, echo and carry on. */
export function isAcceptableRequestId(value: string): boolean {
  return REQUEST_ID.test(value);
}

const first = (value: HeaderValue): string | undefined => (Array.isArray(value) ? value[0] : value)?.trim();

/** The trace id of a valid `traceparent` header, or undefined. */
export function traceIdOf(traceparent: HeaderValue): string | undefined {
  const match = TRACEPARENT.exec(first(traceparent)?.toLowerCase() ?? '');
  if (match === null) return undefined;
  const [, version, traceId, parentId] = match as unknown as [string, string, string, string];
  if (version === 'ff' || /^0+$/.test(traceId) || /^0+$/.test(parentId)) return undefined;
  return traceId;
}

/**
 * The request id of an incoming request: a valid `X-Request-Id`, else the trace id of a valid
 * `traceparent`, else a newly created one. Invalid values are ignored, never echoed.
 */
export function requestIdOf(headers: Readonly<Record<string, HeaderValue>>, create: () => string = randomUUID): string {
  const given = first(headers['x-request-id']);
  if (given !== undefined && isAcceptableRequestId(given)) return given;
  return traceIdOf(headers.traceparent) ?? create();
}
