import { createHash } from 'node:crypto';
import type { DossierEvent, DossierEventType } from '@tthc/contracts';
import type { PortalChannel, PortalProgress, PortalSnapshot, PortalStatus } from './portal-records';

/**
 * From everything a desk has sent about one dossier (snapshots and processing steps, in any order,
 * any number of times) to the contract events (docs/api.md §4) they imply. Pure: the same set of
 * records always gives the same events with the same ids, whatever order they arrived in.
 * The rules are docs/desk-sync.md's mapping table.
 */

/** A snapshot with its unit resolved to an agency code (and the receiving agency of its MaHoSo prefix, if known). */
export interface SnapshotFact extends PortalSnapshot {
  agencyCode: string;
  receivingAgencyCode?: string;
}

/** A processing step with its unit resolved, when it names one. */
export interface ProgressFact extends PortalProgress {
  agencyCode?: string;
}

export interface DossierRecords {
  /** The posting key's id: part of every event id (idempotency is per desk, docs/api.md §4). */
  deskId: string;
  maHoSo: string;
  snapshots: readonly SnapshotFact[];
  progress: readonly ProgressFact[];
}

export type FindingKind =
  | 'channel_missing'
  | 'status_reverted'
  | 'status_time_unknown'
  | 'status_after_finish'
  | 'transfer_time_estimated'
  | 'conflicting_values'
  | 'receipt_unit_unknown'
  | 'receipt_procedure_unknown'
  | 'received_after_rejection'
  | 'return_without_finish'
  | 'superseded';

/** Something about a dossier's records that the events cannot say (listed by `GET /v1/sync/dvcqg/findings`). */
export interface Finding {
  kind: FindingKind;
  detail: string;
}

export interface Derivation {
  events: DossierEvent[];
  findings: Finding[];
  /** False while no snapshot is known (progress before snapshot): nothing can be derived yet. */
  ready: boolean;
}

/**
 * The deterministic event id of a derived event: `dvcqg-` + 40 hex digits of a SHA-256 of the desk,
 * the dossier, the type and `key`: the instant, and for a transfer also its target (two units at
 * one instant are two transfers); for a re-date, the new due only.
 */
export function derivedEventId(deskId: string, maHoSo: string, type: DossierEventType, key: string): string {
  const digest = createHash('sha256').update(`${deskId}\n${maHoSo}\n${type}\n${key}`).digest('hex');
  return `dvcqg-${digest.slice(0, 40)}`;
}

type ObservationKind = PortalStatus | 'unit';

interface Observation {
  at: number;
  iso: string;
  kind: ObservationKind;
  /** unit observations: the agency from then on. */
  agencyCode?: string;
  /** 4 from a supplement entry: the due printed for the supplement (`NgayHenTraMoi`). */
  dueAt?: string;
  estimated?: boolean;
}

/** Order of observations at the same instant: the lifecycle order (as the oracle ranks event types). */
const RANK: Record<string, number> = { 1: 0, 3: 1, 2: 2, unit: 3, 5: 4, 4: 5, 6: 6, 8: 7, 9: 8, 10: 9, 7: 10 };

const OPEN_STATUSES = new Set<ObservationKind>([2, 4, 5, 6, 8]);

function compareObservations(a: Observation, b: Observation): number {
  if (a.at !== b.at) return a.at - b.at;
  const rank = (RANK[String(a.kind)] ?? 99) - (RANK[String(b.kind)] ?? 99);
  if (rank !== 0) return rank;
  return (a.agencyCode ?? '').localeCompare(b.agencyCode ?? '');
}

function observation(iso: string, kind: ObservationKind, extra: Partial<Observation> = {}): Observation {
  return { at: Date.parse(iso), iso, kind, ...extra };
}

