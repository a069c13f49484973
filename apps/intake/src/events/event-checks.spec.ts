import { DOSSIER_EVENTS, type DossierEvent } from '@tthc/contracts';
import { AgencyTree } from '@tthc/reference';
import {
  acceptanceStamp,
  agencyCodesOf,
  checkEventReferences,
  checkEventScope,
  type ReferenceLookup,
} from './event-checks';

const received = (data: Record<string, unknown>): DossierEvent => ({
  eventId: 'e',
  type: 'dossier.received',
  occurredAt: '2017-03-14T09:12:00+07:00',
  dossierCode: 'D',
  data: { procedureCode: 'P1', agencyCode: 'C1', channel: 'online', ...data },
});
const transferred = (toAgencyCode: string): DossierEvent => ({
  eventId: 't',
  type: 'dossier.transferred',
  occurredAt: '2017-03-15T09:12:00+07:00',
  dossierCode: 'D',
  data: { toAgencyCode },
});
const resolved: DossierEvent = {
  eventId: 'r',
  type: 'dossier.resolved',
  occurredAt: '2017-03-16T09:12:00+07:00',
  dossierCode: 'D',
  data: { outcome: 'approved' },
};

const lookup: ReferenceLookup = {
  hasAgency: (code) => ['P', 'D1', 'C1', 'D2', 'C2'].includes(code),
  hasField: (code) => code === 'F1',
  hasProcedure: (code) => code === 'P1',
};
const tree = new AgencyTree(
  [
    ['P', null],
    ['D1', 'P'],
    ['C1', 'D1'],
    ['D2', 'P'],
    ['C2', 'D2'],
  ].map(([code, parentCode]) => ({
    code: code!,
    name: code!,
    parentCode: parentCode ?? null,
    level: 'other' as const,
  })),
);
const within = (code: string, roots: readonly string[]) => tree.isWithinAny(code, roots);

describe('agencyCodesOf', () => {
  it('lists agencyCode, receivingAgencyCode and toAgencyCode with their paths', () => {
    expect(agencyCodesOf(received({ receivingAgencyCode: 'D1' }))).toEqual([
      { path: 'data.agencyCode', code: 'C1' },
      { path: 'data.receivingAgencyCode', code: 'D1' },
    ]);
    expect(agencyCodesOf(transferred('C2'))).toEqual([{ path: 'data.toAgencyCode', code: 'C2' }]);
    expect(agencyCodesOf(resolved)).toEqual([]);
  });
});

describe('checkEventReferences', () => {
  it('accepts events naming known references', () => {
    const events = [received({ fieldCode: 'F1', receivingAgencyCode: 'D1' }), transferred('C2'), resolved];
    expect(
      checkEventReferences(
        events.map((event, index) => ({ index, event })),
        lookup,
      ),
    ).toEqual([]);
  });

  it('names each unknown procedure, field and agency with the index of its event', () => {
    const problems = checkEventReferences(
      [
        { index: 0, event: received({}) },
        { index: 3, event: received({ procedureCode: '1.0099', fieldCode: 'F9', receivingAgencyCode: 'X' }) },
        { index: 4, event: transferred('NOPE') },
      ],
      lookup,
    );
    expect(problems).toEqual([
      { index: 3, path: 'data.procedureCode', message: 'unknown procedure 1.0099' },
      { index: 3, path: 'data.fieldCode', message: 'unknown field F9' },
      { index: 3, path: 'data.receivingAgencyCode', message: 'unknown agency X' },
      { index: 4, path: 'data.toAgencyCode', message: 'unknown agency NOPE' },
    ]);
  });
});

describe('checkEventScope', () => {
  it('allows agencies inside any of the roots (the root itself included)', () => {
    const events = [received({ receivingAgencyCode: 'D1' }), transferred('C2')].map((event, index) => ({
      index,
      event,
    }));
    expect(checkEventScope(events, ['D1', 'D2'], within)).toEqual([]);
    expect(checkEventScope(events, ['P'], within)).toEqual([]);
  });

  it('reports every agency outside all roots', () => {
    const events = [received({ receivingAgencyCode: 'D1' }), transferred('C2'), resolved].map((event, index) => ({
      index,
      event,
    }));
    expect(checkEventScope(events, ['C1'], within)).toEqual([
      { index: 0, path: 'data.receivingAgencyCode', code: 'D1' },
      { index: 1, path: 'data.toAgencyCode', code: 'C2' },
    ]);
  });

  it('treats a desk without roots as allowed nowhere', () => {
    expect(checkEventScope([{ index: 0, event: received({}) }], [], within)).toHaveLength(1);
  });
});

describe('acceptanceStamp (what dossier-tracking decides desk scope from)', () => {
  const ancestry = (code: string) => tree.ancestry(code);

  it('stamps the desk key’s agencies and the ancestry of every agency the event names', () => {
    expect(acceptanceStamp(received({ receivingAgencyCode: 'D1' }), ['D1'], ancestry)).toEqual({
      scope: ['D1'],
      agencyAncestry: { C1: ['C1', 'D1', 'P'], D1: ['D1', 'P'] },
    });
    expect(acceptanceStamp(transferred('C2'), ['P'], ancestry)).toEqual({
      scope: ['P'],
      agencyAncestry: { C2: ['C2', 'D2', 'P'] },
    });
  });

  it('stamps admin for the admin key and imports, and no ancestry for events naming no agency', () => {
    expect(acceptanceStamp(resolved, 'admin', ancestry)).toEqual({ scope: 'admin' });
    expect(acceptanceStamp(resolved, ['D1'], ancestry)).toEqual({ scope: ['D1'] });
  });

  it('is valid on the event topic’s envelope, which still accepts envelopes without stamps', () => {
    const envelope = { deskId: 'desk-1', acceptedAt: '2026-11-22T00:00:00.000Z', event: received({}) };
    const stamped = { ...envelope, ...acceptanceStamp(envelope.event, ['D1'], ancestry) };
    expect(DOSSIER_EVENTS.value.parse(stamped)).toEqual(stamped);
    expect(DOSSIER_EVENTS.value.parse(envelope)).toEqual(envelope);
    expect(() => DOSSIER_EVENTS.value.parse({ ...envelope, scope: [] })).toThrow();
    expect(() => DOSSIER_EVENTS.value.parse({ ...envelope, scope: 'desk' })).toThrow();
  });
});
