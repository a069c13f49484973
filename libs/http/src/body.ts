import type { Request } from 'express';
import { problem, ProblemException } from './problem';

/** The media type of a request without parameters, lower-cased (`application/json`). */
export function mediaType(request: Request): string {
  return (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

function rawText(request: Request): string {
  const body: unknown = request.body;
  if (Buffer.isBuffer(body)) return body.toString('utf8');
  if (typeof body === 'string') return body;
  return '';
}

/** Parses a JSON body; malformed JSON or another content type is answered with a problem. */
export function readJson(request: Request): unknown {
  const type = mediaType(request);
  if (type !== 'application/json') {
    throw new ProblemException(problem(415, `Content-Type must be application/json (got ${type || 'none'})`));
  }
  return parseJson(rawText(request));
}

function parseJson(text: string, where = 'body'): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new ProblemException(problem(400, `${where} is not valid JSON: ${(error as Error).message}`));
  }
}

/** Parses NDJSON: one JSON value a line, blank lines ignored; names the first bad line. */
export function parseNdjson(text: string): unknown[] {
  const items: unknown[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((line, index) => {
    if (line.trim() === '') return;
    items.push(parseJson(line, `line ${index + 1}`));
  });
  return items;
}

/** A JSON object, a JSON array, or NDJSON, as the list of items it carries. */
export function readJsonOrNdjson(request: Request): unknown[] {
  const type = mediaType(request);
  if (type === 'application/x-ndjson') return parseNdjson(rawText(request));
  if (type === 'application/json') {
    const parsed = parseJson(rawText(request));
    return Array.isArray(parsed) ? parsed : [parsed];
  }
  throw new ProblemException(
    problem(415, `Content-Type must be application/json or application/x-ndjson (got ${type || 'none'})`),
  );
}
