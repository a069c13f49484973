import type { DossierEvent } from '@tthc/contracts';

/**
 * docs/counting-rules.md §4: a dossier's distinct events are folded in `occurredAt` order; events
 * at the same instant in this lifecycle order (a receipt before what happens to the dossier, a
 * resolution before its return, a void last). dossier-tracking's fold and the simulator's portal
 * records use it; the oracle keeps its own copy on purpose (docs/oracle.md).
 */
export const LIFECYCLE_ORDER: Readonly<Record<DossierEvent['type'], number>> = Object.freeze({
  'dossier.rejected': 0,
  'dossier.received': 1,
  'dossier.transferred': 2,
  'dossier.supplement_requested': 3,
  'dossier.supplement_received': 4,
  'dossier.paused': 5,
  'dossier.resumed': 6,
  'dossier.rescheduled': 7,
  'dossier.resolved': 8,
  'dossier.returned': 9,
  'dossier.withdrawn': 10,
  'dossier.voided': 11,
});

/** Same-instant rank of an event type (unknown types last). */
export function lifecycleRank(type: string): number {
  return (LIFECYCLE_ORDER as Readonly<Record<string, number>>)[type] ?? Number.MAX_SAFE_INTEGER;
}
