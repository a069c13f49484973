import { createHash } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { ADMIN_PRINCIPAL_ID, type Principal } from '@tthc/auth';
import type { DeskScope, DossierEvent } from '@tthc/contracts';
import {
  deriveEvents,
  eventsToPublish,
  foldName,
  nameIndex,
  parseProgress,
  parseSnapshot,
  resolveUnit,
  SNAPSHOT_SERVICE,
  type AgencyDirectory,
  type PortalService,
  type ProgressFact,
  type RecordProblem,
  type SnapshotFact,
} from '@tthc/desk-sync';
import { problem, ProblemException } from '@tthc/http';
import { ReferenceData } from '@tthc/reference';
import { EventIntakeService, scopeOf } from '../events/event-intake.service';
import { SyncMetrics } from './sync-metrics';
import { syncedDossierId, SyncStore, type OutboxView, type SyncedDossier } from './sync.store';

/** Records per request, as events per `POST /v1/events` request. */
export const MAX_RECORDS_PER_REQUEST = 1000;
/** Distinct records kept per dossier: a sender looping on one dossier is refused beyond it. */
export const MAX_RECORDS_PER_DOSSIER = 500;
/** Compare-and-set rounds before a request gives up with 503 (replicas writing the same dossier). */
const SAVE_ATTEMPTS = 20;
/** Dossier writes in flight per request. */
const SAVE_CONCURRENCY = 32;
/** Dossiers the outbox sweep publishes per run at most (the next run continues). */
export const MAX_SWEPT_DOSSIERS = 5000;

/** What one outbox sweep found and did. */
export interface OutboxSweepReport {
  /** Dossiers with a non-empty outbox, and their events (the gauge `tthc_sync_outbox_events`). */
  pendingDossiers: number;
  pendingEvents: number;
  /** Events published by this sweep, and their dossiers. */
  published: number;
  publishedDossiers: number;
  /** Outboxes left alone: changed within the grace period (a request may be publishing them). */
  recent: number;
  /** Outboxes left to the sender's retry: recorded before the scope was stored, by a desk key. */
  unstamped: number;
  /** Outboxes the event log refused (not an outage: logged, left in their outbox). */
  refused: number;
  /** Set when the sweep stopped early (Kafka or MongoDB unavailable, contention): the next run continues. */
  stoppedBy?: string;
}

/** The answer senders check: `error_code` "0" and a message with "thành công". */
export interface SyncAnswer {
  error_code: '0';
  message: string;
  /** Records of the request. */
  accepted: number;
  /** Contract events published for them now (0 for records that were already known). */
  events: number;
}

const VIETNAMESE: Record<number, string> = {
  400: 'Dữ liệu không hợp lệ, không bản ghi nào được tiếp nhận',
  403: 'Khóa không có quyền đồng bộ hồ sơ của đơn vị này, không bản ghi nào được tiếp nhận',
  413: 'Dữ liệu gửi lên quá lớn',
  415: 'Kiểu nội dung không được hỗ trợ (cần application/json)',
  429: 'Gửi quá nhiều yêu cầu, vui lòng gửi lại sau',
  503: 'Hệ thống tạm thời chưa sẵn sàng, không bản ghi nào được tiếp nhận, vui lòng gửi lại',
};

/**
 * An error answer in the portal's shape, still a problem document: `error_code` (the HTTP status
 * as text, never "0", "3" or "-3", which senders take for success), a Vietnamese `message` (never
 * "đã tồn tại", which makes senders retry as an update) and the refused records.
 */
export function portalError(
  status: number,
  detail: string,
  errors: readonly RecordProblem[] = [],
  headers: Record<string, string> = {},
): ProblemException {
  const message = `${VIETNAMESE[status] ?? 'Lỗi xử lý yêu cầu'}: ${detail}`;
  return new ProblemException(
    problem(status, detail, { error_code: String(status), message, ...(errors.length > 0 ? { errors } : {}) }),
    headers,
  );
}

