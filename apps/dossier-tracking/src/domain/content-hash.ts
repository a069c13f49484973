import { createHash } from 'node:crypto';
import type { DossierEvent } from '@tthc/contracts';
import { canonicalJson } from '@tthc/persistence';

/** Hash of an event's content, independent of key order: tells a true duplicate from a conflicting one. */
export function contentHashOf(event: DossierEvent): string {
  return createHash('sha256').update(canonicalJson(event)).digest('hex');
}

/** Storage id of an event: the (desk, eventId) pair of docs/api.md §4. */
export function eventKey(deskId: string, eventId: string): string {
  return `${deskId}|${eventId}`;
}
