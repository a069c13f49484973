import { validateDossierEvents } from '@tthc/contracts';
import { generateDossierEvents, shuffled } from './generator';

describe('test data generator', () => {
  it('produces valid docs/api.md §4 events, the same for the same seed', () => {
    const events = generateDossierEvents(7, 300);
    expect(validateDossierEvents(events)).toMatchObject({ ok: true });
    expect(generateDossierEvents(7, 300)).toEqual(events);
    expect(generateDossierEvents(8, 300)).not.toEqual(events);
    expect(new Set(events.map((event) => event.dossierCode)).size).toBe(300);
    const types = new Set(events.map((event) => event.type));
    for (const type of [
      'dossier.received',
      'dossier.resolved',
      'dossier.returned',
      'dossier.withdrawn',
      'dossier.voided',
      'dossier.paused',
    ]) {
      expect(types).toContain(type);
    }
  });

  it('shuffles deterministically without losing events', () => {
    const events = generateDossierEvents(1, 50);
    const mixed = shuffled(events, 99);
    expect(mixed).not.toEqual(events);
    expect([...mixed].sort((a, b) => a.eventId.localeCompare(b.eventId))).toEqual(
      [...events].sort((a, b) => a.eventId.localeCompare(b.eventId)),
    );
  });
});
