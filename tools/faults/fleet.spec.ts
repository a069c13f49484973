import { replicaPort } from './fleet';

describe('replicaPort', () => {
  it('gives every replica of every service its own port', () => {
    expect(replicaPort(3300, 'intake', 0)).toBe(3300);
    expect(replicaPort(3300, 'intake', 1)).toBe(3301);
    expect(replicaPort(3300, 'dossier-tracking', 0)).toBe(3310);
    expect(replicaPort(3300, 'on-time-rate', 1)).toBe(3321);
    expect(replicaPort(3300, 'reporting', 9)).toBe(3339);
  });

  it('refuses more than ten replicas', () => {
    expect(() => replicaPort(3300, 'reporting', 10)).toThrow(/out of range/);
  });
});
