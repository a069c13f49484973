import { ContractViolation, decodeMessage, encodeMessage } from './topic';
import { ALL_TOPICS, DOSSIER_EVENTS, REFERENCE_AGENCIES, deadLetterTopicOf } from './topics';

const accepted = {
  deskId: 'desk-1',
  acceptedAt: '2026-01-01T00:00:00.000Z',
  event: {
    eventId: 'e1',
    type: 'dossier.resolved' as const,
    occurredAt: '2026-01-02T08:00:00+07:00',
    dossierCode: 'D-1',
    data: { outcome: 'approved' as const },
  },
};

describe('topic contracts', () => {
  it('names every topic with its version and keeps names unique', () => {
    const names = ALL_TOPICS.map((topic) => topic.name);
    expect(new Set(names).size).toBe(names.length);
    for (const topic of ALL_TOPICS) expect(topic.name).toMatch(new RegExp(`\\.v${topic.version}$`));
  });

  it('round-trips a valid message through encode and decode', () => {
    const encoded = encodeMessage(DOSSIER_EVENTS, 'D-1', accepted);
    const decoded = decodeMessage(DOSSIER_EVENTS, Buffer.from(encoded.key), Buffer.from(encoded.value ?? ''));
    expect(decoded).toEqual({ key: 'D-1', value: accepted });
  });

  it('refuses to produce an invalid value', () => {
    const bad = { ...accepted, event: { ...accepted.event, data: { outcome: 'maybe' } } };
    expect(() => encodeMessage(DOSSIER_EVENTS, 'D-1', bad as never)).toThrow(ContractViolation);
  });

  it('refuses to consume a value that is not JSON or violates the schema', () => {
    expect(() => decodeMessage(DOSSIER_EVENTS, 'D-1', '{not json')).toThrow(/not valid JSON/);
    expect(() => decodeMessage(DOSSIER_EVENTS, 'D-1', JSON.stringify({ deskId: 'x' }))).toThrow(ContractViolation);
    expect(() => decodeMessage(DOSSIER_EVENTS, null, JSON.stringify(accepted))).toThrow(/key/);
  });

  it('allows tombstones only on compacted topics that declare them', () => {
    expect(encodeMessage(REFERENCE_AGENCIES, 'A', null)).toEqual({ key: 'A', value: null });
    expect(() => encodeMessage(DOSSIER_EVENTS, 'D-1', null)).toThrow(/tombstones/);
  });

  it('derives a dead-letter topic per topic', () => {
    expect(deadLetterTopicOf(DOSSIER_EVENTS).name).toBe('tthc.dossier-events.v1.dlt');
  });
});
