import { DOSSIER_EVENT_TYPES } from '@tthc/contracts';
import { LIFECYCLE_ORDER, lifecycleRank } from './event-order';

describe('the lifecycle order of same-instant events (docs/counting-rules.md §4)', () => {
  it('ranks every event type once, receipt after rejection and before everything else, void last', () => {
    const ranks = DOSSIER_EVENT_TYPES.map((type) => LIFECYCLE_ORDER[type]);
    expect(new Set(ranks).size).toBe(DOSSIER_EVENT_TYPES.length);
    expect(lifecycleRank('dossier.rejected')).toBeLessThan(lifecycleRank('dossier.received'));
    expect(lifecycleRank('dossier.received')).toBeLessThan(lifecycleRank('dossier.supplement_requested'));
    expect(lifecycleRank('dossier.resolved')).toBeLessThan(lifecycleRank('dossier.returned'));
    expect(Math.max(...ranks)).toBe(lifecycleRank('dossier.voided'));
  });

  it('puts an unknown type after every known one', () => {
    expect(lifecycleRank('dossier.unknown')).toBeGreaterThan(lifecycleRank('dossier.voided'));
  });
});
