/** Command line of the fault harness (`npm run test:faults -- …`). */
import { parseArgs } from 'node:util';

/** The CI size: dossiers of the simulated year per scenario run (≈ 3.3 events each). */
export const CI_DOSSIERS = 3000;

export const USAGE = `usage: npm run test:faults -- [--scenario NAME[,NAME…]] [--runs N] [--dossiers N]
  [--seed N] [--replicas N] [--timeout SECONDS] [--base-port P] [--concurrency N] [--list]

  --scenario     scenarios to run (repeatable or comma-separated; default: all, in catalogue order)
  --runs         runs of each scenario (default 1), each with a new namespace and seed + run - 1
  --dossiers     dossiers of the simulated year (default ${CI_DOSSIERS}, the CI size; 20000 = acceptance)
  --seed         simulator seed of the first run (default 1)
  --replicas     the same number of replicas for every service (default: the scenario's own)
  --timeout      per-scenario-run timeout in seconds (default: from the scenario and the size)
  --base-port    first HTTP port of the services (default 3300; replica i of service s: base + 10s + i)
  --concurrency  POST requests in flight (default 4)
  --list         print the scenarios and exit`;

export interface FaultOptions {
  scenarios: string[];
  runs: number;
  dossiers: number;
  seed: number;
  replicas?: number;
  timeoutSeconds?: number;
  basePort: number;
  concurrency: number;
  list: boolean;
}

export class UsageError extends Error {}

function integer(name: string, text: string | undefined, fallback: number, min: number, max: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new UsageError(`--${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(text)}`);
  }
  return value;
}

export function parseOptions(argv: readonly string[]): FaultOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        scenario: { type: 'string', multiple: true },
        runs: { type: 'string' },
        dossiers: { type: 'string' },
        seed: { type: 'string' },
        replicas: { type: 'string' },
        timeout: { type: 'string' },
        'base-port': { type: 'string' },
        concurrency: { type: 'string' },
        list: { type: 'boolean' },
        help: { type: 'boolean' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
  }
  if (values.help === true) throw new UsageError(USAGE);
  return {
    scenarios: values.scenario ?? [],
    runs: integer('runs', values.runs, 1, 1, 100),
    dossiers: integer('dossiers', values.dossiers, CI_DOSSIERS, 100, 2_000_000),
    seed: integer('seed', values.seed, 1, 0, 2 ** 31 - 1),
    replicas: values.replicas === undefined ? undefined : integer('replicas', values.replicas, 1, 1, 9),
    timeoutSeconds: values.timeout === undefined ? undefined : integer('timeout', values.timeout, 0, 30, 86_400),
    basePort: integer('base-port', values['base-port'], 3300, 1024, 65_000),
    concurrency: integer('concurrency', values.concurrency, 4, 1, 64),
    list: values.list === true,
  };
}

/**
 * Default timeout of one scenario run: start-up, the fault window, processing at a pessimistic
 * 150 events/s on a loaded 2-core machine, and the settling grace.
 */
export function defaultTimeoutSeconds(loadSeconds: number, events: number, brokers: number): number {
  return Math.ceil(240 + (brokers > 1 ? 60 : 0) + loadSeconds + events / 150 + 180);
}
