import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { localDateOf } from '@tthc/calendar';
import { APP_CONFIG, type AppConfig } from '@tthc/config';
import { ProcessesQueue, QueueService, type JobDataOf, type QueueJobHandler, type RunningJob } from '@tthc/queue';
import { ReferenceData } from '@tthc/reference';
import { form06aCsv, form06aFilename, form06aXlsx } from '../reports/form-06a-export';
import { ReportsService } from '../reports/reports.service';
import { ReportScope } from '../reports/scope';
import { monthOfRun, planReports, provincesOf, type PlannedReport } from './plan';
import { SCHEDULED_REPORTS, SCHEDULED_REPORTS_SCHEDULER_ID, SCHEDULED_RUN_JOB_OPTIONS } from './queue';
import { ScheduledReportsStore } from './scheduled-reports.store';

export const XLSX_CONTENT_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
export const CSV_CONTENT_TYPE = 'text/csv; charset=utf-8';

/** Progress of a run, saved on its job after every file. */
export interface RunProgress {
  month: string;
  produced: number;
  total: number;
}

/**
 * Runs of `reporting-scheduled-reports`: for every province (root agency of level province valid
 * on the run's date) the II.06a of the month — and of the quarter when the month ends one — by
 * field and by agency, as xlsx and csv, computed by ReportsService with a system scope (exactly
 * the on-demand `GET /v1/reports/form-06a?agency=<province>` of an admin) and stored by
 * ScheduledReportsStore. Re-running a month replaces its files (deterministic ids).
 */
@ProcessesQueue(SCHEDULED_REPORTS)
@Injectable()
export class ScheduledReportsWorker implements QueueJobHandler<typeof SCHEDULED_REPORTS> {
  private readonly logger = new Logger(ScheduledReportsWorker.name);

  constructor(
    private readonly reports: ReportsService,
    private readonly reference: ReferenceData,
    private readonly store: ScheduledReportsStore,
  ) {}

  async process(data: JobDataOf<typeof SCHEDULED_REPORTS>, job: RunningJob): Promise<RunProgress> {
    const runDate = localDateOf(job.plannedAt);
    const month = data.month ?? monthOfRun(runDate);
    const tree = this.reference.agencies();
    const provinces = provincesOf(tree.all(), localDateOf(Date.now()));
    const planned = planReports(provinces, month);
    const progress: RunProgress = { month, produced: 0, total: planned.length };
    await job.updateProgress({ ...progress });
    if (provinces.length === 0) this.logger.warn(`scheduled reports ${month}: no province in the reference data`);

    // One computation per (province, period, rows) gives both formats.
    const groups = new Map<string, PlannedReport[]>();
    for (const report of planned) {
      const key = `${report.agency.code}|${report.period.label}|${report.rows}`;
      groups.set(key, [...(groups.get(key) ?? []), report]);
    }
    for (const group of groups.values()) {
      const [first] = group as [PlannedReport];
      const scope = ReportScope.forSystem(first.agency.code, tree);
      const report = await this.reports.form06a(scope, {
        from: first.period.from,
        to: first.period.to,
        rows: first.rows,
        format: 'json',
        restate: false,
      });
      for (const file of group) {
        const content = file.format === 'csv' ? Buffer.from(form06aCsv(report), 'utf8') : await form06aXlsx(report);
        await this.store.save(
          {
            _id: file.id,
            agency: report.agency,
            period: { from: file.period.from, to: file.period.to },
            kind: file.period.kind,
            label: file.period.label,
            rows: file.rows,
            format: file.format,
            filename: form06aFilename(report, file.format),
            contentType: file.format === 'csv' ? CSV_CONTENT_TYPE : XLSX_CONTENT_TYPE,
            createdAt: new Date().toISOString(),
            dataAsOf: report.dataAsOf,
            jobId: job.id ?? null,
          },
          content,
        );
        progress.produced += 1;
        await job.updateProgress({ ...progress });
      }
    }
    const orphans = await this.store.removeOrphans();
    this.logger.log(
      `scheduled reports ${month}: ${progress.produced} file(s) for ${provinces.length} province(s)` +
        (orphans > 0 ? `, ${orphans} orphaned file(s) removed` : ''),
    );
    return progress;
  }
}

/**
 * Installs the Job Scheduler of the monthly run (SCHEDULED_REPORTS_CRON in
 * SCHEDULED_REPORTS_TZ; idempotent across replicas: one scheduler id, upserted at boot so a
 * changed pattern takes effect) and enqueues manual runs.
 */
@Injectable()
export class ScheduledReportsScheduler implements OnApplicationBootstrap {
  private readonly logger = new Logger(ScheduledReportsScheduler.name);

  constructor(
    private readonly queues: QueueService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const { cron, timezone } = this.config.scheduledReports;
    await this.queues.schedule(
      SCHEDULED_REPORTS,
      SCHEDULED_REPORTS_SCHEDULER_ID,
      { pattern: cron, tz: timezone },
      { name: 'monthly', data: { trigger: 'schedule' }, options: SCHEDULED_RUN_JOB_OPTIONS },
    );
    this.logger.log(`scheduled II.06a reports: "${cron}" (${timezone})`);
  }

  /** Enqueues a run for `month` now; the job's id. */
  async runNow(month: string): Promise<string> {
    return this.queues.add(SCHEDULED_REPORTS, 'manual', { month, trigger: 'manual' }, SCHEDULED_RUN_JOB_OPTIONS);
  }

  /** A run's state and progress, or undefined for an unknown (or expired) job id. */
  async run(jobId: string) {
    const job = await this.queues.job(SCHEDULED_REPORTS, jobId);
    if (job === undefined) return undefined;
    const progress =
      typeof job.progress === 'object' && job.progress !== null ? (job.progress as Partial<RunProgress>) : {};
    const data = job.data as JobDataOf<typeof SCHEDULED_REPORTS>;
    return {
      id: job.id,
      trigger: data.trigger,
      month: progress.month ?? data.month ?? null,
      state: job.state,
      produced: progress.produced ?? 0,
      total: progress.total ?? null,
      attemptsMade: job.attemptsMade,
      createdAt: new Date(job.createdAt).toISOString(),
      finishedAt: job.finishedAt === null ? null : new Date(job.finishedAt).toISOString(),
      failedReason: job.failedReason,
    };
  }
}
