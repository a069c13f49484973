import { SCENARIOS, replicasOf, selectScenarios } from './scenarios';

describe('the scenario catalogue', () => {
  it('has the control and the nine fault scenarios, with unique names', () => {
    const names = SCENARIOS.map((scenario) => scenario.name);
    expect(names).toEqual([
      'baseline',
      'replicas',
      'kill',
      'zombie',
      'mongo-down',
      'redis-down',
      'broker-down',
      'sigterm',
      'rolling-restart',
      'rebuild',
    ]);
  });

  it('runs every fault scenario with two replicas of each consumer service', () => {
    for (const scenario of SCENARIOS.filter((s) => s.name !== 'baseline')) {
      expect(scenario.replicas['dossier-tracking']).toBe(2);
      expect(scenario.replicas['on-time-rate']).toBe(2);
      expect(scenario.replicas.reporting).toBe(2);
    }
    expect(Object.values(SCENARIOS[0]?.replicas ?? {})).toEqual([1, 1, 1, 1]);
  });

  it('posts long enough for the zombie to outlive the 30 s session timeout twice', () => {
    const zombie = SCENARIOS.find((scenario) => scenario.name === 'zombie');
    expect(zombie?.loadSeconds).toBeGreaterThanOrEqual(80);
  });

  it('uses the 3-broker cluster only for broker-down', () => {
    expect(SCENARIOS.filter((scenario) => scenario.brokers === 3).map((s) => s.name)).toEqual(['broker-down']);
  });
});

describe('selectScenarios', () => {
  it('selects all by default or with "all"', () => {
    expect(selectScenarios([])).toHaveLength(SCENARIOS.length);
    expect(selectScenarios(['all'])).toHaveLength(SCENARIOS.length);
  });

  it('keeps the catalogue order whatever the order given', () => {
    expect(selectScenarios(['rebuild,kill', 'zombie']).map((s) => s.name)).toEqual(['kill', 'zombie', 'rebuild']);
  });

  it('refuses an unknown name and lists the known ones', () => {
    expect(() => selectScenarios(['kil'])).toThrow(/unknown scenario\(s\) kil; known: baseline, replicas/);
  });
});

describe('replicasOf', () => {
  it("is the scenario's own unless overridden for every service", () => {
    const kill = selectScenarios(['kill'])[0];
    if (kill === undefined) throw new Error('no kill scenario');
    expect(replicasOf(kill, undefined)).toBe(kill.replicas);
    expect(replicasOf(kill, 1)).toEqual({ intake: 1, 'dossier-tracking': 1, 'on-time-rate': 1, reporting: 1 });
  });
});
