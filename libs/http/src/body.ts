import type { IncomingMessage } from 'node:http';
import type { Request } from 'express';
import { problem, ProblemException } from './problem';

/**
 * Request bodies are never buffered by middleware: a route reads its own body, after the guards
 * (authentication, role) and its rate limit have run, with a byte cap of its own counted while
 * streaming. Of a request refused before or while its body is read, at most 1 MiB more is read
 * and discarded after the answer, then the connection is closed (./unread-body.ts).
 */

/** Bodies of small administrative writes (keys, manual runs): 64 KiB. */
export const SMALL_BODY_BYTES = 64 * 1024;

/** The media type of a request without parameters, lower-cased (`application/json`). */
export function mediaType(request: Request | IncomingMessage): string {
  return (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

function tooLarge(maxBytes: number): ProblemException {
  return new ProblemException(problem(413, `request body larger than ${maxBytes} bytes`));
}

/**
 * The body's chunks, at most `maxBytes` in all: 413 at once when `Content-Length` declares more,
 * else as soon as the bytes received exceed it (chunked bodies, lying lengths). Stopping early
 * leaves the request paused until the answer is sent (./unread-body.ts). The request stream is not
 * destroyed (that would close the socket before the answer is written).
 */
export async function* bodyChunks(request: IncomingMessage, maxBytes: number): AsyncGenerator<Buffer> {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge(maxBytes);
  let received = 0;
  try {
    for await (const piece of request.iterator({ destroyOnReturn: false })) {
      const chunk = typeof piece === 'string' ? Buffer.from(piece) : (piece as Buffer);
      received += chunk.length;
      if (received > maxBytes) throw tooLarge(maxBytes);
      yield chunk;
    }
  } finally {
    if (!request.readableEnded) request.pause();
  }
}

/** The whole body as one buffer, at most `maxBytes` (413 beyond). */
export async function readBody(request: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of bodyChunks(request, maxBytes)) chunks.push(chunk);
  const body = Buffer.concat(chunks);
  bodiesRead.set(request, body);
  return body;
}

/** The whole bodies the routes read (bodies are read by each route after auth, not by a global parser). */
const bodiesRead = new WeakMap<IncomingMessage, Buffer>();

/**
 * The body a route read whole with {@link readBody} (or `readJson`, `readOptionalJson`, a JSON
 * `readJsonOrNdjson`), once the route has run; undefined for streamed bodies (NDJSON, uploads)
 * and bodies not read. For the audit log.
 */
export function bodyReadFrom(request: IncomingMessage): Buffer | undefined {
  return bodiesRead.get(request);
}

function requireType(request: Request, allowed: readonly string[]): string {
  const type = mediaType(request);
  if (!allowed.includes(type)) {
    throw new ProblemException(problem(415, `Content-Type must be ${allowed.join(' or ')} (got ${type || 'none'})`));
  }
  return type;
}

function parseJson(text: string, where = 'body'): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new ProblemException(problem(400, `${where} is not valid JSON: ${(error as Error).message}`));
  }
}

/** Parses a JSON body of at most `maxBytes`; another content type (415) is refused before reading. */
export async function readJson(request: Request, maxBytes: number): Promise<unknown> {
  requireType(request, ['application/json']);
  return parseJson((await readBody(request, maxBytes)).toString('utf8'));
}

/**
 * A JSON body of at most `maxBytes`, or `empty` when the body is empty or blank (then any or no
 * Content-Type is fine). For small bodies only: the type is checked after reading.
 */
export async function readOptionalJson(request: Request, maxBytes: number, empty: unknown): Promise<unknown> {
  const text = (await readBody(request, maxBytes)).toString('utf8');
  if (text.trim() === '') return empty;
  requireType(request, ['application/json']);
  return parseJson(text);
}

export interface ItemLimits {
  /** Largest body in bytes (413 beyond, counted while streaming). */
  maxBytes: number;
  /** Most items a body may carry (413 at the first item beyond; the rest is not read). */
  maxItems: number;
  /** What the items are, for messages ("events"). */
  noun?: string;
}

function tooManyItems(limits: ItemLimits, got: string): ProblemException {
  return new ProblemException(
    problem(413, `at most ${limits.maxItems} ${limits.noun ?? 'items'} per request (${got})`),
  );
}

/**
 * Splits an NDJSON byte stream into lines and parses each as it arrives: blank lines are skipped,
 * the first malformed line is answered 400 (naming it), the line after the `maxItems`-th item 413,
 * both without reading further. Splitting on the byte `\n` is safe in UTF-8 (it never occurs inside
 * a multi-byte character).
 */
export class NdjsonItems {
  readonly items: unknown[] = [];
  private pending: Buffer[] = [];
  private line = 0;

  constructor(private readonly limits: ItemLimits) {}

  push(chunk: Buffer): void {
    let start = 0;
    for (let index = chunk.indexOf(0x0a); index !== -1; index = chunk.indexOf(0x0a, start)) {
      this.pending.push(chunk.subarray(start, index));
      this.takeLine();
      start = index + 1;
    }
    if (start < chunk.length) this.pending.push(chunk.subarray(start));
  }

  end(): unknown[] {
    if (this.pending.length > 0) this.takeLine();
    return this.items;
  }

  private takeLine(): void {
    const text = Buffer.concat(this.pending).toString('utf8');
    this.pending = [];
    this.line += 1;
    if (text.trim() === '') return;
    if (this.items.length >= this.limits.maxItems) {
      throw tooManyItems(this.limits, `line ${this.line} holds item ${this.items.length + 1}`);
    }
    this.items.push(parseJson(text.endsWith('\r') ? text.slice(0, -1) : text, `line ${this.line}`));
  }
}

/**
 * A JSON object, a JSON array, or NDJSON, as the list of items it carries, with the limits of
 * `limits`: NDJSON is parsed line by line while it streams and stops at the first item too many;
 * a JSON body is read whole (at most `maxBytes`) and then counted.
 */
export async function readJsonOrNdjson(request: Request, limits: ItemLimits): Promise<unknown[]> {
  const type = requireType(request, ['application/json', 'application/x-ndjson']);
  if (type === 'application/x-ndjson') {
    const parser = new NdjsonItems(limits);
    for await (const chunk of bodyChunks(request, limits.maxBytes)) parser.push(chunk);
    return parser.end();
  }
  const parsed = parseJson((await readBody(request, limits.maxBytes)).toString('utf8'));
  const items = Array.isArray(parsed) ? (parsed as unknown[]) : [parsed];
  if (items.length > limits.maxItems) throw tooManyItems(limits, `got ${items.length}`);
  return items;
}
