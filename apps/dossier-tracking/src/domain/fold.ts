import type {
  AgencyAncestry,
  DeskScope,
  DossierEvent,
  DossierSnapshot,
  DueChange,
  ProcessingTime,
  WaitingInterval,
} from '@tthc/contracts';
import {
  agenciesOfReceipt,
  agencyNamedBy,
  refusalOf,
  screenReceipts,
  type DossierAgencies,
  type Refusal,
  type ScopeFallback,
} from './desk-scope';

/**
 * Folding a dossier's events into its state (CONTRACT §4–§5). Pure: the same set of distinct
 * events gives the same state whatever order they arrived in, because they are sorted by
 * `occurredAt` (ties broken by lifecycle order, then desk and event id) before folding. Events of
 * desks that may not act on the dossier are kept out first (`desk-scope.ts`).
 */

/** An accepted event as stored: which desk posted it, when and under which scope intake accepted it. */
export interface StoredEvent {
  deskId: string;
  event: DossierEvent;
  /** When intake accepted it (ISO instant): the order of receipts of one dossier (first one stands). */
  acceptedAt: string;
  /** The accepting key's scope, stamped by intake (absent on envelopes of before the stamps). */
  scope?: DeskScope;
  /** The ancestry of each agency the event names, stamped by intake (absent likewise). */
  agencyAncestry?: AgencyAncestry;
}

/** Working-time arithmetic the fold needs; provided by the calendar lib. */
export interface DueCalculator {
  /** Due instant (epoch ms) for work starting at `from` with the given processing time. */
  dueFrom(from: number, processingTime: ProcessingTime): number;
  /** Working milliseconds elapsed between two instants. */
  workingMillisBetween(from: number, to: number): number;
  /** `due` pushed forward by `workingMillis` of working time. */
  extend(due: number, workingMillis: number): number;
}

export interface ProcedureInfo {
  fieldCode: string;
  processingTime: ProcessingTime | null;
}

export interface FoldContext {
  procedure(code: string): ProcedureInfo | undefined;
  due: DueCalculator;
  /** Desk scope of envelopes intake did not stamp (key directory, agency tree). */
  desks: ScopeFallback;
}

export type DataQualityKind =
  | 'event_before_received'
  | 'second_reschedule'
  | 'event_after_voided'
  | 'event_after_finish'
  | 'second_received'
  | 'resume_without_pause'
  | 'supplement_received_without_request'
  /** Refused (desk-scope.ts): a desk that covers neither the dossier's receiving nor its current agency. */
  | 'foreign_desk'
  /** Refused (desk-scope.ts): a receipt of a dossier already received by an agency the desk does not cover. */
  | 'conflicting_receipt';

/** The findings that are refusals of a desk's event (issue 11), as opposed to impossible sequences. */
export const REFUSAL_KINDS: readonly DataQualityKind[] = ['foreign_desk', 'conflicting_receipt'];

export interface DataQualityIssue {
  kind: DataQualityKind;
  dossierCode: string;
  deskId: string;
  eventId: string;
  detail: string;
}

export type FoldResult =
  | { kind: 'awaiting_receipt'; issues: DataQualityIssue[] }
  | { kind: 'rejected'; issues: DataQualityIssue[] }
  | { kind: 'dossier'; state: Omit<DossierSnapshot, 'version'>; issues: DataQualityIssue[] };

const LIFECYCLE_ORDER: Record<DossierEvent['type'], number> = {
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
};

