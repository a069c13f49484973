import type { DeskScope, DossierEventOf } from '@tthc/contracts';
import type { StoredEvent } from './fold';

/**
 * Which desk may change which dossier (issue 11): the one home of the rule, pure. The fold
 * (`fold.ts`) asks it about every event; what it refuses is never folded and is listed in the
 * data-quality report.
 *
 * - An event is folded only when its desk is trusted (`admin`: the admin key, bulk imports) or
 *   covers the dossier's receiving agency or its current agency at that point of the fold (a
 *   transfer: the agency it moves the dossier FROM). A desk covers an agency when one of its key's
 *   agencies is that agency or one of its ancestors (the agency's subtree).
 * - The first receipt accepted stands: a `dossier.received` of a desk that does not cover the
 *   agencies of the receipt accepted before it (in intake's acceptance order) is a conflict, not a
 *   takeover.
 *
 * Deterministic and replayable: every dossier is refolded from all its stored events, again and
 * again, so the decision uses only data fixed when intake accepted each event — the key's scope
 * and the ancestry of every agency an event names, stamped by intake on the envelope. Envelopes
 * accepted before intake stamped them fall back to {@link ScopeFallback} (the key directory and
 * the agency tree this replica knows now).
 */

export type { DeskScope } from '@tthc/contracts';

/** What decides the scope of events whose envelope carries no stamp. */
export interface ScopeFallback {
  /**
   * The scope of a desk id from the key directory: `admin` for the bootstrap admin key and for
   * ids that are no key (bulk imports are recorded under a free desk name), a desk key's agencies
   * (also when revoked since: the key was valid when the event was accepted).
   */
  scopeOfDesk(deskId: string): DeskScope;
  /** An agency's chain up to its root, itself first, in the agency tree known now. */
  lineageOf(agencyCode: string): readonly string[];
}

/** An agency of a dossier, with its chain up to the root as fixed when the event naming it was accepted. */
export interface AgencyRef {
  code: string;
  lineage: readonly string[];
}

/** The agencies a desk may act for on a dossier at a point of its fold. */
export interface DossierAgencies {
  receiving: AgencyRef;
  current: AgencyRef;
}

export type RefusalKind = 'foreign_desk' | 'conflicting_receipt';

export interface Refusal {
  kind: RefusalKind;
  stored: StoredEvent;
  detail: string;
}

/** The scope an event was accepted under: stamped by intake, else from the key directory. */
export function scopeOf(stored: StoredEvent, fallback: ScopeFallback): DeskScope {
  return stored.scope ?? fallback.scopeOfDesk(stored.deskId);
}

/** True when `scope` is trusted or one of its roots lies on `lineage` (the agency or an ancestor). */
export function covers(scope: DeskScope, lineage: readonly string[]): boolean {
  return scope === 'admin' || scope.some((root) => lineage.includes(root));
}

/** The agency `code` named by `stored`, with the lineage stamped on it (else the fallback's). */
export function agencyNamedBy(stored: StoredEvent, code: string, fallback: ScopeFallback): AgencyRef {
  const stamped = stored.agencyAncestry?.[code];
  return { code, lineage: stamped !== undefined && stamped.length > 0 ? stamped : fallback.lineageOf(code) };
}

type Receipt = StoredEvent & { event: DossierEventOf<'dossier.received'> };

function isReceipt(stored: StoredEvent): stored is Receipt {
  return stored.event.type === 'dossier.received';
}

/** The agencies a receipt gives its dossier: receiving (`receivingAgencyCode`, else `agencyCode`) and current. */
export function agenciesOfReceipt(receipt: StoredEvent, fallback: ScopeFallback): DossierAgencies {
  if (!isReceipt(receipt)) throw new Error(`${receipt.event.type} is not a receipt`);
  const data = receipt.event.data;
  return {
    receiving: agencyNamedBy(receipt, data.receivingAgencyCode ?? data.agencyCode, fallback),
    current: agencyNamedBy(receipt, data.agencyCode, fallback),
  };
}

function describeScope(scope: DeskScope): string {
  return scope === 'admin' ? 'admin' : `agencies ${scope.join(', ')}`;
}

/**
 * Whether the desk of `stored` may act on a dossier whose agencies are `agencies` at that point:
 * null when it may, else the refusal (`foreign_desk`).
 */
export function refusalOf(stored: StoredEvent, agencies: DossierAgencies, fallback: ScopeFallback): Refusal | null {
  const scope = scopeOf(stored, fallback);
  if (covers(scope, agencies.receiving.lineage) || covers(scope, agencies.current.lineage)) return null;
  const where =
    agencies.receiving.code === agencies.current.code
      ? `the dossier's agency ${agencies.current.code}`
      : `the dossier's receiving agency ${agencies.receiving.code} nor its current agency ${agencies.current.code}`;
  return {
    kind: 'foreign_desk',
    stored,
    detail: `${stored.event.type} from desk ${stored.deskId} (${describeScope(scope)}), which covers neither ${where}; not folded`,
  };
}

/** Intake's acceptance order: `acceptedAt`, then the fold order's tie-breakers (type, desk, event id). */
export function compareAcceptance(
  a: StoredEvent,
  b: StoredEvent,
  foldOrder: (a: StoredEvent, b: StoredEvent) => number,
) {
  return a.acceptedAt < b.acceptedAt ? -1 : a.acceptedAt > b.acceptedAt ? 1 : foldOrder(a, b);
}

/**
 * Which receipts of a dossier count. The first receipt accepted whose desk covers the receiving
 * agency it names (or is trusted) stands: every other receipt counts only when its desk is trusted
 * or covers that receipt's receiving or current agency; the others are `conflicting_receipt`. A
 * receipt accepted before it whose desk does not cover the agency it names itself (an envelope of
 * before the stamps, or a key narrowed since) is `foreign_desk`. The receipts that count are then
 * folded as usual (the earliest `occurredAt` is the receipt, the others `second_received`).
 */
export function screenReceipts(
  receipts: readonly StoredEvent[],
  fallback: ScopeFallback,
  foldOrder: (a: StoredEvent, b: StoredEvent) => number,
): { admitted: StoredEvent[]; refused: Refusal[] } {
  const byAcceptance = receipts.filter(isReceipt).sort((a, b) => compareAcceptance(a, b, foldOrder));
  const admitted: StoredEvent[] = [];
  const refused: Refusal[] = [];
  let first: { receipt: Receipt; agencies: DossierAgencies } | undefined;
  for (const receipt of byAcceptance) {
    const scope = scopeOf(receipt, fallback);
    if (first === undefined) {
      const agencies = agenciesOfReceipt(receipt, fallback);
      if (covers(scope, agencies.receiving.lineage)) {
        first = { receipt, agencies };
        admitted.push(receipt);
      } else {
        refused.push({
          kind: 'foreign_desk',
          stored: receipt,
          detail: `dossier.received from desk ${receipt.deskId} (${describeScope(scope)}), which does not cover the receiving agency ${agencies.receiving.code} it names; not folded`,
        });
      }
      continue;
    }
    if (covers(scope, first.agencies.receiving.lineage) || covers(scope, first.agencies.current.lineage)) {
      admitted.push(receipt);
      continue;
    }
    refused.push({
      kind: 'conflicting_receipt',
      stored: receipt,
      detail: `dossier.received from desk ${receipt.deskId} (${describeScope(scope)}) for a dossier already received by agency ${first.agencies.receiving.code} (desk ${first.receipt.deskId}), which it does not cover: the first receipt stands`,
    });
  }
  return { admitted, refused };
}
