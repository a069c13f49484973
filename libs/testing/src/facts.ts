import type { DossierFact, DossierOutcome, DossierSnapshot } from '@tthc/contracts';
import { classify, contributionOf, countingDueStepsOf, dimensionsOf, effectiveDueHistory } from '@tthc/counting';

/** A plausible dossier snapshot for tests of the fact consumers. */
export function snapshotOf(
  overrides: Partial<DossierSnapshot> & Pick<DossierSnapshot, 'dossierCode' | 'version'>,
): DossierSnapshot {
  return {
    status: 'processing',
    procedureCode: 'P-1',
    fieldCode: 'F-1',
    agencyCode: 'A-1',
    receivingAgencyCode: 'A-1',
    channel: 'online',
    receivedAt: '2017-03-14T02:12:00.000Z',
    dueAt: '2017-03-20T10:00:00.000Z',
    dueHistory: [{ dueAt: '2017-03-20T10:00:00.000Z', reason: 'initial', effectiveAt: '2017-03-14T02:12:00.000Z' }],
    rescheduledDueAt: null,
    waiting: [],
    finishedAt: null,
    finishKind: null,
    outcome: null,
    ...overrides,
  };
}

export function factOf(
  snapshot: DossierSnapshot,
  kind: DossierFact['kind'] = 'changed',
): { key: string; value: DossierFact } {
  return {
    key: snapshot.dossierCode,
    value: {
      kind,
      dossierCode: snapshot.dossierCode,
      version: snapshot.version,
      emittedAt: '2026-11-22T00:00:00.000Z',
      dossier: snapshot,
    },
  };
}

/** The outcome message on-time-rate would publish for a snapshot (for tests of reporting). */
export function outcomeOf(snapshot: DossierSnapshot, revision = 0): { key: string; value: DossierOutcome } {
  const contribution = contributionOf(snapshot);
  const classification = classify(snapshot);
  return {
    key: snapshot.dossierCode,
    value: {
      dossierCode: snapshot.dossierCode,
      version: snapshot.version,
      revision,
      emittedAt: '2026-11-22T00:00:00.000Z',
      applied: contribution === null ? null : { dimensions: dimensionsOf(snapshot), contribution },
      outcome: classification.outcome,
      withdrawn: classification.withdrawn,
      dossier: snapshot,
      countingDue: countingDueStepsOf(effectiveDueHistory(snapshot)),
    },
  };
}
