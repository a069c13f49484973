import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import type { ServiceName } from '@tthc/config';

const ROOT = resolve(__dirname, '../../..');

/** A service started from its TypeScript sources in a process of its own (apps/<service>/src/main.ts). */
export interface ServiceProcess {
  child: ChildProcess;
  url: string;
  /** Resident memory now and its peak so far (VmRSS, VmHWM of /proc), in bytes. */
  memory(): { rss: number; peak: number };
  /** The lines written so far on stdout and stderr (only when started with `captureOutput`). */
  output: { stdout: string[]; stderr: string[] };
  stop(): Promise<void>;
}

/** Collects a stream's complete lines into `lines` (a last line without newline when it ends). */
function collectLines(stream: NodeJS.ReadableStream | null, lines: string[]): void {
  if (stream === null) return;
  let rest = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    const parts = (rest + chunk).split('\n');
    rest = parts.pop() ?? '';
    lines.push(...parts);
  });
  stream.on('end', () => {
    if (rest !== '') lines.push(rest);
    rest = '';
  });
}

function procStatusBytes(pid: number | undefined, field: 'VmRSS' | 'VmHWM'): number {
  if (pid === undefined) return 0;
  const match = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) * 1024 : 0;
}

/** A TCP port free on 127.0.0.1 right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}

/**
 * Spawns `service` with `env` (its whole environment, e.g. `testEnvironment(namespace)`) on `port`, and waits until its
 * `/health/ready` answers 200. With `captureOutput`, stdout and stderr are kept (`output`) instead
 * of going to the test's own.
 */
export async function spawnServiceProcess(
  service: ServiceName,
  port: number,
  env: Record<string, string>,
  timeoutMs = 120_000,
  options: { captureOutput?: boolean } = {},
): Promise<ServiceProcess> {
  const capture = options.captureOutput === true;
  const child = spawn(
    process.execPath,
    ['-r', resolve(ROOT, 'libs/testing/src/ts-hook.js'), resolve(ROOT, `apps/${service}/src/main.ts`)],
    {
      cwd: ROOT,
      env: { ...env, PORT: String(port) },
      stdio: ['ignore', capture ? 'pipe' : 'inherit', capture ? 'pipe' : 'inherit'],
    },
  );
  const output = { stdout: [] as string[], stderr: [] as string[] };
  collectLines(child.stdout, output.stdout);
  collectLines(child.stderr, output.stderr);
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((done) => child.once('exit', done));
    child.kill('SIGTERM');
    await exited;
  };
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) {
      const said = capture ? `: ${[...output.stdout, ...output.stderr].slice(-20).join('\n')}` : '';
      throw new Error(`${service} exited with ${child.exitCode} before it was ready${said}`);
    }
    const status = await fetch(`${url}/health/ready`)
      .then((answer) => answer.status)
      .catch(() => 0);
    if (status === 200) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${service} not ready within ${timeoutMs} ms`);
    }
    await new Promise((done) => setTimeout(done, 250));
  }
  return {
    child,
    url,
    memory: () => ({ rss: procStatusBytes(child.pid, 'VmRSS'), peak: procStatusBytes(child.pid, 'VmHWM') }),
    output,
    stop,
  };
}
