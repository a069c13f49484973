import type { DossierFact, DossierOutcome } from '@tthc/contracts';
import { classify, contributionOf, dimensionsOf } from '@tthc/counting';
import type { ClassifiedDossier } from '../persistence/classified-dossier';

/** A fact's dossier, classified (CONTRACT §5) with its contribution to the counters. */
export function classifiedDossierOf(fact: DossierFact): ClassifiedDossier {
  const contribution = contributionOf(fact.dossier);
  const classification = classify(fact.dossier);
  return {
    _id: fact.dossierCode,
    version: fact.version,
    snapshot: fact.dossier,
    outcome: classification.outcome,
    withdrawn: classification.withdrawn,
    voided: fact.dossier.status === 'voided',
    applied: contribution === null ? null : { dimensions: dimensionsOf(fact.dossier), contribution },
  };
}

/** The message that tells reporting about a classified dossier. */
export function outcomeMessageOf(dossier: ClassifiedDossier, revision: number, emittedAt: string): DossierOutcome {
  return {
    dossierCode: dossier._id,
    version: dossier.version,
    revision,
    emittedAt,
    applied: dossier.applied,
    outcome: dossier.outcome,
    withdrawn: dossier.withdrawn,
    dossier: dossier.snapshot,
  };
}
