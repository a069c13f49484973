import { decodeMessage, encodeMessage } from './topic';
import { DOSSIER_FACTS } from './topics';
import { dossierFactKindSchema, RENAMED_FACT_KINDS } from './dossier-fact';

const snapshot = {
  dossierCode: 'D-1',
  version: 2,
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
};
const fact = (kind: string) =>
  JSON.stringify({ kind, dossierCode: 'D-1', version: 2, emittedAt: '2017-03-20T10:00:01.000Z', dossier: snapshot });

describe('dossier fact kinds across versions (rolling upgrades)', () => {
  it('reads the old timer fact name became_overdue as due_instant_reached', () => {
    expect(decodeMessage(DOSSIER_FACTS, 'D-1', fact('became_overdue')).value?.kind).toBe('due_instant_reached');
    expect(decodeMessage(DOSSIER_FACTS, 'D-1', fact('due_instant_reached')).value?.kind).toBe('due_instant_reached');
    expect(RENAMED_FACT_KINDS.became_overdue).toBe('due_instant_reached');
  });

  it('produces the new name only', () => {
    const decoded = decodeMessage(DOSSIER_FACTS, 'D-1', fact('became_overdue')).value;
    if (decoded === null) throw new Error('expected a fact');
    const encoded = encodeMessage(DOSSIER_FACTS, 'D-1', decoded);
    expect(JSON.parse(encoded.value ?? 'null')).toMatchObject({ kind: 'due_instant_reached' });
  });

  it('still refuses unknown kinds, and names that only look like renamed ones', () => {
    expect(() => decodeMessage(DOSSIER_FACTS, 'D-1', fact('overdue'))).toThrow(/kind/);
    expect(dossierFactKindSchema.safeParse('toString').success).toBe(false);
    expect(dossierFactKindSchema.safeParse('constructor').success).toBe(false);
  });
});
