/**
 * Every MongoDB collection on-time-rate owns (docs/architecture.md, "MongoDB collections and their
 * owners"): the one place their names are spelled in the service's code.
 */
export const COLLECTION_PREFIX = 'otr';

export const COLLECTIONS = {
  /** Newest snapshot per dossier with its outcome and applied contribution. */
  dossiers: 'otr_dossiers',
  /** Sums of dated deltas per (agency, field, procedure, channel, date). */
  counters: 'otr_counters',
  /** Per partition: the last claimed journal sequence and the journal being completed. */
  ledgerBuckets: 'otr_ledger_buckets',
  /** Journal sequence, counting revision. */
  meta: 'otr_meta',
  /** Rebuild jobs and their progress. */
  rebuilds: 'otr_rebuilds',
} as const;
// `<prefix>_reference`, `_audit` and `_dead_letters` are named by libs/reference, libs/audit and
// libs/dead-letters from COLLECTION_PREFIX.
