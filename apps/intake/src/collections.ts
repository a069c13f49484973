/**
 * Every MongoDB collection intake owns (docs/architecture.md, "MongoDB collections and their
 * owners"): the one place their names are spelled in the service's code.
 */
export const COLLECTION_PREFIX = 'intake';

export const COLLECTIONS = {
  /** Bulk imports of history and their progress. */
  imports: 'intake_imports',
  /** The uploaded files of bulk imports, in parts. */
  importParts: 'intake_import_parts',
  /** Dossiers synced in the national portal's format: their records and derived events (docs/desk-sync.md). */
  dvcqgDossiers: 'intake_dvcqg_dossiers',
} as const;
// `<prefix>_reference`, `_audit` and `_dead_letters` are named by libs/reference, libs/audit and
// libs/dead-letters from COLLECTION_PREFIX.
