/**
 * Every MongoDB collection reporting owns (docs/architecture.md, "MongoDB collections and their
 * owners"): the one place their names are spelled in the service's code.
 */
export const COLLECTION_PREFIX = 'rpt';

export const COLLECTIONS = {
  /** Newest classified dossier (snapshot, outcome, applied contribution). */
  dossiers: 'rpt_dossiers',
  /** reporting's own counters, fed by the outcome topic. */
  counters: 'rpt_counters',
  ledgerBuckets: 'rpt_ledger_buckets',
  /** Ledger sequence, `dataAsOf`. */
  meta: 'rpt_meta',
  /** Overdue index: pending dossiers per scope by due date, and counts per scope and date (docs/reporting.md). */
  overdueEntries: 'rpt_overdue',
  overdueCounts: 'rpt_overdue_counts',
  /** The keys each dossier owns in the overdue index (written by the index only). */
  overdueOwners: 'rpt_overdue_owners',
  /** Catalogue of the scheduled II.06a files. */
  scheduledReports: 'rpt_scheduled_reports',
  /** GridFS bucket of the scheduled files (`rpt_reports.files`, `rpt_reports.chunks`). */
  reportsBucket: 'rpt_reports',
} as const;
// `<prefix>_reference`, `_audit` and `_dead_letters` are named by libs/reference, libs/audit and
// libs/dead-letters from COLLECTION_PREFIX.
