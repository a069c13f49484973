import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import type { Request } from 'express';
import { bodyChunks, NdjsonItems, readBody, readJson, readJsonOrNdjson, readOptionalJson } from './body';
import { ProblemException } from './problem';

/** A request whose body is produced chunk by chunk on demand, counting how many chunks were pulled. */
function requestOf(
  chunks: readonly (string | Buffer)[],
  headers: Record<string, string> = {},
): { request: Request & IncomingMessage; pulled: () => number } {
  let next = 0;
  const stream = new Readable({
    highWaterMark: 1,
    read() {
      const chunk = chunks[next];
      next += 1;
      this.push(chunk === undefined ? null : Buffer.from(chunk));
    },
  });
  const request = Object.assign(stream, { headers }) as unknown as Request & IncomingMessage;
  return { request, pulled: () => next };
}

async function problemOf(promise: Promise<unknown>): Promise<{ status: number; detail?: string }> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ProblemException) return error.problem;
    throw error;
  }
  throw new Error('expected a problem');
}

const line = (index: number) => `${JSON.stringify({ eventId: `e-${index}` })}\n`;

describe('NdjsonItems', () => {
  it('parses lines split anywhere, also inside a multi-byte character, CRLF and blank lines', () => {
    const text = '{"name":"Sở Tư pháp"}\r\n\n  \n{"n":2}\n{"n":3}';
    const bytes = Buffer.from(text);
    for (let cut = 1; cut < bytes.length; cut++) {
      const parser = new NdjsonItems({ maxBytes: 1000, maxItems: 10 });
      parser.push(bytes.subarray(0, cut));
      parser.push(bytes.subarray(cut));
      expect(parser.end()).toEqual([{ name: 'Sở Tư pháp' }, { n: 2 }, { n: 3 }]);
    }
  });

  it('names the first malformed line (1-based, blank lines counted)', () => {
    const parser = new NdjsonItems({ maxBytes: 1000, maxItems: 10 });
    let caught: unknown;
    try {
      parser.push(Buffer.from('{"a":1}\n\n{oops\n'));
    } catch (error) {
      caught = error;
    }
    expect((caught as ProblemException).problem).toMatchObject({
      status: 400,
      detail: expect.stringMatching(/^line 3 is not valid JSON/) as string,
    });
  });

  it('refuses the item after maxItems with 413, at that line', () => {
    const parser = new NdjsonItems({ maxBytes: 10_000, maxItems: 2, noun: 'events' });
    parser.push(Buffer.from('{"n":1}\n\n{"n":2}\n\n'));
    let caught: unknown;
    try {
      parser.push(Buffer.from('{"n":3}\n'));
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ProblemException);
    expect((caught as ProblemException).problem).toMatchObject({
      status: 413,
      detail: 'at most 2 events per request (line 5 holds item 3)',
    });
  });
});

describe('request bodies', () => {
  it('reads a body within its cap', async () => {
    const { request } = requestOf(['ab', 'cd']);
    expect((await readBody(request, 4)).toString()).toBe('abcd');
  });

  it('answers 413 from Content-Length before reading anything', async () => {
    const { request, pulled } = requestOf(['x'], { 'content-length': '5000' });
    expect(await problemOf(readBody(request, 4096))).toMatchObject({ status: 413 });
    expect(pulled()).toBe(0);
  });

  it('answers 413 once the streamed bytes pass the cap, without reading further, and leaves the stream usable', async () => {
    const chunk = 'x'.repeat(1000);
    const { request, pulled } = requestOf(Array.from({ length: 100 }, () => chunk));
    expect(await problemOf(readBody(request, 2500))).toMatchObject({
      status: 413,
      detail: 'request body larger than 2500 bytes',
    });
    expect(pulled()).toBeLessThan(6);
    // Not destroyed: the server can still answer on the request's socket.
    expect(request.destroyed).toBe(false);
  });

  it('does not trust a Content-Length below the real size', async () => {
    const { request } = requestOf(['x'.repeat(3000), 'y'.repeat(3000)], { 'content-length': '10' });
    expect(await problemOf(readBody(request, 4096))).toMatchObject({ status: 413 });
  });

  it('yields the chunks of a streamed body', async () => {
    const { request } = requestOf(['a', 'b', 'c']);
    const seen: string[] = [];
    for await (const chunk of bodyChunks(request, 10)) seen.push(chunk.toString());
    expect(seen.join('')).toBe('abc');
  });
});