/** Any problem thrown on the way (body limits, rate limits, Kafka) in the portal's shape too. */
export function asPortalError(error: unknown): unknown {
  if (!(error instanceof ProblemException) || 'error_code' in error.problem) return error;
  const { status, detail } = error.problem;
  const portal = portalError(status, detail ?? error.problem.title, [], error.headers);
  return new ProblemException({ ...error.problem, ...portal.problem }, error.headers);
}

interface DossierWork {
  maHoSo: string;
  /** Index in the request of the dossier's first record (for errors). */
  index: number;
  snapshots: { hash: string; fact: SnapshotFact }[];
  progress: { hash: string; fact: ProgressFact }[];
}

/** The 503 text of a dossier-store outage: fixed (the driver's message names hosts and internals; it is logged, never sent). */
export const STORE_OUTAGE_DETAIL =
  'Kho hồ sơ tạm thời không truy cập được / the dossier store is unavailable; please retry the same request';

const logger = new Logger('DeskSyncService');

/**
 * MongoDB not answering (the driver's errors are named `Mongo…`) is an outage to wait out: 503 with
 * Retry-After and a fixed text (the error itself is logged); the sender sends the same request
 * again (recorded records and outboxes make it safe).
 */
export function storeOutage(error: unknown): never {
  if (error instanceof Error && error.name.startsWith('Mongo')) {
    logger.warn({ msg: 'dvcqg sync: the dossier store is unavailable', error: error.name, detail: error.message });
    throw portalError(503, STORE_OUTAGE_DETAIL, [], { 'Retry-After': '5' });
  }
  throw error;
}

/**
 * Consecutive groups of `items` whose sizes add up to at most `max` each; an item larger than
 * `max` alone (an outbox is never split: its events are published together).
 */
