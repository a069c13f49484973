import { createHash } from 'node:crypto';
import type { DossierEvent } from '@tthc/contracts';

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, canonical((value as Record<string, unknown>)[key])]),
    );
  }
  return value;
}

/** Hash of an event's content, independent of key order: tells a true duplicate from a conflicting one. */
export function contentHashOf(event: DossierEvent): string {
  return createHash('sha256')
    .update(JSON.stringify(canonical(event)))
    .digest('hex');
}

/** Storage id of an event: the (desk, eventId) pair of CONTRACT §4. */
export function eventKey(deskId: string, eventId: string): string {
  return `${deskId}|${eventId}`;
}
