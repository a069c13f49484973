import { CI_DOSSIERS, UsageError, defaultTimeoutSeconds, parseOptions } from './options';

describe('parseOptions', () => {
  it('defaults to every scenario once at the CI size', () => {
    expect(parseOptions([])).toEqual({
      scenarios: [],
      runs: 1,
      dossiers: CI_DOSSIERS,
      seed: 1,
      replicas: undefined,
      timeoutSeconds: undefined,
      basePort: 3300,
      concurrency: 4,
      list: false,
    });
  });

  it('reads the acceptance form', () => {
    const options = parseOptions(['--scenario', 'zombie', '--runs', '3', '--dossiers', '20000']);
    expect(options).toMatchObject({ scenarios: ['zombie'], runs: 3, dossiers: 20000 });
  });

  it('keeps repeated scenarios and the other numbers', () => {
    const options = parseOptions([
      '--scenario',
      'kill',
      '--scenario',
      'zombie,rebuild',
      '--replicas',
      '2',
      '--timeout',
      '600',
      '--base-port',
      '4400',
      '--seed',
      '7',
      '--concurrency',
      '2',
    ]);
    expect(options).toMatchObject({
      scenarios: ['kill', 'zombie,rebuild'],
      replicas: 2,
      timeoutSeconds: 600,
      basePort: 4400,
      seed: 7,
      concurrency: 2,
    });
  });

  it.each([
    [['--runs', '0']],
    [['--runs', 'two']],
    [['--dossiers', '1.5']],
    [['--replicas', '10']],
    [['--timeout', '5']],
    [['--unknown']],
    [['positional']],
    [['--help']],
  ])('refuses %j with a usage error', (argv) => {
    expect(() => parseOptions(argv)).toThrow(UsageError);
  });
});

describe('defaultTimeoutSeconds', () => {
  it('grows with the fault window, the events and a cluster', () => {
    const base = defaultTimeoutSeconds(0, 0, 1);
    expect(defaultTimeoutSeconds(100, 0, 1)).toBe(base + 100);
    expect(defaultTimeoutSeconds(0, 15_000, 1)).toBe(base + 100);
    expect(defaultTimeoutSeconds(0, 0, 3)).toBeGreaterThan(base);
  });
});