export function outboxBatches<T>(items: readonly T[], size: (item: T) => number, max: number): T[][] {
  const batches: T[][] = [];
  let current: T[] = [];
  let total = 0;
  for (const item of items) {
    const n = size(item);
    if (current.length > 0 && total + n > max) {
      batches.push(current);
      current = [];
      total = 0;
    }
    current.push(item);
    total += n;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/** Kafka or MongoDB not answering (a 503 or a driver error): the sweep stops and the next run continues. */
function isOutage(error: unknown): boolean {
  return (
    (error instanceof ProblemException && error.problem.status === 503) ||
    (error instanceof Error && error.name.startsWith('Mongo'))
  );
}

function contention(): ProblemException {
  return portalError(503, 'other requests kept changing the same dossiers; please retry the same request', [], {
    'Retry-After': '1',
  });
}

function hashOf(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex');
}

/**
 * The DVCQG dossier-sync adapter (docs/desk-sync.md): checks a request's portal records
 * all-or-nothing, keeps every distinct record per (desk, MaHoSo), derives the contract events from
 * all of them, checks the new ones like `POST /v1/events` and records them in the dossier's outbox
 * (compare-and-set: several replicas may sync the same dossier at once; the loser derives again
 * from what the winner stored), then publishes the outboxes in one Kafka transaction and marks
 * them published. What to publish is decided once per dossier version, so two replicas never
 * publish two different derivations.
 */
@Injectable()
export class DeskSyncService {
  private names: { tree: unknown; index: Map<string, string[]> } | undefined;

  constructor(
    private readonly store: SyncStore,
    private readonly intake: EventIntakeService,
    private readonly reference: ReferenceData,
    private readonly metrics: SyncMetrics,
  ) {}

  async accept(principal: Principal, service: PortalService, records: readonly unknown[]): Promise<SyncAnswer> {
    if (records.length === 0) throw portalError(400, 'the request carries no record');
    if (records.length > MAX_RECORDS_PER_REQUEST) {
      throw portalError(413, `at most ${MAX_RECORDS_PER_REQUEST} records per request (got ${records.length})`);
    }
    const work = this.check(principal, service, records);
    const outboxes = await this.record(principal, work).catch(storeOutage);
    // Phase 2: publish every recorded, unpublished event of these dossiers in one Kafka transaction.
    const events = [...outboxes.values()].flatMap((dossier) => dossier.outbox);
    if (events.length > 0) {
      try {
        await this.intake.publish(principal, events);
      } catch (error) {
        throw asPortalError(error);
      }
      // Phase 3: what was published leaves the outboxes (a crash before this only publishes them again: same ids).
      await this.markPublished([...outboxes.values()]).catch(storeOutage);
    }
    const published = events.length;
    return {
      error_code: '0',
      message: `Đồng bộ thành công ${records.length} bản ghi (${work.size} hồ sơ)`,
      accepted: records.length,
      events: published,
    };
  }

  /**
   * Phase 1: merges the request's records into each dossier, derives its events and writes the
   * dossier with the events not yet published in its outbox, by compare-and-set (another replica
   * writing the same dossier first: reload, derive again). The derived events pass the checks of
   * `POST /v1/events` before anything is written. Returns the dossiers whose outbox is not empty.
   */
  private async record(principal: Principal, work: Map<string, DossierWork>): Promise<Map<string, SyncedDossier>> {
    const outboxes = new Map<string, SyncedDossier>();
    let pending = [...work.values()];
    for (let attempt = 1; pending.length > 0; attempt++) {
      if (attempt > SAVE_ATTEMPTS) throw contention();
      const stored = await this.store.load(pending.map((w) => syncedDossierId(principal.id, w.maHoSo)));
      const updates: { next: SyncedDossier; expected: number; work: DossierWork }[] = [];
      const events: { event: DossierEvent; work: DossierWork }[] = [];
      for (const item of pending) {
        const before = stored.get(syncedDossierId(principal.id, item.maHoSo));
        const update = this.merge(principal, item, before);
        if (update === undefined) {
          if (before !== undefined && before.outbox.length > 0) outboxes.set(before._id, before);
          continue;
        }
        updates.push({ ...update, work: item });
        for (const event of update.publish) events.push({ event, work: item });
      }
      if (events.length > 0) {
        try {
          this.intake.check(
            principal,
            events.map(({ event }) => event),
          );
        } catch (error) {
          throw this.explain(error, events);
        }
      }
      const lost: DossierWork[] = [];
      for (let start = 0; start < updates.length; start += SAVE_CONCURRENCY) {
        const slice = updates.slice(start, start + SAVE_CONCURRENCY);
        const saved = await Promise.all(slice.map(({ next, expected }) => this.store.save(next, expected)));
        slice.forEach(({ next, work: item }, index) => {
          if (!saved[index]) lost.push(item);
          else if (next.outbox.length > 0) outboxes.set(next._id, next);
        });
      }
      pending = lost;
    }
    return outboxes;
  }

  /**
   * Phase 3: moves the published events from the dossiers' outboxes to their published list
   * (compare-and-set, retried on a reloaded dossier; a dossier whose outbox no longer holds any of
   * them — another request or sweep moved them — is left as it is).
   */
  private async markPublished(dossiers: readonly OutboxView[]): Promise<void> {
    let pending = dossiers.map((dossier) => ({ dossier, ids: new Set(dossier.outbox.map((event) => event.eventId)) }));
    for (let attempt = 1; pending.length > 0; attempt++) {
      if (attempt > SAVE_ATTEMPTS) throw contention();
      const lost: typeof pending = [];
      for (let start = 0; start < pending.length; start += SAVE_CONCURRENCY) {
        const slice = pending
          .slice(start, start + SAVE_CONCURRENCY)
          .filter(({ dossier, ids }) => dossier.outbox.some((event) => ids.has(event.eventId)));
        const saved = await Promise.all(
          slice.map(({ dossier, ids }) => {
            const moved = dossier.outbox.filter((event) => ids.has(event.eventId));
            const known = new Set(dossier.published.map((event) => event.id));
            const next: OutboxView = {
              ...dossier,
              version: dossier.version + 1,
              outbox: dossier.outbox.filter((event) => !ids.has(event.eventId)),
              published: [
                ...dossier.published,
                ...moved
                  .filter((event) => !known.has(event.eventId))
                  .map((event) => ({ id: event.eventId, type: event.type })),
              ],
              updatedAt: new Date().toISOString(),
            };
            return this.store.savePublished(next, dossier.version);
          }),
        );
        slice.forEach((entry, index) => {
          if (!saved[index]) lost.push(entry);
        });
      }
      if (lost.length === 0) return;
      const reloaded = await this.store.load(lost.map(({ dossier }) => dossier._id));
      pending = lost.flatMap(({ dossier, ids }) => {
        const current = reloaded.get(dossier._id);
        return current === undefined ? [] : [{ dossier: current, ids }];
      });
    }
  }

  /**
   * The outbox sweep (docs/desk-sync.md): publishes the outboxes a request recorded but did not
   * publish (Kafka failed, the replica died, the sender gave up), through the same Kafka
   * transaction path and with the desk id and scope the request recorded, then marks them
   * published as a request does. Outboxes changed within `graceMs` are left to the request that
   * may be publishing them. Racing a request or another replica's sweep publishes at most the same
   * events again (same ids, same content: dossier-tracking keeps the first). Never throws for an
   * outage: it stops, and the next run continues.
   */
  async sweepOutboxes(graceMs: number): Promise<OutboxSweepReport> {
    const report: OutboxSweepReport = {
      pendingDossiers: 0,
      pendingEvents: 0,
      published: 0,
      publishedDossiers: 0,
      recent: 0,
      unstamped: 0,
      refused: 0,
    };
    const cutoff = new Date(Date.now() - graceMs).toISOString();
    const due: { dossier: OutboxView; scope: DeskScope }[] = [];
    try {
      for await (const dossier of this.store.pendingOutboxes()) {
        report.pendingDossiers += 1;
        report.pendingEvents += dossier.outbox.length;
        const scope = dossier.outboxScope ?? (dossier.deskId === ADMIN_PRINCIPAL_ID ? 'admin' : undefined);
        if (dossier.updatedAt > cutoff) report.recent += 1;
        else if (scope === undefined) report.unstamped += 1;
        else if (due.length < MAX_SWEPT_DOSSIERS) due.push({ dossier, scope });
      }
    } catch (error) {
      return this.stopped(report, 'the dossier store', error);
    }
    this.metrics.setOutboxEvents(report.pendingEvents);
    // Whole outboxes, up to a request's worth of events per Kafka transaction.
    const publish = (batch: readonly { dossier: OutboxView; scope: DeskScope }[]) =>
      this.intake.publishStamped(
        batch.flatMap(({ dossier, scope }) =>
          dossier.outbox.map((event) => ({ deskId: dossier.deskId, scope, event })),
        ),
        { countUnavailable: false },
      );
    for (const group of outboxBatches(due, ({ dossier }) => dossier.outbox.length, MAX_RECORDS_PER_REQUEST)) {
      let batches = [group];
      try {
        await publish(group);
      } catch (error) {
        if (isOutage(error)) return this.stopped(report, 'the event log', error);
        // Not an outage: one outbox the event log refuses must not hold up the others. Each alone;
        // the refused one is logged and stays in its outbox.
        batches = [];
        for (const entry of group) {
          try {
            await publish([entry]);
            batches.push([entry]);
          } catch (alone) {
            if (isOutage(alone)) return this.stopped(report, 'the event log', alone);
            report.refused += 1;
            logger.warn({
              msg: 'dvcqg outbox sweep: an outbox was refused by the event log; it stays in the outbox',
              dossier: entry.dossier._id,
              error: alone instanceof Error ? alone.message : String(alone),
            });
          }
        }
      }
      for (const batch of batches) {
        const events = batch.reduce((sum, { dossier }) => sum + dossier.outbox.length, 0);
        this.metrics.countSwept(events);
        report.published += events;
        report.publishedDossiers += batch.length;
      }
      try {
        await this.markPublished(batches.flat().map(({ dossier }) => dossier));
      } catch (error) {
        return this.stopped(report, 'the dossier store', error);
      }
    }
    if (report.published > 0 || report.unstamped > 0 || report.refused > 0) {
      logger.warn({
        msg: `dvcqg outbox sweep: ${report.published} recorded event(s) of ${report.publishedDossiers} dossier(s) published`,
        ...report,
      });
    }
    return report;
  }

  private stopped(report: OutboxSweepReport, what: string, error: unknown): OutboxSweepReport {
    report.stoppedBy = what;
    logger.warn({
      msg: `dvcqg outbox sweep stopped (${what}); the next run continues`,
      error: error instanceof Error ? error.name : typeof error,
      detail: error instanceof ProblemException ? error.problem.detail : error instanceof Error ? error.message : '',
      ...report,
    });
    return report;
  }

  /** Parses and resolves every record; any problem refuses the whole request (400, or 403 for scope). */
  private check(principal: Principal, service: PortalService, records: readonly unknown[]): Map<string, DossierWork> {
    const problems: RecordProblem[] = [];
    const outside: RecordProblem[] = [];
    const work = new Map<string, DossierWork>();
    const directory = this.directory();
    const tree = this.reference.agencies();
    const keyAgencies = principal.role === 'admin' ? 'admin' : principal.agencyCodes;
    const inScope = (code: string) => keyAgencies === 'admin' || tree.isWithinAny(code, keyAgencies);
    const dossier = (maHoSo: string, index: number): DossierWork => {
      let item = work.get(maHoSo);
      if (item === undefined) {
        item = { maHoSo, index, snapshots: [], progress: [] };
        work.set(maHoSo, item);
      }
      return item;
    };
    records.forEach((raw, index) => {
      if (service === SNAPSHOT_SERVICE) {
        const parsed = parseSnapshot(raw, index, (code) => this.reference.procedure(code) !== undefined);
        if (!parsed.ok) return problems.push(...parsed.problems);
        const snapshot = parsed.record;
        const where = { index, MaHoSo: snapshot.maHoSo };
        if (snapshot.fieldCode !== undefined && this.reference.field(snapshot.fieldCode) === undefined) {
          delete snapshot.fieldCode; // a field code of another catalogue: the procedure's field counts
        }
        const unit = resolveUnit(snapshot.unit, snapshot.maHoSo, directory, keyAgencies);
        if (!unit.ok) return problems.push({ ...where, field: 'DonViXuLy', message: unit.message });
        const fact: SnapshotFact = { ...snapshot, agencyCode: unit.agencyCode };
        if (unit.receivingAgencyCode !== undefined) fact.receivingAgencyCode = unit.receivingAgencyCode;
        for (const [field, code] of [
          ['DonViXuLy', fact.agencyCode],
          ['MaHoSo', fact.receivingAgencyCode],
        ] as const) {
          if (code !== undefined && !inScope(code)) {
            outside.push({ ...where, field, message: `agency ${code} is outside this key's agencies` });
          }
        }
        dossier(snapshot.maHoSo, index).snapshots.push({ hash: hashOf(fact), fact });
      } else {
        const parsed = parseProgress(raw, index);
        if (!parsed.ok) return problems.push(...parsed.problems);
        const step = parsed.record;
        const fact: ProgressFact = { ...step };
        if (step.unit !== undefined) {
          // A step's unit counts only when it names one agency; otherwise the step still gives its time.
          const code = directory.has(step.unit) ? [step.unit] : directory.named(foldName(step.unit));
          const [only] = code;
          if (code.length === 1 && only !== undefined) fact.agencyCode = only;
          if (fact.agencyCode !== undefined && !inScope(fact.agencyCode)) {
            outside.push({
              index,
              MaHoSo: step.maHoSo,
              field: 'DonViXuLy',
              message: `agency ${fact.agencyCode} is outside this key's agencies`,
            });
          }
        }
        dossier(step.maHoSo, index).progress.push({ hash: hashOf(fact), fact });
      }
    });
    if (problems.length > 0) {
      throw portalError(
        400,
        `${new Set(problems.map((p) => p.index)).size} of ${records.length} records are invalid; nothing was accepted`,
        problems.sort((a, b) => a.index - b.index),
      );
    }
    if (outside.length > 0) {
      throw portalError(
        403,
        `${new Set(outside.map((p) => p.index)).size} of ${records.length} records name agencies outside this key's scope; nothing was accepted`,
        outside,
      );
    }
    return work;
  }

  /** The dossier with the request's records merged in, and the events to publish; undefined when nothing is new. */
  private merge(
    principal: Principal,
    item: DossierWork,
    stored: SyncedDossier | undefined,
  ): { next: SyncedDossier; expected: number; publish: DossierEvent[] } | undefined {
    const deskId = principal.id;
    const snapshots = new Map((stored?.snapshots ?? []).map((entry) => [entry.hash, entry]));
    const progress = new Map((stored?.progress ?? []).map((entry) => [entry.hash, entry]));
    const before = snapshots.size + progress.size;
    for (const entry of item.snapshots) if (!snapshots.has(entry.hash)) snapshots.set(entry.hash, entry);
    for (const entry of item.progress) if (!progress.has(entry.hash)) progress.set(entry.hash, entry);
    if (stored !== undefined && snapshots.size + progress.size === before) return undefined;
    if (snapshots.size + progress.size > MAX_RECORDS_PER_DOSSIER) {
      throw portalError(
        400,
        `dossier ${item.maHoSo} would have more than ${MAX_RECORDS_PER_DOSSIER} distinct records; nothing was accepted`,
        [
          {
            index: item.index,
            MaHoSo: item.maHoSo,
            field: 'MaHoSo',
            message: 'too many distinct records for one dossier',
          },
        ],
      );
    }
    const derivation = deriveEvents({
      deskId,
      maHoSo: item.maHoSo,
      snapshots: [...snapshots.values()].map((entry) => entry.fact),
      progress: [...progress.values()].map((entry) => entry.fact),
    });
    const published = stored?.published ?? [];
    const outbox = stored?.outbox ?? [];
    const { publish, findings } = eventsToPublish(derivation.events, [
      ...published,
      ...outbox.map((event) => ({ id: event.eventId, type: event.type })),
    ]);
    const next: SyncedDossier = {
      _id: syncedDossierId(deskId, item.maHoSo),
      deskId,
      maHoSo: item.maHoSo,
      version: (stored?.version ?? 0) + 1,
      snapshots: [...snapshots.values()],
      progress: [...progress.values()],
      published,
      outbox: [...outbox, ...publish],
      findings: [...derivation.findings, ...findings],
      updatedAt: new Date().toISOString(),
    };
    // The scope the events are stamped with when published: this request's key (the sweep uses it too).
    if (next.outbox.length > 0) next.outboxScope = scopeOf(principal);
    else if (stored?.outboxScope !== undefined) next.outboxScope = stored.outboxScope;
    return { next, expected: stored?.version ?? 0, publish };
  }

  /** A refusal of the derived events by the checks of `POST /v1/events`, named by the records' dossiers. */
  private explain(error: unknown, events: readonly { event: DossierEvent; work: DossierWork }[]): unknown {
    if (!(error instanceof ProblemException)) return error;
    const listed = (error.problem.errors ?? []) as { index: number; path: string; message: string }[];
    const errors = listed.map(({ index, path, message }) => {
      const item = events[index]?.work;
      return {
        index: item?.index ?? -1,
        MaHoSo: item?.maHoSo ?? '',
        field: path,
        message: `${events[index]?.event.type ?? 'event'}: ${message}`,
      };
    });
    return portalError(error.problem.status, error.problem.detail ?? error.problem.title, errors);
  }

  private directory(): AgencyDirectory {
    const tree = this.reference.agencies();
    if (this.names?.tree !== tree) this.names = { tree, index: nameIndex(tree.all()) };
    const index = this.names.index;
    return {
      has: (code) => this.reference.agency(code) !== undefined,
      named: (folded) => index.get(folded) ?? [],
    };
  }
}
