/**
 * API fuzzing of the four services with schemathesis (docs/security.md, "API fuzzing and the
 * authorization matrix"); run by `npm run test:fuzz` (scripts/fuzz.sh), which installs
 * schemathesis and starts the infrastructure first.
 *
 *   node dist/tools/fuzz/cli.js --schemathesis <path> [--examples 100] [--seed 1] [--port-base 3911]
 *                               [--phase-timeout 180] [--out .local/fuzz]
 *
 * Starts the services from dist/ in a fresh namespace, seeds a little data and a desk and a viewer
 * key (seed.ts), then runs schemathesis phase by phase: the reads and the desk API with each role
 * first, and the state-changing admin and reference-data writes last, once nothing else depends
 * on the state any more. Exits 1 when any phase finds a failure (or a service dies).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { seed } from './seed';
import { FuzzStack, type FuzzedService } from './stack';

export const CHECKS = [
  'not_a_server_error',
  'status_code_conformance',
  'content_type_conformance',
  'response_schema_conformance',
] as const;

type Caller = 'admin' | 'desk' | 'viewer';

export interface FuzzPhase {
  name: string;
  service: FuzzedService;
  caller: Caller;
  /** schemathesis filter options (--include-… / --exclude-…). */
  filters: string[];
}

/**
 * The phases, in order. Writes that change what the others read (reference data, keys, imports,
 * rebuilds, scheduled-report runs) run last, in their own phases.
 */
export const PHASES: FuzzPhase[] = [
  { name: 'intake: desk API (desk key)', service: 'intake', caller: 'desk', filters: ['--include-path', '/v1/events'] },
  { name: 'intake: reads (admin key)', service: 'intake', caller: 'admin', filters: ['--include-method', 'GET'] },
  { name: 'intake: reads (viewer key)', service: 'intake', caller: 'viewer', filters: ['--include-method', 'GET'] },
  { name: 'dossier-tracking (admin key)', service: 'dossier-tracking', caller: 'admin', filters: [] },
  { name: 'dossier-tracking (viewer key)', service: 'dossier-tracking', caller: 'viewer', filters: [] },
  {
    name: 'on-time-rate: reads (admin key)',
    service: 'on-time-rate',
    caller: 'admin',
    filters: ['--include-method', 'GET'],
  },
  {
    name: 'reporting: reads (viewer key)',
    service: 'reporting',
    caller: 'viewer',
    filters: ['--include-method', 'GET'],
  },
  { name: 'reporting: reads (admin key)', service: 'reporting', caller: 'admin', filters: ['--include-method', 'GET'] },
  {
    name: 'intake: reference and admin writes (admin key, last)',
    service: 'intake',
    caller: 'admin',
    filters: ['--exclude-method', 'GET', '--exclude-path', '/v1/events'],
  },
  {
    name: 'on-time-rate: rebuild (admin key, last)',
    service: 'on-time-rate',
    caller: 'admin',
    filters: ['--include-method', 'POST'],
  },
  {
    name: 'reporting: scheduled-report runs (admin key, last)',
    service: 'reporting',
    caller: 'admin',
    filters: ['--include-method', 'POST'],
  },
];

interface PhaseResult {
  name: string;
  exitCode: number;
  generated: number;
  failures: number;
  seconds: number;
}

function args(): Map<string, string> {
  const parsed = new Map<string, string>();
  for (let index = 2; index < process.argv.length; index += 2) {
    parsed.set((process.argv[index] ?? '').replace(/^--/, ''), process.argv[index + 1] ?? '');
  }
  return parsed;
}

