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
  LIFECYCLE_ORDER,
  acceptsReDate,
  extendedByWaitOf,
  initialDue,
  restartedDue,
  type DueCalendar,
} from '@tthc/counting';
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
 * Folding a dossier's events into its state (docs/api.md §4, docs/counting-rules.md). Pure: the same set of distinct
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

export interface ProcedureInfo {
  fieldCode: string;
  processingTime: ProcessingTime | null;
}

export interface FoldContext {
  procedure(code: string): ProcedureInfo | undefined;
  /** The working calendar the due rules count on (the reference calendar). */
  due: DueCalendar;
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

/** Records a data-quality finding about one stored event. */
type Report = (kind: DataQualityKind, stored: StoredEvent, detail: string) => void;

/** The dossier being folded: everything the snapshot is made of, in epoch ms. */
interface FoldState {
  status: DossierSnapshot['status'];
  agencyCode: string;
  agencies: DossierAgencies;
  processingTime: ProcessingTime | null;
  due: number | null;
  dueHistory: DueChange[];
  waiting: WaitingInterval[];
  openWait: { kind: WaitingInterval['kind']; from: number } | undefined;
  rescheduledDueAt: string | null;
  rescheduledAt: string | null;
  finishedAt: number | null;
  finishKind: DossierSnapshot['finishKind'];
  outcome: DossierSnapshot['outcome'];
  voided: boolean;
}

/**
 * Step 1, screening: receipts of desks that do not cover the first receipt are conflicts, never
 * folded; the rest is sorted into folding order ({@link compareEvents}).
 */
function screenedInOrder(events: readonly StoredEvent[], context: FoldContext, refuse: (r: Refusal) => void) {
  const screened = screenReceipts(
    events.filter((stored) => stored.event.type === 'dossier.received'),
    context.desks,
    compareEvents,
  );
  screened.refused.forEach(refuse);
  const admitted = new Set(screened.admitted);
  return events
    .filter((stored) => stored.event.type !== 'dossier.received' || admitted.has(stored))
    .sort(compareEvents);
}

/** Step 2, before the receipt: refused when the desk may not act, else an `event_before_received` finding. */
function reportBeforeReceipt(
  earlier: readonly StoredEvent[],
  agencies: DossierAgencies,
  context: FoldContext,
  report: Report,
  refuse: (r: Refusal) => void,
) {
  for (const stored of earlier) {
    const refusal = refusalOf(stored, agencies, context.desks);
    if (refusal !== null) refuse(refusal);
    else if (stored.event.type !== 'dossier.rejected') {
      report(
        'event_before_received',
        stored,
        `${stored.event.type} at ${stored.event.occurredAt} precedes the receipt`,
      );
    }
  }
}

/** Step 3, the receipt: the dossier opens, processing, with its initial due ({@link initialDue}). */
function openedBy(received: ReceivedEvent, agencies: DossierAgencies, context: FoldContext): FoldState {
  const data = received.event.data;
  const processingTime = context.procedure(data.procedureCode)?.processingTime ?? null;
  const receivedAt = instantOf(received.event.occurredAt);
  const due = initialDue(receivedAt, data.dueAt, processingTime, context.due);
  return {
    status: 'processing',
    agencyCode: data.agencyCode,
    agencies,
    processingTime,
    due,
    dueHistory: [{ dueAt: due === null ? null : iso(due), reason: 'initial', effectiveAt: iso(receivedAt) }],
    waiting: [],
    openWait: undefined,
    rescheduledDueAt: null,
    rescheduledAt: null,
    finishedAt: null,
    finishKind: null,
    outcome: null,
    voided: false,
  };
}

/** A new due in force from `at` on, recorded in the history with its reason. */
function setDue(state: FoldState, value: number | null, reason: DueChange['reason'], at: number) {
  state.due = value;
  state.dueHistory.push({ dueAt: value === null ? null : iso(value), reason, effectiveAt: iso(at) });
}

/** Closes the open wait (if any) at `at`, recording its interval; returns it. */
function closeWait(state: FoldState, at: number) {
  const closed = state.openWait;
  if (closed === undefined) return undefined;
  state.waiting.push({ kind: closed.kind, from: iso(closed.from), to: iso(at) });
  state.openWait = undefined;
  return closed;
}

/** Opens a wait at `at` (a new one replaces the open one, which is closed then). */
function openWait(state: FoldState, kind: WaitingInterval['kind'], at: number) {
  closeWait(state, at);
  state.openWait = { kind, from: at };
  state.status = kind === 'pause' ? 'paused' : 'waiting_supplement';
}

/**
 * Step 4, admission of a later event: refused by desk scope, ignored after voiding, and after a
 * finish only `resolved`, `returned` and `voided` still act. Returns false when the event is out.
 */
function admitted(
  state: FoldState,
  stored: StoredEvent,
  context: FoldContext,
  report: Report,
  refuse: (r: Refusal) => void,
) {
  const event = stored.event;
  // Receipts were screened in step 1 (a second receipt that counts is a finding below).
  const refusal = event.type === 'dossier.received' ? null : refusalOf(stored, state.agencies, context.desks);
  if (refusal !== null) {
    refuse(refusal);
    return false;
  }
  if (state.voided) {
    report('event_after_voided', stored, `${event.type} after the dossier was voided`);
    return false;
  }
  const stillActs =
    event.type === 'dossier.voided' || event.type === 'dossier.returned' || event.type === 'dossier.resolved';
  if (state.finishedAt !== null && !stillActs) {
    report('event_after_finish', stored, `${event.type} after the dossier finished (${state.finishKind ?? ''})`);
    return false;
  }
  return true;
}

/** Supplement received: the wait ends and the clock restarts ({@link restartedDue}). */
function receiveSupplement(
  state: FoldState,
  stored: StoredEvent,
  at: number,
  given: string | undefined,
  context: FoldContext,
  report: Report,
) {
  const closed = closeWait(state, at);
  if (closed?.kind !== 'supplement')
    report('supplement_received_without_request', stored, 'no open supplement request');
  state.status = 'processing';
  setDue(state, restartedDue(at, given, state.processingTime, context.due), 'supplement_restart', at);
}

/** Resumed: the pause ends and the due moves by its working time ({@link extendedByWaitOf}; none stays none). */
function resume(state: FoldState, stored: StoredEvent, at: number, context: FoldContext, report: Report) {
  // A resume without an open pause changes nothing (an open supplement wait stays open).
  if (state.openWait?.kind !== 'pause') {
    report('resume_without_pause', stored, 'no open pause');
    return;
  }
  const closed = closeWait(state, at);
  if (closed === undefined) return;
  state.status = 'processing';
  // Recorded even without a due (it stays none): a re-date honoured by the counting policies is
  // pushed by this pause too (effectiveDueHistory replays the step).
  setDue(state, extendedByWaitOf(state.due, closed.from, at, context.due), 'pause_extension', at);
}

/** The apology re-date: recorded once ({@link acceptsReDate}); counted only under `rescheduledDue: honoured`. */
function reDate(state: FoldState, stored: StoredEvent, at: number, newDueAt: string, report: Report) {
  if (!acceptsReDate(state.rescheduledDueAt)) {
    report('second_reschedule', stored, 're-dating is allowed once (Decree 61/2018 art.19(9))');
    return;
  }
  state.rescheduledDueAt = iso(instantOf(newDueAt));
  state.rescheduledAt = iso(at);
}

/** A finish: the first resolve or return sets the finish; a withdrawal always does. */
function finish(state: FoldState, kind: NonNullable<DossierSnapshot['finishKind']>, at: number) {
  if (kind === 'withdrawn' || state.finishedAt === null) {
    state.finishedAt = at;
    state.finishKind = kind;
  }
}

/** Step 5, one admitted event after the receipt. */
function apply(state: FoldState, stored: StoredEvent, context: FoldContext, report: Report) {
  const event = stored.event;
  const at = instantOf(event.occurredAt);
  switch (event.type) {
    case 'dossier.received':
      report('second_received', stored, 'the dossier was already received');
      break;
    case 'dossier.rejected':
      report('event_after_finish', stored, 'rejected after it was received');
      break;
    case 'dossier.transferred':
      state.agencyCode = event.data.toAgencyCode;
      state.agencies.current = agencyNamedBy(stored, event.data.toAgencyCode, context.desks);
      break;
    case 'dossier.supplement_requested':
      openWait(state, 'supplement', at);
      break;
    case 'dossier.supplement_received':
      receiveSupplement(state, stored, at, event.data.dueAt, context, report);
      break;
    case 'dossier.paused':
      openWait(state, 'pause', at);
      break;
    case 'dossier.resumed':
      resume(state, stored, at, context, report);
      break;
    case 'dossier.rescheduled':
      reDate(state, stored, at, event.data.newDueAt, report);
      break;
    case 'dossier.resolved':
      if (state.outcome === null) state.outcome = event.data.outcome;
      if (state.finishedAt === null) state.status = 'resolved';
      finish(state, 'resolved', at);
      break;
    case 'dossier.returned':
      finish(state, 'returned', at);
      state.status = 'returned';
      break;
    case 'dossier.withdrawn':
      finish(state, 'withdrawn', at);
      state.status = 'withdrawn';
      break;
    case 'dossier.voided':
      state.voided = true;
      state.status = 'voided';
      break;
  }
}

/** Step 6, the end: a wait open at the finish ends there; one still open stays open (`to: null`). */
function closeAtEnd(state: FoldState) {
  if (state.openWait !== undefined && state.finishedAt !== null) closeWait(state, state.finishedAt);
  const stillOpen = state.openWait;
  if (stillOpen !== undefined) state.waiting.push({ kind: stillOpen.kind, from: iso(stillOpen.from), to: null });
}

/** Step 7, the snapshot published with the dossier's next version. */
function snapshotOf(dossierCode: string, received: ReceivedEvent, state: FoldState, context: FoldContext) {
  const data = received.event.data;
  const rescheduledAt = state.rescheduledAt;
  const snapshot: Omit<DossierSnapshot, 'version'> = {
    dossierCode,
    status: state.status,
    procedureCode: data.procedureCode,
    fieldCode: data.fieldCode ?? context.procedure(data.procedureCode)?.fieldCode ?? 'unknown',
    agencyCode: state.agencyCode,
    receivingAgencyCode: data.receivingAgencyCode ?? data.agencyCode,
    channel: data.channel,
    receivedAt: iso(instantOf(received.event.occurredAt)),
    dueAt: state.due === null ? null : iso(state.due),
    dueHistory: state.dueHistory,
    rescheduledDueAt: state.rescheduledDueAt,
    // Only when re-dated, so snapshots without a reschedule stay as they were.
    ...(rescheduledAt === null ? {} : { rescheduledAt }),
    waiting: state.waiting,
    finishedAt: state.finishedAt === null ? null : iso(state.finishedAt),
    finishKind: state.finishKind,
    outcome: state.outcome,
  };
  return snapshot;
}

type ReceivedEvent = StoredEvent & { event: Extract<DossierEvent, { type: 'dossier.received' }> };

/** Folds a dossier's stored events into its state, in the named steps above. */
export function foldDossier(dossierCode: string, events: readonly StoredEvent[], context: FoldContext): FoldResult {
  const issues: DataQualityIssue[] = [];
  const report: Report = (kind, stored, detail) =>
    issues.push({ kind, dossierCode, deskId: stored.deskId, eventId: stored.event.eventId, detail });
  const refuse = (refusal: Refusal) => report(refusal.kind, refusal.stored, refusal.detail);

  const sorted = screenedInOrder(events, context, refuse);
  const receivedIndex = sorted.findIndex((stored) => stored.event.type === 'dossier.received');
  const received = sorted[receivedIndex];
  if (received === undefined || received.event.type !== 'dossier.received') {
    const rejected = sorted.some((stored) => stored.event.type === 'dossier.rejected');
    return { kind: rejected ? 'rejected' : 'awaiting_receipt', issues };
  }
  const receipt = received as ReceivedEvent;
  // The agencies a desk must cover to act on the dossier (the current one moves with transfers).
  const agencies: DossierAgencies = agenciesOfReceipt(receipt, context.desks);
  reportBeforeReceipt(sorted.slice(0, receivedIndex), agencies, context, report, refuse);
  const state = openedBy(receipt, agencies, context);
  for (const stored of sorted.slice(receivedIndex + 1)) {
    if (admitted(state, stored, context, report, refuse)) apply(state, stored, context, report);
  }
  closeAtEnd(state);
  return { kind: 'dossier', issues, state: snapshotOf(dossierCode, receipt, state, context) };
}
