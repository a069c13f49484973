import type { DossierSnapshot } from '@tthc/contracts';
import type { FinishOutcome, LedgerDossier } from '@tthc/counting';

/** `otr_dossiers`: the latest snapshot of each dossier known to on-time-rate, with its outcome. */
export interface ClassifiedDossier extends LedgerDossier {
  snapshot: DossierSnapshot;
  outcome: FinishOutcome | null;
  withdrawn: boolean;
  voided: boolean;
}
