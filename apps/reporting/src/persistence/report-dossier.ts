import type { DossierOutcome, DossierSnapshot } from '@tthc/contracts';
import type { FinishOutcome, LedgerDossier } from '@tthc/counting';

/**
 * `rpt_dossiers`: reporting's copy of each classified dossier (drill-down, overdue list). The
 * ledger's `version` orders (revision, dossier version); `dossierVersion` is the dossier's own.
 */
export interface ReportDossier extends LedgerDossier {
  dossierVersion: number;
  revision: number;
  snapshot: DossierSnapshot;
  agencyCode: string;
  outcome: FinishOutcome | null;
  withdrawn: boolean;
  emittedAt: string;
}

/** Revisions order before versions: a rebuild's republished dossier replaces any older revision. */
export const REVISION_WEIGHT = 1_000_000_000;

export function reportDossierOf(outcome: DossierOutcome): ReportDossier {
  return {
    _id: outcome.dossierCode,
    version: outcome.revision * REVISION_WEIGHT + outcome.version,
    dossierVersion: outcome.version,
    revision: outcome.revision,
    applied: outcome.applied,
    snapshot: outcome.dossier,
    agencyCode: outcome.dossier.agencyCode,
    outcome: outcome.outcome,
    withdrawn: outcome.withdrawn,
    emittedAt: outcome.emittedAt,
  };
}