/** The latest date a snapshot carries: the earliest it can have been taken. */
function lowerBound(snapshot: PortalSnapshot): string | undefined {
  const dates = [snapshot.receivedAt, snapshot.finishedAt, snapshot.returnedAt, snapshot.refusedAt];
  for (const supplement of snapshot.supplements) dates.push(supplement.requestedAt, supplement.receivedAt);
  let best: string | undefined;
  for (const date of dates)
    if (date !== undefined && (best === undefined || Date.parse(date) > Date.parse(best))) best = date;
  return best;
}

/** Snapshots in lifecycle order (status, then the latest date they carry, then content): a stable choice among them. */
function orderedSnapshots(snapshots: readonly SnapshotFact[]): SnapshotFact[] {
  const rank = (s: SnapshotFact) => RANK[String(s.status)] ?? 99;
  return [...snapshots].sort(
    (a, b) =>
      rank(a) - rank(b) ||
      Date.parse(lowerBound(a) ?? '1970-01-01T00:00:00Z') - Date.parse(lowerBound(b) ?? '1970-01-01T00:00:00Z') ||
      JSON.stringify(a).localeCompare(JSON.stringify(b)),
  );
}

function distinct<T>(values: Iterable<T | undefined>): T[] {
  return [...new Set([...values].filter((value): value is T => value !== undefined))];
}

class Findings {
  private readonly seen = new Map<string, Finding>();
  add(kind: FindingKind, detail: string): void {
    this.seen.set(`${kind}\n${detail}`, { kind, detail });
  }
  list(): Finding[] {
    return [...this.seen.values()];
  }
}

