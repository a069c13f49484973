/** Options of DossierTrackingModule that are not environment configuration (libs/config). */
export interface TrackingOptions {
  /** Interval of the reconciliation sweep (default {@link DEFAULT_RECONCILE_EVERY_MS}); tests shorten it. */
  reconcileEveryMs?: number;
  /** Dossiers read per page by the sweep and the calendar refold. */
  pageSize?: number;
}

export const TRACKING_OPTIONS = Symbol('TRACKING_OPTIONS');

/** Reconciliation every 10 minutes. */
export const DEFAULT_RECONCILE_EVERY_MS = 10 * 60 * 1000;
export const DEFAULT_PAGE_SIZE = 500;