/** Runs one schemathesis phase; past `timeoutMs` it is stopped and the phase fails. */
function runSchemathesis(
  binary: string,
  argv: string[],
  logFile: string,
  timeoutMs: number,
): Promise<{ code: number; output: string }> {
  return new Promise((done, fail) => {
    // In the output folder: schemathesis keeps a cache (.schemathesis/) in its working directory.
    const child = spawn(binary, argv, {
      cwd: dirname(logFile),
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1' },
    });
    let output = '';
    const timer = setTimeout(() => {
      output += `\nFAILURES: the phase did not finish within ${timeoutMs / 1000} s (--phase-timeout)\n`;
      child.kill('SIGTERM');
    }, timeoutMs);
    const take = (chunk: Buffer) => {
      output += chunk.toString('utf8');
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    child.on('error', fail);
    child.on('close', (code) => {
      clearTimeout(timer);
      writeFileSync(logFile, output);
      done({ code: code === 0 && !output.includes('did not finish within') ? 0 : (code ?? 1), output });
    });
  });
}

async function main(): Promise<void> {
  const options = args();
  const binary = options.get('schemathesis');
  if (binary === undefined || binary === '') throw new Error('--schemathesis <path> is required');
  const schemathesis = resolve(binary);
  const examples = Number(options.get('examples') ?? '100');
  const phaseTimeoutMs = Number(options.get('phase-timeout') ?? '180') * 1000;
  const seedValue = options.get('seed') ?? '1';
  const out = resolve(options.get('out') ?? '.local/fuzz');
  mkdirSync(out, { recursive: true });
  const stack = new FuzzStack(Number(options.get('port-base') ?? '3911'), out);
  const started = Date.now();
  const results: PhaseResult[] = [];
  const log = (text: string) => process.stdout.write(`${text}\n`);
  try {
    log(`==> starting the four services from dist/ (namespace ${stack.id}, ports ${stack.port('intake')}–…)`);
    await stack.start();
    log('==> seeding reference data, a desk and a viewer key, two dossiers, the scheduled files of 2017-03');
    const keys = await seed(
      {
        intake: stack.url('intake'),
        dossierTracking: stack.url('dossier-tracking'),
        reporting: stack.url('reporting'),
      },
      stack.adminKey,
    );
    const keyOf: Record<Caller, string> = { admin: stack.adminKey, desk: keys.desk, viewer: keys.viewer };
    for (const [index, phase] of PHASES.entries()) {
      const phaseStarted = Date.now();
      const reportDir = join(out, `phase-${index + 1}`);
      const argv = [
        'run',
        `${stack.url(phase.service)}/docs-json`,
        '--header',
        `Authorization: Bearer ${keyOf[phase.caller]}`,
        '--checks',
        CHECKS.join(','),
        '--max-examples',
        String(examples),
        '--seed',
        seedValue,
        // One worker: schemathesis' schema walking in several threads trips a CPython 3.11 AST bug.
        '--workers',
        '1',
        '--request-timeout',
        '30',
        '--generation-database',
        'none',
        '--suppress-health-check',
        'all',
        '--no-color',
        '--report',
        'junit',
        '--report-dir',
        reportDir,
        ...phase.filters,
      ];
      const { code, output } = await runSchemathesis(schemathesis, argv, `${reportDir}.log`, phaseTimeoutMs);
      const generated = Number(/(\d+) generated/.exec(output)?.[1] ?? '0');
      const failures = Number(/(\d+) (?:found \d+ unique )?failures?/.exec(output)?.[1] ?? (code === 0 ? '0' : '1'));
      const result = {
        name: phase.name,
        exitCode: code,
        generated,
        failures: code === 0 ? 0 : Math.max(failures, 1),
        seconds: Math.round((Date.now() - phaseStarted) / 1000),
      };
      results.push(result);
      log(
        `${code === 0 ? 'ok  ' : 'FAIL'} ${phase.name}: ${generated} test cases, ${result.failures} failures, ${result.seconds} s`,
      );
      if (code !== 0)
        process.stdout.write(output.slice(output.indexOf('FAILURES') >= 0 ? output.indexOf('FAILURES') : 0));
      const dead = stack.exited();
      if (dead.length > 0) throw new Error(`service(s) exited during the run: ${dead.join(', ')}`);
    }
  } finally {
    await stack.stop();
  }
  const total = results.reduce((sum, r) => sum + r.generated, 0);
  const failed = results.filter((r) => r.exitCode !== 0);
  const summary = {
    schemathesis: binary,
    checks: CHECKS,
    maxExamples: examples,
    seed: seedValue,
    seconds: Math.round((Date.now() - started) / 1000),
    testCases: total,
    failedPhases: failed.length,
    phases: results,
  };
  writeFileSync(join(out, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  log(
    `==> ${total} test cases in ${results.length} phases, ${failed.length} failed phases, ${summary.seconds} s (${join(out, 'summary.json')})`,
  );
  if (failed.length > 0) process.exitCode = 1;
}

main().catch((error: unknown) => {
  process.stderr.write(`fuzz: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
