/**
 * Every MongoDB collection dossier-tracking owns (docs/architecture.md, "MongoDB collections and
 * their owners"): the one place their names are spelled in the service's code.
 */
export const COLLECTION_PREFIX = 'tracking';

export const COLLECTIONS = {
  /** The key of every distinct accepted event (desk, eventId), its content hash and dossier. */
  events: 'tracking_events',
  /** The accepted events of each dossier in one document (`_id` = dossier code). */
  dossierEvents: 'tracking_dossier_events',
  /** Folded dossier state, version, fact-owed flag. */
  dossiers: 'tracking_dossiers',
  /** Fingerprint of the calendar the open dossiers were last refolded with. */
  meta: 'tracking_meta',
  /** Data-quality findings. */
  dataQuality: 'tracking_data_quality',
} as const;
// `<prefix>_reference`, `_audit` and `_dead_letters` are named by libs/reference, libs/audit and
// libs/dead-letters from COLLECTION_PREFIX.
