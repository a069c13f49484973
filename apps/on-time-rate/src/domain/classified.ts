import { defaultCalendar, type WorkingCalendar } from '@tthc/calendar';
import type { DossierFact, DossierOutcome, DossierSnapshot } from '@tthc/contracts';
import {
  classify,
  contributionOf,
  countingDueStepsOf,
  DEFAULT_COUNTING_POLICIES,
  dimensionsOf,
  effectiveDueHistory,
  type CountingPolicies,
} from '@tthc/counting';
import { canonicalJson } from '@tthc/persistence';
import type { ClassifiedDossier } from '../persistence/classified-dossier';

/** How a dossier is classified: the counting policies, the working calendar, the counting revision. */
export interface ClassifyWith {
  policies: CountingPolicies;
  calendar: WorkingCalendar;
  revision: number;
}

const DEFAULTS: ClassifyWith = { policies: DEFAULT_COUNTING_POLICIES, calendar: defaultCalendar, revision: 0 };

/** A dossier snapshot of a given version, classified (docs/counting-rules.md §6) with its contribution to the counters. */
export function classifiedSnapshotOf(
  snapshot: DossierSnapshot,
  version: number,
  context: ClassifyWith = DEFAULTS,
): ClassifiedDossier {
  const contribution = contributionOf(snapshot, context.policies, context.calendar);
  const classification = classify(snapshot, context.policies, context.calendar);
  return {
    _id: snapshot.dossierCode,
    version,
    revision: context.revision,
    snapshot,
    outcome: classification.outcome,
    withdrawn: classification.withdrawn,
    voided: snapshot.status === 'voided',
    applied: contribution === null ? null : { dimensions: dimensionsOf(snapshot), contribution },
    countingDue: countingDueStepsOf(effectiveDueHistory(snapshot, context.policies, context.calendar)),
  };
}

/** A fact's dossier, classified (docs/counting-rules.md §6) with its contribution to the counters. */
export function classifiedDossierOf(fact: DossierFact, context: ClassifyWith = DEFAULTS): ClassifiedDossier {
  return { ...classifiedSnapshotOf(fact.dossier, fact.version, context), _id: fact.dossierCode };
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
    ...(dossier.countingDue === undefined ? {} : { countingDue: dossier.countingDue }),
  };
}

/**
 * True when two classifications of a dossier count differently, publish a different outcome, or
 * judge overdue against another due history (the overdue list reads it).
 */
export function classificationDiffers(
  a: Pick<ClassifiedDossier, 'applied' | 'outcome' | 'withdrawn' | 'countingDue'>,
  b: Pick<ClassifiedDossier, 'applied' | 'outcome' | 'withdrawn' | 'countingDue'>,
): boolean {
  return (
    a.outcome !== b.outcome ||
    a.withdrawn !== b.withdrawn ||
    canonicalJson(a.applied) !== canonicalJson(b.applied) ||
    canonicalJson(a.countingDue ?? null) !== canonicalJson(b.countingDue ?? null)
  );
}
