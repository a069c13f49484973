import { ScheduledReportsAdminController, ScheduledReportsController } from './scheduled-reports.controller';
import { ScheduledReportsStore } from './scheduled-reports.store';
import { ScheduledReportsScheduler, ScheduledReportsWorker } from './scheduled-reports.worker';

export { SCHEDULED_REPORTS, SCHEDULED_REPORTS_SCHEDULER_ID } from './queue';

/** Scheduled II.06a reports (docs/reporting.md): registered in ReportingModule beside ReportsService. */
export const SCHEDULED_REPORTS_CONTROLLERS = [ScheduledReportsController, ScheduledReportsAdminController];
export const SCHEDULED_REPORTS_PROVIDERS = [ScheduledReportsStore, ScheduledReportsWorker, ScheduledReportsScheduler];
