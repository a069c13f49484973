import type { CountingDueStep, DossierOutcome, DossierSnapshot } from '@tthc/contracts';
import type { LedgerDossier } from '@tthc/counter-ledger';
import type { FinishOutcome } from '@tthc/counting';

/**
 * `rpt_dossiers`: reporting's copy of each classified dossier (drill-down, overdue list). The
 * ledger orders them by (`dossierVersion`, `revision`) like on-time-rate (libs/counting
 * `classifiedOrder`); `version` is the dossier's version too.
 */
export interface ReportDossier extends LedgerDossier {
  dossierVersion: number;
  revision: number;
  snapshot: DossierSnapshot;
  agencyCode: string;
  outcome: FinishOutcome | null;
  withdrawn: boolean;
  emittedAt: string;
  /** The due history on-time-rate counted with (its policies applied); absent on outcomes of before issue 14. */
  countingDue?: CountingDueStep[];
}

export function reportDossierOf(outcome: DossierOutcome): ReportDossier {
  return {
    _id: outcome.dossierCode,
    version: outcome.version,
    dossierVersion: outcome.version,
    revision: outcome.revision,
    applied: outcome.applied,
    snapshot: outcome.dossier,
    agencyCode: outcome.dossier.agencyCode,
    outcome: outcome.outcome,
    withdrawn: outcome.withdrawn,
    emittedAt: outcome.emittedAt,
    ...(outcome.countingDue === undefined ? {} : { countingDue: outcome.countingDue }),
  };
}
