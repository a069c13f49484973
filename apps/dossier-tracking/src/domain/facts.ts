import type { DossierFact, DossierFactKind, DossierSnapshot } from '@tthc/contracts';

type State = Omit<DossierSnapshot, 'version'>;

/** Which lifecycle fact a change of state is (docs/counting-rules.md §4 lifecycle, as published to on-time-rate). */
export function factKindOf(previous: State | null, next: State): DossierFactKind {
  if (previous === null) return next.status === 'voided' ? 'voided' : 'received';
  if (next.status === 'voided' && previous.status !== 'voided') return 'voided';
  if (next.finishedAt !== null && previous.finishedAt === null) return 'finished';
  if (next.dueAt !== previous.dueAt) return 'due_changed';
  return 'changed';
}

export function buildFact(kind: DossierFactKind, version: number, state: State, emittedAt: string): DossierFact {
  return { kind, dossierCode: state.dossierCode, version, emittedAt, dossier: { ...state, version } };
}

/** Stable JSON of a state, to tell whether a refold changed anything. */
export function sameState(a: State | null, b: State | null): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
