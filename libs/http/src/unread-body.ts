import type { IncomingMessage, ServerResponse } from 'node:http';

/** At most this much of a refused request's unread body is read (and discarded) before the socket is closed. */
export const DISCARD_MAX_BYTES = 1024 * 1024;
/** …and for at most this long. */
export const DISCARD_MAX_MS = 5000;

/**
 * For an answer given before the request's body was received in full (refused before or while it
 * was read: 401, 413, 415, 429, …). Once the answer is sent, the rest of the body is read and
 * thrown away — nothing is kept — so a client that sends a moderately sized body gets its answer
 * and keeps its connection; beyond {@link DISCARD_MAX_BYTES} or {@link DISCARD_MAX_MS} the socket
 * is destroyed, so an 8 MB (or endless) body is never read to its end. Closing at once instead
 * would reset the connection while the client is still sending and may destroy the answer before
 * the client reads it.
 */
export function discardUnreadBody(request: IncomingMessage, response: ServerResponse): void {
  if (request.complete) return;
  response.once('finish', () => {
    if (request.complete) return;
    const socket = request.socket;
    let discarded = 0;
    const close = () => {
      clearTimeout(timer);
      socket.destroy();
    };
    const timer = setTimeout(close, DISCARD_MAX_MS);
    timer.unref();
    request.on('data', (chunk: Buffer) => {
      discarded += chunk.length;
      if (discarded > DISCARD_MAX_BYTES) close();
    });
    request.once('end', () => clearTimeout(timer));
    request.once('close', () => clearTimeout(timer));
    request.resume();
  });
}
