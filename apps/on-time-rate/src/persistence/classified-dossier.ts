import type { CountingDueStep, DossierSnapshot } from '@tthc/contracts';
import type { LedgerDossier } from '@tthc/counter-ledger';
import type { FinishOutcome } from '@tthc/counting';

/** `otr_dossiers`: the latest snapshot of each dossier known to on-time-rate, with its outcome. */
export interface ClassifiedDossier extends LedgerDossier {
  /**
   * The counting revision it was classified under (absent on documents written before revisions
   * existed: 0). For one dossier version, a higher revision replaces a lower one (a rebuild).
   */
  revision?: number;
  snapshot: DossierSnapshot;
  outcome: FinishOutcome | null;
  withdrawn: boolean;
  voided: boolean;
  /** The due history it was counted with (policies applied); absent on documents of before issue 14. */
  countingDue?: CountingDueStep[];
}