describe('readJsonOrNdjson', () => {
  const limits = { maxBytes: 2 * 1024 * 1024, maxItems: 1000, noun: 'events' };

  it('reads NDJSON, a JSON array and a JSON object as lists', async () => {
    const ndjson = requestOf([line(1), '\n', line(2)], { 'content-type': 'application/x-ndjson' });
    expect(await readJsonOrNdjson(ndjson.request, limits)).toEqual([{ eventId: 'e-1' }, { eventId: 'e-2' }]);
    const array = requestOf(['[{"a":1},', '{"a":2}]'], { 'content-type': 'application/json; charset=utf-8' });
    expect(await readJsonOrNdjson(array.request, limits)).toEqual([{ a: 1 }, { a: 2 }]);
    const object = requestOf(['{"a":1}'], { 'content-type': 'application/json' });
    expect(await readJsonOrNdjson(object.request, limits)).toEqual([{ a: 1 }]);
  });

  it('refuses another content type with 415 before reading the body', async () => {
    const { request, pulled } = requestOf(['hello'], { 'content-type': 'text/plain' });
    expect(await problemOf(readJsonOrNdjson(request, limits))).toMatchObject({ status: 415 });
    expect(pulled()).toBe(0);
  });

  it('stops reading NDJSON at line 1,001 (413) — the rest of the body is never pulled', async () => {
    const chunks = Array.from({ length: 5000 }, (_, index) => line(index));
    const { request, pulled } = requestOf(chunks, { 'content-type': 'application/x-ndjson' });
    const answer = await problemOf(readJsonOrNdjson(request, limits));
    expect(answer).toMatchObject({
      status: 413,
      detail: 'at most 1000 events per request (line 1001 holds item 1001)',
    });
    expect(pulled()).toBeLessThan(1010);
  });

  it('accepts exactly 1,000 NDJSON lines and refuses a JSON array of 1,001', async () => {
    const thousand = requestOf(
      Array.from({ length: 1000 }, (_, index) => line(index)),
      { 'content-type': 'application/x-ndjson' },
    );
    expect(await readJsonOrNdjson(thousand.request, limits)).toHaveLength(1000);
    const array = JSON.stringify(Array.from({ length: 1001 }, (_, index) => ({ n: index })));
    const tooMany = requestOf([array], { 'content-type': 'application/json' });
    expect(await problemOf(readJsonOrNdjson(tooMany.request, limits))).toMatchObject({
      status: 413,
      detail: 'at most 1000 events per request (got 1001)',
    });
  });

  it('caps NDJSON and JSON bodies by bytes while they stream', async () => {
    const small = { ...limits, maxBytes: 10_000 };
    const long = Array.from({ length: 500 }, () => `{"pad":"${'p'.repeat(100)}"}\n`);
    const ndjson = requestOf(long, { 'content-type': 'application/x-ndjson' });
    expect(await problemOf(readJsonOrNdjson(ndjson.request, small))).toMatchObject({ status: 413 });
    expect(ndjson.pulled()).toBeLessThan(110);
    const json = requestOf(['[', ...long.map((item) => `${item.trim()},`), '1]'], {
      'content-type': 'application/json',
    });
    expect(await problemOf(readJsonOrNdjson(json.request, small))).toMatchObject({ status: 413 });
  });

  it('answers 400 for malformed JSON', async () => {
    const { request } = requestOf(['{"eventId": '], { 'content-type': 'application/json' });
    expect(await problemOf(readJsonOrNdjson(request, limits))).toMatchObject({
      status: 400,
      detail: expect.stringMatching(/^body is not valid JSON/) as string,
    });
  });
});

describe('readJson and readOptionalJson', () => {
  it('reads JSON within the cap; 415 for another type; 413 beyond the cap', async () => {
    expect(await readJson(requestOf(['{"a":', '1}'], { 'content-type': 'application/json' }).request, 100)).toEqual({
      a: 1,
    });
    expect(await problemOf(readJson(requestOf(['{}'], {}).request, 100))).toMatchObject({ status: 415 });
    expect(
      await problemOf(readJson(requestOf(['x'.repeat(200)], { 'content-type': 'application/json' }).request, 100)),
    ).toMatchObject({ status: 413 });
  });

  it('takes an empty or blank body as the default, whatever its type', async () => {
    expect(await readOptionalJson(requestOf([]).request, 100, { none: true })).toEqual({ none: true });
    expect(await readOptionalJson(requestOf([' \n'], { 'content-type': 'text/plain' }).request, 100, {})).toEqual({});
    expect(
      await readOptionalJson(
        requestOf(['{"month":"2017-03"}'], { 'content-type': 'application/json' }).request,
        100,
        {},
      ),
    ).toEqual({ month: '2017-03' });
    expect(
      await problemOf(readOptionalJson(requestOf(['{}'], { 'content-type': 'text/plain' }).request, 100, {})),
    ).toMatchObject({ status: 415 });
  });
});
