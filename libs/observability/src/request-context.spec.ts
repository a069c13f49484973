import { currentRequestId, requestIdOf, runWithRequestContext, traceIdOf } from './request-context';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const TRACEPARENT = `00-${TRACE_ID}-00f067aa0ba902b7-01`;
const created = () => 'created-id';

describe('requestIdOf', () => {
  it('takes a valid X-Request-Id first', () => {
    expect(requestIdOf({ 'x-request-id': 'desk-42:abc', traceparent: TRACEPARENT }, created)).toBe('desk-42:abc');
    expect(requestIdOf({ 'x-request-id': ['first', 'second'] }, created)).toBe('first');
  });

  it('else the trace id of a valid traceparent', () => {
    expect(requestIdOf({ traceparent: TRACEPARENT }, created)).toBe(TRACE_ID);
    expect(requestIdOf({ 'x-request-id': 'bad id with spaces', traceparent: TRACEPARENT }, created)).toBe(TRACE_ID);
  });

  it('else creates one (invalid or oversized values are never echoed)', () => {
    expect(requestIdOf({}, created)).toBe('created-id');
    expect(requestIdOf({ 'x-request-id': 'x'.repeat(129) }, created)).toBe('created-id');
    expect(requestIdOf({ 'x-request-id': 'a\r\nSet-Cookie: x' }, created)).toBe('created-id');
    expect(requestIdOf({ 'x-request-id': '' }, created)).toBe('created-id');
    expect(requestIdOf({})).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('traceIdOf', () => {
  it('refuses malformed, all-zero and version ff traceparents', () => {
    expect(traceIdOf(TRACEPARENT.toUpperCase())).toBe(TRACE_ID);
    expect(traceIdOf(`00-${'0'.repeat(32)}-00f067aa0ba902b7-01`)).toBeUndefined();
    expect(traceIdOf(`00-${TRACE_ID}-${'0'.repeat(16)}-01`)).toBeUndefined();
    expect(traceIdOf(`ff-${TRACE_ID}-00f067aa0ba902b7-01`)).toBeUndefined();
    expect(traceIdOf(`00-${TRACE_ID}-00f067aa0ba902b7`)).toBeUndefined();
    expect(traceIdOf(undefined)).toBeUndefined();
  });
});

describe('the request context', () => {
  it('follows asynchronous work started inside it, and only that', async () => {
    expect(currentRequestId()).toBeUndefined();
    const seen = await runWithRequestContext({ requestId: 'r-1' }, async () => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      return currentRequestId();
    });
    expect(seen).toBe('r-1');
    expect(currentRequestId()).toBeUndefined();
  });
});