/** Derives the contract events of one dossier from all its records. */
export function deriveEvents(records: DossierRecords): Derivation {
  const findings = new Findings();
  if (records.snapshots.length === 0) return { events: [], findings: [], ready: false };
  const { deskId, maHoSo } = records;
  const snapshots = orderedSnapshots(records.snapshots);
  const first = snapshots[0];
  if (first === undefined) return { events: [], findings: [], ready: false };
  const primary = snapshots.find((s) => s.status !== 1 && s.status !== 3) ?? first;

  // Every timed status of the dossier.
  const observations: Observation[] = [];
  for (const step of records.progress) {
    observations.push(observation(step.at, step.status));
    if (step.agencyCode !== undefined) observations.push(observation(step.at, 'unit', { agencyCode: step.agencyCode }));
  }
  for (const snapshot of snapshots) {
    if (snapshot.status === 3) {
      const at = snapshot.refusedAt ?? snapshot.receivedAt;
      if (at !== undefined) observations.push(observation(at, 3));
    } else {
      if (snapshot.receivedAt !== undefined) observations.push(observation(snapshot.receivedAt, 2));
      if (snapshot.refusedAt !== undefined) observations.push(observation(snapshot.refusedAt, 3));
    }
    if (snapshot.finishedAt !== undefined) {
      if (snapshot.status === 9 || snapshot.status === 10) observations.push(observation(snapshot.finishedAt, 9));
      if (snapshot.status === 7) observations.push(observation(snapshot.finishedAt, 7));
    }
    if (snapshot.returnedAt !== undefined && snapshot.status === 10)
      observations.push(observation(snapshot.returnedAt, 10));
    for (const supplement of snapshot.supplements) {
      if (supplement.requestedAt !== undefined) observations.push(observation(supplement.requestedAt, 5));
      if (supplement.receivedAt !== undefined) {
        observations.push(
          observation(
            supplement.receivedAt,
            4,
            supplement.dueAfter === undefined ? {} : { dueAt: supplement.dueAfter },
          ),
        );
      }
    }
  }
  const statusSeen = new Set(observations.filter((o) => o.kind !== 'unit').map((o) => o.kind));
  for (const snapshot of snapshots) {
    if (!statusSeen.has(snapshot.status) && ![1, 2, 4].includes(snapshot.status)) {
      findings.add(
        'status_time_unknown',
        `TrangThaiHoSo ${snapshot.status} has no date and no processing step (CapNhatTienDoHoSoMC) with TrangThai ${snapshot.status}: no event until one says when`,
      );
    }
  }

  // Units: from the steps that name one, else from the snapshots (times estimated).
  const stepUnits = observations.filter((o) => o.kind === 'unit');
  if (stepUnits.length === 0) {
    let previous: string | undefined;
    for (const snapshot of snapshots) {
      const at = lowerBound(snapshot);
      if (at !== undefined && snapshot.agencyCode !== previous) {
        observations.push(observation(at, 'unit', { agencyCode: snapshot.agencyCode, estimated: true }));
      }
      previous = snapshot.agencyCode;
    }
  }

  // Keep one observation per (instant, kind, agency, due); lifecycle order.
  const unique = new Map<string, Observation>();
  for (const o of observations) unique.set(`${o.at}|${String(o.kind)}|${o.agencyCode ?? ''}|${o.dueAt ?? ''}`, o);
  const timeline = [...unique.values()].sort(compareObservations);

  // A 9 followed later by an open status was a sender's rewrite of 5/6/8 (or a finish taken back): not a finish.
  const reverted = new Set<Observation>();
  timeline.forEach((o, index) => {
    if (o.kind !== 9) return;
    const back = timeline.slice(index + 1).find((later) => later.at > o.at && OPEN_STATUSES.has(later.kind));
    if (back !== undefined) {
      reverted.add(o);
      findings.add(
        'status_reverted',
        `TrangThai 9 at ${o.iso} went back to ${String(back.kind)} at ${back.iso}: not counted as resolved`,
      );
    }
  });

  const receipt = timeline.find((o) => o.kind === 2);
  // The receipt's procedure (and field): of the first snapshot past 1 and 3, else the first that names one.
  // Only a status-3 snapshot may omit MaTTHC; a receipt without a procedure is refused by the
  // contract (docs/api.md §4.2), so it waits for a snapshot that names one.
  const described = primary.procedureCode !== '' ? primary : snapshots.find((s) => s.procedureCode !== '');
  if (receipt !== undefined && described === undefined) {
    findings.add(
      'receipt_procedure_unknown',
      `TrangThai 2 at ${receipt.iso} but no snapshot names the procedure (MaTTHC): nothing is counted until one does`,
    );
  }
  // A receipt after a refusal is a transition the contract allows (docs/api.md §4.2 and
  // docs/counting-rules.md §4: only dossiers rejected and never received are excluded; a 2 at the
  // refusal's instant sorts after it too): derived, and flagged.
  const refusal = timeline.find((o) => o.kind === 3);
  if (receipt !== undefined && described !== undefined && refusal !== undefined && refusal.at <= receipt.at) {
    findings.add(
      'received_after_rejection',
      `TrangThai 3 at ${refusal.iso}, then 2 at ${receipt.iso}: counted as received`,
    );
  }
  const events: DossierEvent[] = [];
  const add = (type: DossierEventType, at: string, data: Record<string, unknown>, key = at) => {
    events.push({
      eventId: derivedEventId(deskId, maHoSo, type, key),
      type,
      occurredAt: at,
      dossierCode: maHoSo,
      data,
    } as DossierEvent);
  };

  // The receipt's unit: a step at or before the receipt, else a snapshot taken before processing,
  // else — for senders whose steps never name a unit — the snapshots' unit. A sender whose steps
  // name units but none yet at the receipt: the receipt waits for that step (the unit may have
  // changed since, by a transfer).
  let receiptAgency: string | undefined;
  if (receipt !== undefined) {
    const before = timeline.filter((o) => o.kind === 'unit' && !o.estimated && o.at <= receipt.at);
    receiptAgency =
      before[before.length - 1]?.agencyCode ??
      snapshots.find((s) => s.status <= 2)?.agencyCode ??
      (stepUnits.length === 0 ? primary.agencyCode : undefined);
    if (receiptAgency === undefined) {
      findings.add(
        'receipt_unit_unknown',
        'the processing steps name units, but no step at the receipt and no snapshot in status 1 or 2 says the receiving unit yet: nothing is counted until one does',
      );
    }
  }

  let phase: 'new' | 'rejected' | 'open' | 'finished' = 'new';
  let finishedBy: 'resolved' | 'withdrawn' | undefined;
  let returned = false;
  let waiting: 'supplement' | 'pause' | undefined;
  let agency = receiptAgency;

  const leaveWait = (o: Observation) => {
    if (waiting === 'supplement')
      add('dossier.supplement_received', o.iso, o.dueAt === undefined ? {} : { dueAt: o.dueAt });
    else if (waiting === 'pause') add('dossier.resumed', o.iso, {});
    waiting = undefined;
  };

  let stalled = false;
  for (const o of timeline) {
    if (stalled) break;
    if (o.kind === 1) continue;
    if (phase === 'new' || phase === 'rejected') {
      if (o.kind === 3 && phase === 'new') {
        add('dossier.rejected', o.iso, {});
        phase = 'rejected';
      } else if (o.kind === 2 && o === receipt && receiptAgency !== undefined && described !== undefined) {
        const data: Record<string, unknown> = {
          procedureCode: described.procedureCode,
          agencyCode: receiptAgency,
          channel: channelOf(snapshots, findings),
        };
        if (described.fieldCode !== undefined) data.fieldCode = described.fieldCode;
        const receiving = distinct(snapshots.map((s) => s.receivingAgencyCode)).sort()[0];
        if (receiving !== undefined && receiving !== receiptAgency) data.receivingAgencyCode = receiving;
        // The due printed at the receipt; a date a processing step gives (NgayHenTra of a step) is a re-date.
        const redated = new Set(records.progress.map((p) => p.dueAt));
        const dues = distinct(snapshots.filter((s) => s.status <= 2).map((s) => s.dueAt))
          .filter((due) => !redated.has(due))
          .sort();
        if (dues.length > 1)
          findings.add('conflicting_values', `NgayHenTra at receipt: ${dues.join(', ')}; the earliest is used`);
        if (dues[0] !== undefined) data.dueAt = dues[0];
        add('dossier.received', o.iso, data);
        phase = 'open';
      }
      continue;
    }
    if (phase === 'finished') {
      if (o.kind === 10 && finishedBy === 'resolved' && !returned) {
        add('dossier.returned', o.iso, {});
        returned = true;
      } else if (
        o.kind !== 'unit' &&
        o.kind !== 9 &&
        o.kind !== 10 &&
        o.kind !== 2 &&
        !(o.kind === 7 && finishedBy === 'withdrawn')
      ) {
        if (!(o.kind === 4 && reverted.size > 0)) {
          findings.add(
            'status_after_finish',
            `TrangThai ${String(o.kind)} at ${o.iso} after the dossier finished: ignored`,
          );
        }
      }
      continue;
    }
    switch (o.kind) {
      case 'unit':
        if (o.agencyCode !== undefined && o.agencyCode !== agency) {
          add('dossier.transferred', o.iso, { toAgencyCode: o.agencyCode }, `${o.iso} ${o.agencyCode}`);
          if (o.estimated) {
            findings.add(
              'transfer_time_estimated',
              `DonViXuLy became ${o.agencyCode}; no processing step says when (${o.iso} used)`,
            );
          }
          agency = o.agencyCode;
        }
        break;
      case 2:
      case 4:
        leaveWait(o);
        break;
      case 3:
        findings.add('status_after_finish', `TrangThai 3 at ${o.iso} after the receipt: ignored`);
        break;
      case 5:
        if (waiting === 'pause') leaveWait(o);
        if (waiting !== 'supplement') add('dossier.supplement_requested', o.iso, {});
        waiting = 'supplement';
        break;
      case 6:
      case 8:
        if (waiting === 'supplement') leaveWait(o);
        if (waiting !== 'pause') {
          add('dossier.paused', o.iso, { reason: o.kind === 6 ? 'financial_obligation' : 'suspended' });
        }
        waiting = 'pause';
        break;
      case 7:
        add('dossier.withdrawn', o.iso, {});
        phase = 'finished';
        finishedBy = 'withdrawn';
        break;
      case 9:
        if (reverted.has(o)) break;
        add('dossier.resolved', o.iso, { outcome: 'approved' });
        phase = 'finished';
        finishedBy = 'resolved';
        break;
      case 10:
        if (!snapshots.some((snapshot) => snapshot.status === 10)) {
          // A step says "returned" but no snapshot of the result (with NgayKetThucXuLy) is known yet: wait for it.
          findings.add(
            'return_without_finish',
            `TrangThai 10 at ${o.iso} before any finish is known: waiting for the snapshot`,
          );
          stalled = true;
          break;
        }
        add('dossier.resolved', o.iso, { outcome: 'approved' });
        add('dossier.returned', o.iso, {});
        phase = 'finished';
        finishedBy = 'resolved';
        returned = true;
        break;
    }
  }

  // Re-dated dues (Mẫu 04): every NgayHenTra after the receipt that is not a supplement's new due.
  if (receipt !== undefined && phase !== 'new' && phase !== 'rejected') {
    const receiptDue = events.find((e) => e.type === 'dossier.received')?.data as { dueAt?: string } | undefined;
    const supplementDues = new Set(snapshots.flatMap((s) => s.supplements.flatMap((x) => [x.dueAfter, x.dueBefore])));
    const newDues = distinct([
      ...snapshots.filter((s) => s.status !== 3).map((s) => s.dueAt),
      ...records.progress.map((p) => p.dueAt),
    ]).filter((due) => due !== receiptDue?.dueAt && !supplementDues.has(due));
    for (const due of newDues.sort()) {
      const steps = records.progress.filter((p) => p.dueAt === due).map((p) => p.at);
      const seen = snapshots.filter((s) => s.dueAt === due).map(lowerBound);
      const at = distinct([...steps, ...(steps.length > 0 ? [] : seen)]).sort(
        (a, b) => Date.parse(a) - Date.parse(b),
      )[0];
      if (at !== undefined) add('dossier.rescheduled', at, { newDueAt: due }, `due ${due}`);
    }
  }

  events.sort((a, b) => Date.parse(a.occurredAt) - Date.parse(b.occurredAt));
  return { events, findings: findings.list(), ready: true };
}