export function instantOf(iso: string): number {
  return Date.parse(iso);
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** The order events are folded in: occurredAt, then lifecycle order, then desk and event id. */
export function compareEvents(a: StoredEvent, b: StoredEvent): number {
  return (
    instantOf(a.event.occurredAt) - instantOf(b.event.occurredAt) ||
    LIFECYCLE_ORDER[a.event.type] - LIFECYCLE_ORDER[b.event.type] ||
    (a.deskId < b.deskId ? -1 : a.deskId > b.deskId ? 1 : 0) ||
    (a.event.eventId < b.event.eventId ? -1 : a.event.eventId > b.event.eventId ? 1 : 0)
  );
}

export function foldDossier(dossierCode: string, events: readonly StoredEvent[], context: FoldContext): FoldResult {
  const issues: DataQualityIssue[] = [];
  const issue = (kind: DataQualityKind, stored: StoredEvent, detail: string) =>
    issues.push({ kind, dossierCode, deskId: stored.deskId, eventId: stored.event.eventId, detail });
  const refuse = (refusal: Refusal) => issue(refusal.kind, refusal.stored, refusal.detail);

  // Receipts of desks that do not cover the first receipt are conflicts, never folded.
  const screened = screenReceipts(
    events.filter((stored) => stored.event.type === 'dossier.received'),
    context.desks,
    compareEvents,
  );
  screened.refused.forEach(refuse);
  const admitted = new Set(screened.admitted);
  const sorted = events
    .filter((stored) => stored.event.type !== 'dossier.received' || admitted.has(stored))
    .sort(compareEvents);

  const receivedIndex = sorted.findIndex((stored) => stored.event.type === 'dossier.received');
  const received = sorted[receivedIndex];
  if (received === undefined || received.event.type !== 'dossier.received') {
    const rejected = sorted.some((stored) => stored.event.type === 'dossier.rejected');
    return { kind: rejected ? 'rejected' : 'awaiting_receipt', issues };
  }
  // The agencies a desk must cover to act on the dossier (the current one moves with transfers).
  const agencies: DossierAgencies = agenciesOfReceipt(received, context.desks);
  for (const stored of sorted.slice(0, receivedIndex)) {
    const refusal = refusalOf(stored, agencies, context.desks);
    if (refusal !== null) refuse(refusal);
    else if (stored.event.type !== 'dossier.rejected') {
      issue('event_before_received', stored, `${stored.event.type} at ${stored.event.occurredAt} precedes the receipt`);
    }
  }

  const data = received.event.data;
  const procedure = context.procedure(data.procedureCode);
  const processingTime = procedure?.processingTime ?? null;
  const receivedAt = instantOf(received.event.occurredAt);
  const initialDue =
    data.dueAt !== undefined
      ? instantOf(data.dueAt)
      : processingTime === null
        ? null
        : context.due.dueFrom(receivedAt, processingTime);

  let status: DossierSnapshot['status'] = 'processing';
  let agencyCode = data.agencyCode;
  let due: number | null = initialDue;
  const dueHistory: DueChange[] = [
    { dueAt: due === null ? null : iso(due), reason: 'initial', effectiveAt: iso(receivedAt) },
  ];
  const waiting: WaitingInterval[] = [];
  let openWait: { kind: WaitingInterval['kind']; from: number } | undefined;
  let rescheduledDueAt: string | null = null;
  let rescheduledAt: string | null = null;
  let finishedAt: number | null = null;
  let finishKind: DossierSnapshot['finishKind'] = null;
  let outcome: DossierSnapshot['outcome'] = null;
  let voided = false;

  const closeWait = (at: number) => {
    if (openWait === undefined) return undefined;
    const closed = openWait;
    waiting.push({ kind: closed.kind, from: iso(closed.from), to: iso(at) });
    openWait = undefined;
    return closed;
  };
  const setDue = (value: number | null, reason: DueChange['reason'], at: number) => {
    due = value;
    dueHistory.push({ dueAt: value === null ? null : iso(value), reason, effectiveAt: iso(at) });
  };

  for (const stored of sorted.slice(receivedIndex + 1)) {
    const event = stored.event;
    const at = instantOf(event.occurredAt);
    // Receipts were screened above (a second receipt that counts is a finding below).
    const refusal = event.type === 'dossier.received' ? null : refusalOf(stored, agencies, context.desks);
    if (refusal !== null) {
      refuse(refusal);
      continue;
    }
    if (voided) {
      issue('event_after_voided', stored, `${event.type} after the dossier was voided`);
      continue;
    }
    if (
      finishedAt !== null &&
      event.type !== 'dossier.voided' &&
      event.type !== 'dossier.returned' &&
      event.type !== 'dossier.resolved'
    ) {
      issue('event_after_finish', stored, `${event.type} after the dossier finished (${finishKind ?? ''})`);
      continue;
    }
    switch (event.type) {
      case 'dossier.received':
        issue('second_received', stored, 'the dossier was already received');
        break;
      case 'dossier.rejected':
        issue('event_after_finish', stored, 'rejected after it was received');
        break;
      case 'dossier.transferred':
        agencyCode = event.data.toAgencyCode;
        agencies.current = agencyNamedBy(stored, event.data.toAgencyCode, context.desks);
        break;
      case 'dossier.supplement_requested':
        closeWait(at);
        openWait = { kind: 'supplement', from: at };
        status = 'waiting_supplement';
        break;
      case 'dossier.supplement_received': {
        const closed = closeWait(at);
        if (closed?.kind !== 'supplement')
          issue('supplement_received_without_request', stored, 'no open supplement request');
        status = 'processing';
        const restarted =
          event.data.dueAt !== undefined
            ? instantOf(event.data.dueAt)
            : processingTime === null
              ? null
              : context.due.dueFrom(at, processingTime);
        setDue(restarted, 'supplement_restart', at);
        break;
      }
      case 'dossier.paused':
        closeWait(at);
        openWait = { kind: 'pause', from: at };
        status = 'paused';
        break;
      case 'dossier.resumed': {
        // A resume without an open pause changes nothing (an open supplement wait stays open).
        if (openWait?.kind !== 'pause') {
          issue('resume_without_pause', stored, 'no open pause');
          break;
        }
        const closed = closeWait(at);
        if (closed === undefined) break;
        status = 'processing';
        if (due !== null)
          setDue(context.due.extend(due, context.due.workingMillisBetween(closed.from, at)), 'pause_extension', at);
        break;
      }
      case 'dossier.rescheduled':
        if (rescheduledDueAt !== null)
          issue('second_reschedule', stored, 're-dating is allowed once (Decree 61/2018 art.19(9))');
        else {
          rescheduledDueAt = iso(instantOf(event.data.newDueAt));
          rescheduledAt = iso(at);
        }
        break;
      case 'dossier.resolved':
        if (outcome === null) outcome = event.data.outcome;
        if (finishedAt === null) {
          finishedAt = at;
          finishKind = 'resolved';
          status = 'resolved';
        }
        break;
      case 'dossier.returned':
        if (finishedAt === null) {
          finishedAt = at;
          finishKind = 'returned';
        }
        status = 'returned';
        break;
      case 'dossier.withdrawn':
        finishedAt = at;
        finishKind = 'withdrawn';
        status = 'withdrawn';
        break;
      case 'dossier.voided':
        voided = true;
        status = 'voided';
        break;
    }
  }
  if (openWait !== undefined && finishedAt !== null) closeWait(finishedAt);
  if (openWait !== undefined) {
    const stillOpen: { kind: WaitingInterval['kind']; from: number } = openWait;
    waiting.push({ kind: stillOpen.kind, from: iso(stillOpen.from), to: null });
  }
  const finalDue: number | null = due;

  return {
    kind: 'dossier',
    issues,
    state: {
      dossierCode,
      status,
      procedureCode: data.procedureCode,
      fieldCode: data.fieldCode ?? procedure?.fieldCode ?? 'unknown',
      agencyCode,
      receivingAgencyCode: data.receivingAgencyCode ?? data.agencyCode,
      channel: data.channel,
      receivedAt: iso(receivedAt),
      dueAt: finalDue === null ? null : iso(finalDue),
      dueHistory,
      rescheduledDueAt,
      // Only when re-dated, so snapshots without a reschedule stay as they were.
      ...(rescheduledAt === null ? {} : { rescheduledAt }),
      waiting,
      finishedAt: finishedAt === null ? null : iso(finishedAt),
      finishKind,
      outcome,
    },
  };
}
