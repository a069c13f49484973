import type { DossierFact, DossierSnapshot } from '@tthc/contracts';

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