function channelOf(snapshots: readonly SnapshotFact[], findings: Findings): PortalChannel {
  const channels = distinct(snapshots.map((s) => s.channel));
  if (channels.length === 0) {
    findings.add('channel_missing', 'KenhThucHien missing: counted in person');
    return 'in_person';
  }
  if (channels.length > 1)
    findings.add('conflicting_values', `KenhThucHien: ${channels.join(', ')}; ${channels[0]} is used`);
  return channels[0] as PortalChannel;
}

/** An event published earlier for the dossier (its id and type). */
export interface PublishedEvent {
  id: string;
  type: DossierEventType;
}

/**
 * What to publish now: the derived events not published yet. Published events cannot be recalled:
 * a derived event that replaces a published one of the same type (a receipt, supplement, finish…
 * whose time a later record changed) is not published; the published one stands and a
 * `superseded` finding says so — the dossier then counts once, never twice.
 */
export function eventsToPublish(
  derived: readonly DossierEvent[],
  published: readonly PublishedEvent[],
): { publish: DossierEvent[]; findings: Finding[] } {
  const derivedIds = new Set(derived.map((event) => event.eventId));
  const publishedIds = new Set(published.map((event) => event.id));
  const stale = new Map<string, number>();
  for (const event of published) if (!derivedIds.has(event.id)) stale.set(event.type, (stale.get(event.type) ?? 0) + 1);
  const publish: DossierEvent[] = [];
  const findings: Finding[] = [];
  for (const event of derived) {
    if (publishedIds.has(event.eventId)) continue;
    const left = stale.get(event.type) ?? 0;
    if (left > 0) {
      stale.set(event.type, left - 1);
      findings.push({
        kind: 'superseded',
        detail: `${event.type} at ${event.occurredAt} differs from the one already published; the published one stands`,
      });
      continue;
    }
    publish.push(event);
  }
  return { publish, findings };
}
