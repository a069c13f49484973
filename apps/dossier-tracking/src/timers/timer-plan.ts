import { dueInstantReachedAt, isOpen, isWaitingAt } from '@tthc/counting';
import type { DossierRecord } from '../persistence/schemas';

/**
 * Pure decisions about the due-instant timers. The timer fires at the published due instant
 * (`dueInstantReachedAt` of libs/counting's due rules), which is not yet "overdue" (that is the
 * day after the due date, `pendingStateAt`): the fact it publishes is `due_instant_reached`.
 * A dossier version is *pending* when it is a received dossier, open (`isOpen`: not finished,
 * not voided) and has a due date; each pending
 * version has one delayed BullMQ job at its due instant with the deterministic id
 * `due:<dossierCode>:<version>`. Any new version replaces the previous version's job (the job
 * checks the version when it fires, so a stale job is harmless, but removing it keeps Redis small).
 */

export interface TimerJob {
  id: string;
  dossierCode: string;
  version: number;
  dueAt: string;
  /** Milliseconds from `now` to the due instant, never negative. */
  delay: number;
}

export interface TimerPlan {
  add: TimerJob[];
  remove: string[];
}

type RecordLike = Pick<DossierRecord, '_id' | 'kind' | 'version' | 'state' | 'factOwed'> & {
  overdueNotifiedAt?: string;
};

/**
 * The job id of a dossier version. BullMQ refuses custom ids containing ':' unless they have
 * exactly three ':'-separated parts, so the code is URI-encoded (':' → %3A; injective).
 */
export function timerJobId(dossierCode: string, version: number): string {
  return `due:${encodeURIComponent(dossierCode)}:${version}`;
}

/** True when the record's version needs a timer: received, not finished, not voided, with a due date. */
export function isPending(record: RecordLike | undefined): boolean {
  const state = record?.state;
  return (
    record !== undefined &&
    record.kind === 'dossier' &&
    state !== null &&
    state !== undefined &&
    isOpen(state) &&
    state.dueAt !== null
  );
}

/** Paused or waiting for a supplement at `now`: within deadline whatever the due date says (§5 pending split). */
export function isWaiting(record: RecordLike, now: number): boolean {
  return record.state !== null && record.state !== undefined && isWaitingAt(record.state, now);
}

/** The published due instant is reached at `now`, the dossier open and not waiting (due-rules.ts). */
function dueInstantReached(record: RecordLike, now: number): boolean {
  return record.state !== null && record.state !== undefined && dueInstantReachedAt(record.state, now);
}

function jobOf(record: RecordLike, now: number): TimerJob {
  const dueAt = record.state?.dueAt ?? '';
  return {
    id: timerJobId(record._id, record.version),
    dossierCode: record._id,
    version: record.version,
    dueAt,
    delay: Math.max(0, Date.parse(dueAt) - now),
  };
}

/** Which timer to add and which to remove when `next` replaces `previous` (undefined: a new dossier). */
export function planTimer(previous: RecordLike | undefined, next: RecordLike, now: number): TimerPlan {
  const plan: TimerPlan = { add: [], remove: [] };
  if (previous !== undefined && previous.version !== next.version && isPending(previous)) {
    plan.remove.push(timerJobId(previous._id, previous.version));
  }
  if (isPending(next) && next.overdueNotifiedAt === undefined) plan.add.push(jobOf(next, now));
  return plan;
}

/** {@link planTimer} over a batch of changed records. */
export function planTimers(
  previous: ReadonlyMap<string, RecordLike>,
  changed: readonly RecordLike[],
  now: number,
): TimerPlan {
  const plan: TimerPlan = { add: [], remove: [] };
  for (const next of changed) {
    const one = planTimer(previous.get(next._id), next, now);
    plan.add.push(...one.add);
    plan.remove.push(...one.remove);
  }
  return plan;
}

export type FireDecision =
  | 'notify'
  | 'stale'
  | 'not_pending'
  | 'waiting'
  | 'already_notified'
  | 'not_yet_due'
  /** The version's own lifecycle fact is not published yet: retry, so the notification follows it. */
  | 'fact_owed';

/** What a firing timer of `version` does with the dossier as stored now. */
export function decideFire(record: RecordLike | null, version: number, now: number): FireDecision {
  if (record === null || record.version !== version) return 'stale';
  if (!isPending(record)) return 'not_pending';
  if (record.overdueNotifiedAt !== undefined) return 'already_notified';
  if (isWaiting(record, now)) return 'waiting';
  if (!dueInstantReached(record, now)) return 'not_yet_due';
  if (record.factOwed) return 'fact_owed';
  return 'notify';
}

/** The state of a timer job as the sweep sees it: present (will fire) or missing. */
export type TimerPresence = 'present' | 'missing';

export type SweepAction = { action: 'none' } | { action: 'add'; job: TimerJob } | { action: 'notify' };

/**
 * What the reconciliation sweep does for a stored pending record whose timer is `presence`:
 * a missing timer of a not-yet-due dossier is added again; a missing timer of an overdue-now
 * dossier (not paused, not waiting, not yet notified, its lifecycle fact published) means the
 * notification is sent now.
 */
export function planSweep(record: RecordLike, presence: TimerPresence, now: number): SweepAction {
  if (!isPending(record) || record.overdueNotifiedAt !== undefined || presence === 'present') return { action: 'none' };
  const job = jobOf(record, now);
  if (job.delay > 0) return { action: 'add', job };
  if (!dueInstantReached(record, now) || record.factOwed) return { action: 'none' };
  return { action: 'notify' };
}
