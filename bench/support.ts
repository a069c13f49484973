/** What the benchmark scripts share: arguments, the namespace's database, service readiness, peak RSS. */
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import IORedis from 'ioredis';
import { Kafka, logLevel } from 'kafkajs';

/** `--name value` pairs of the command line; names in `flags` take no value (set to "true"). */
export function benchArgs(flags: readonly string[] = []): Map<string, string> {
  const args = new Map<string, string>();
  for (let index = 2; index < process.argv.length; index++) {
    const name = process.argv[index]?.replace(/^--/, '') ?? '';
    if (flags.includes(name)) args.set(name, 'true');
    else args.set(name, process.argv[++index] ?? '');
  }
  return args;
}

/** `MONGO_URL` (default: the local stand-in) with the benchmark namespace's own database. */
export function benchMongoUrl(id: string): string {
  const url = new URL(process.env.MONGO_URL ?? 'mongodb://127.0.0.1:27017/tthc');
  url.pathname = `/tthc_${id}`;
  return url.toString();
}

/** Waits up to 120 s for a service's `/health/ready` to answer 200 (failing early if its process exited). */
export async function waitReady(port: number, child?: ChildProcess): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (child !== undefined && child.exitCode !== null)
      throw new Error(`service on ${port} exited (${child.exitCode})`);
    const status = await fetch(`http://127.0.0.1:${port}/health/ready`)
      .then((answer) => answer.status)
      .catch(() => 0);
    if (status === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`service on ${port} not ready after 120 s`);
}

/** Peak resident memory (VmHWM) of a process in MB, 0 when unknown. */
export function peakRssMb(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Math.round(Number(match[1]) / 1024) : 0;
  } catch {
    return 0;
  }
}

/** SIGTERM, then SIGKILL after `graceMs` if the process has not exited. */
export async function stopChild(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  child.kill('SIGTERM');
  await Promise.race([exited, new Promise<void>((done) => setTimeout(done, graceMs))]);
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

/** Deletes a namespace's BullMQ keys (`<queuePrefix>:*`), so that no job scheduler is left behind. */
export async function deleteQueueKeys(redisUrl: string, queuePrefix: string): Promise<void> {
  const redis = new IORedis(redisUrl, { lazyConnect: true });
  await redis.connect();
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${queuePrefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/** Deletes every topic whose name starts with `<topicPrefix>.`. */
export async function deleteTopicsOf(brokers: string[], topicPrefix: string): Promise<void> {
  const admin = new Kafka({ clientId: `${topicPrefix}-cleanup`, brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const topics = (await admin.listTopics()).filter((topic) => topic.startsWith(`${topicPrefix}.`));
    if (topics.length > 0) await admin.deleteTopics({ topics, timeout: 30_000 });
  } finally {
    await admin.disconnect();
  }
}
