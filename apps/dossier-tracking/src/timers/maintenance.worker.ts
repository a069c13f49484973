import { createHash } from 'node:crypto';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleInit } from '@nestjs/common';
import type { CalendarYear } from '@tthc/contracts';
import { ProcessesQueue, QueueService, type JobDataOf, type QueueJobHandler } from '@tthc/queue';
import { ReferenceData, type ReferenceChange } from '@tthc/reference';
import { buildFact, factKindOf } from '../domain/facts';
import { DossierRefolder } from '../domain/refolder.service';
import { TrackingRepository } from '../persistence/tracking.repository';
import {
  DEFAULT_PAGE_SIZE,
  DEFAULT_RECONCILE_EVERY_MS,
  TRACKING_OPTIONS,
  type TrackingOptions,
} from '../tracking-options';
import { OverdueTimers } from './overdue-timers.service';
import { RECONCILE_SCHEDULER_ID, TRACKING_MAINTENANCE } from './queues';
import { planSweep } from './timer-plan';

export interface SweepReport {
  republished: number;
  timersAdded: number;
  notified: number;
  scanned: number;
}

/** Identifies the uploaded calendar years in force (the shipped table is part of the code). */
export function calendarFingerprint(years: readonly CalendarYear[]): string {
  const sorted = [...years].sort((a, b) => a.year - b.year);
  return createHash('sha256').update(JSON.stringify(sorted)).digest('hex');
}

/** Pages of owed facts republished per sweep at most (the next sweep continues). */
const MAX_OWED_PAGES = 100;

/**
 * Maintenance jobs of dossier-tracking:
 * - `reconcile` (a Job Scheduler, every 10 minutes by default): republishes the facts of records
 *   still marked `factOwed` (a crash between write and publish), re-adds the timers Redis lost for
 *   pending dossiers, and sends the overdue notification of dossiers already overdue whose timer
 *   is missing;
 * - `calendar_refold` (enqueued on a calendar reference change): refolds every open dossier with
 *   the new calendar, so computed due dates move (the refolded history, see docs/dossier-tracking.md).
 */
@ProcessesQueue(TRACKING_MAINTENANCE)
@Injectable()
export class MaintenanceWorker implements QueueJobHandler<typeof TRACKING_MAINTENANCE> {
  private readonly logger = new Logger(MaintenanceWorker.name);

  constructor(
    private readonly repository: TrackingRepository,
    private readonly timers: OverdueTimers,
    private readonly refolder: DossierRefolder,
    private readonly reference: ReferenceData,
    @Inject(TRACKING_OPTIONS) private readonly options: TrackingOptions,
  ) {}

  private get pageSize(): number {
    return this.options.pageSize ?? DEFAULT_PAGE_SIZE;
  }

  async process(data: JobDataOf<typeof TRACKING_MAINTENANCE>): Promise<unknown> {
    switch (data.task) {
      case 'reconcile':
        return this.reconcile();
      case 'calendar_refold':
        return this.refoldOpen(data.years);
    }
  }

  async reconcile(): Promise<SweepReport> {
    const report: SweepReport = { republished: 0, timersAdded: 0, notified: 0, scanned: 0 };
    let pages = 0;
    for await (const page of this.repository.unpublishedPages(this.pageSize)) {
      const owed = page.filter((record) => record.state !== null);
      const now = new Date().toISOString();
      await this.refolder.publish(
        owed.map((record) =>
          // Same kind as the handler's republication of an owed fact.
          buildFact(factKindOf(null, record.state!), record.version, record.state!, now),
        ),
      );
      report.republished += owed.length;
      if (++pages >= MAX_OWED_PAGES) break;
    }

    for await (const records of this.repository.openDossierPages(this.pageSize, true)) {
      report.scanned += records.length;
      const presence = await this.timers.presence(records);
      const now = Date.now();
      const toAdd = [];
      for (const record of records) {
        const action = planSweep(record, presence.get(record._id) ?? 'missing', now);
        if (action.action === 'add') toAdd.push(action.job);
        else if (action.action === 'notify') {
          await this.timers.notify(record, new Date(now).toISOString());
          report.notified += 1;
        }
      }
      await this.timers.add(toAdd);
      report.timersAdded += toAdd.length;
    }
    if (report.republished + report.timersAdded + report.notified > 0) {
      this.logger.warn(
        `reconciliation: ${report.republished} owed fact(s) republished, ${report.timersAdded} lost timer(s) re-added, ${report.notified} overdue notification(s) sent`,
      );
    }
    return report;
  }

  async refoldOpen(years: readonly string[]): Promise<{ refolded: number }> {
    const fingerprint = calendarFingerprint(this.reference.all('calendar'));
    let refolded = 0;
    for await (const records of this.repository.openDossierPages(this.pageSize, false)) {
      await this.refolder.refold(
        records.map((record) => record._id),
        new Date().toISOString(),
      );
      refolded += records.length;
    }
    await this.repository.setRefoldedCalendar(fingerprint);
    this.logger.log(`calendar change (${years.join(', ')}): ${refolded} open dossier(s) refolded`);
    return { refolded };
  }
}

/**
 * Installs the reconciliation Job Scheduler (idempotent across replicas: one scheduler id) and
 * turns calendar reference changes into a `calendar_refold` job, so the refold runs on a worker
 * instead of holding up the reference-topic consumer. A refold is requested only when the
 * calendar in force differs from the one the open dossiers were last refolded with (stored in
 * `tracking_meta`): the reference topics are replayed at every start, which changes nothing, and a
 * crash before the refold was requested is caught up at the next start.
 */
@Injectable()
export class MaintenanceScheduler implements OnModuleInit, OnApplicationBootstrap {
  private readonly logger = new Logger(MaintenanceScheduler.name);

  constructor(
    private readonly queues: QueueService,
    private readonly reference: ReferenceData,
    private readonly repository: TrackingRepository,
    @Inject(TRACKING_OPTIONS) private readonly options: TrackingOptions,
  ) {}

  onModuleInit(): void {
    this.reference.onChange((changes) => this.onReferenceChange(changes));
  }

  async onApplicationBootstrap(): Promise<void> {
    const every = this.options.reconcileEveryMs ?? DEFAULT_RECONCILE_EVERY_MS;
    await this.queues.schedule(
      TRACKING_MAINTENANCE,
      RECONCILE_SCHEDULER_ID,
      { every },
      { name: 'reconcile', data: { task: 'reconcile' }, options: { removeOnComplete: 100, removeOnFail: 100 } },
    );
    this.logger.log(`reconciliation every ${every} ms`);
    await this.requestCalendarRefold(['(start)']);
  }

  private async onReferenceChange(changes: readonly ReferenceChange[]): Promise<void> {
    const years = [...new Set(changes.filter((change) => change.kind === 'calendar').map((change) => change.code))];
    if (years.length > 0) await this.requestCalendarRefold(years);
  }

  private async requestCalendarRefold(years: string[]): Promise<void> {
    const wanted = calendarFingerprint(this.reference.all('calendar'));
    // No stored fingerprint yet on a fresh database: refold only once a year was uploaded.
    const done = (await this.repository.refoldedCalendar()) ?? calendarFingerprint([]);
    if (wanted === done) return;
    await this.queues.add(
      TRACKING_MAINTENANCE,
      'calendar_refold',
      { task: 'calendar_refold', years },
      { removeOnComplete: 100, removeOnFail: 100, attempts: 3, backoff: { type: 'exponential', delay: 5000 } },
    );
  }
}
