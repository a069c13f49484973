/**
 * Overdue list benchmark: latency of one page of `GET /v1/reports/overdue` (the default sort,
 * most overdue first, 50 a page) for the whole province and for one department, served by the
 * reporting service from its overdue index, for a given number of classified dossiers received
 * over the last 360 days (about 12 % still pending, most of them past due).
 * Classified dossiers (as on-time-rate publishes them) are produced to a fresh namespace; the
 * service (from dist/) applies them; then each query is timed sequentially over HTTP. Run it on
 * npm start's stack (the stand-in in stack mode): `MONGO_URL` names it.
 *
 *   npm run build && node dist/bench/overdue.js --dossiers 200000 [--queries 200]
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import mongoose from 'mongoose';
import {
  DOSSIER_OUTCOMES,
  REFERENCE_AGENCIES,
  REFERENCE_FIELDS,
  REFERENCE_PROCEDURES,
  encodeMessage,
  type DossierOutcome,
  type DossierSnapshot,
  type TopicDefinition,
} from '@tthc/contracts';
import { classify, contributionOf, dimensionsOf } from '@tthc/counting';
import { seededRandom } from '../libs/testing/src/generator';
import { benchArgs, benchMongoUrl, deleteQueueKeys, deleteTopicsOf, stopChild, waitReady } from './support';

const args = benchArgs();
const dossierCount = Number(args.get('dossiers') ?? '20000');
const queryCount = Number(args.get('queries') ?? '200');
const id = `bovd${randomBytes(3).toString('hex')}`;
const adminKey = 'bench-admin-key-0123456789';
const port = 3105;
const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const mongoUrl = benchMongoUrl(id);
const DAY = 86_400_000;
const ROOT = '000.00.00.H99';
const NOW = Date.now();
/** 360 days before today, at 08:00 local. */
const START = Math.floor(NOW / DAY) * DAY - 361 * DAY + 3_600_000;
const DEPARTMENTS = Array.from({ length: 20 }, (_, index) => `000.00.${String(index + 1).padStart(2, '0')}.H99`);
const COMMUNES = DEPARTMENTS.flatMap((department, d) =>
  Array.from({ length: 5 }, (_, c) => `000.${String(d + 1).padStart(2, '0')}.${String(c + 1).padStart(2, '0')}.H99`),
);
const FIELDS = Array.from({ length: 20 }, (_, index) => `G${String(index + 1).padStart(2, '0')}`);
const PROCEDURES = Array.from({ length: 200 }, (_, index) => `1.${String(index).padStart(6, '0')}`);

function outcomes(count: number): DossierOutcome[] {
  const random = seededRandom(7);
  const result: DossierOutcome[] = [];
  for (let index = 0; index < count; index++) {
    const received = START + Math.floor(random() * 360) * DAY + Math.floor(random() * 9) * 3_600_000;
    const due = received + (1 + Math.floor(random() * 15)) * DAY;
    const finishing = received + Math.floor(random() * 20) * DAY + 3_600_000;
    const finished = random() < 0.88 && finishing < NOW ? finishing : null;
    const procedure = Math.floor(random() * PROCEDURES.length);
    const dossier: DossierSnapshot = {
      dossierCode: `BENCH-${index}`,
      version: 2,
      status: finished === null ? 'processing' : 'resolved',
      procedureCode: PROCEDURES[procedure] as string,
      fieldCode: FIELDS[procedure % FIELDS.length] as string,
      agencyCode: (random() < 0.3 ? DEPARTMENTS : COMMUNES)[Math.floor(random() * 20)] as string,
      receivingAgencyCode: ROOT,
      channel: random() < 0.4 ? 'online' : random() < 0.9 ? 'in_person' : 'postal',
      receivedAt: new Date(received).toISOString(),
      dueAt: new Date(due).toISOString(),
      dueHistory: [
        { dueAt: new Date(due).toISOString(), reason: 'initial', effectiveAt: new Date(received).toISOString() },
      ],
      rescheduledDueAt: null,
      waiting: [],
      finishedAt: finished === null ? null : new Date(finished).toISOString(),
      finishKind: finished === null ? null : 'resolved',
      outcome: finished === null ? null : 'approved',
    };
    const contribution = contributionOf(dossier);
    const classification = classify(dossier);
    result.push({
      dossierCode: dossier.dossierCode,
      version: dossier.version,
      revision: 0,
      emittedAt: new Date().toISOString(),
      applied: contribution === null ? null : { dimensions: dimensionsOf(dossier), contribution },
      outcome: classification.outcome,
      withdrawn: classification.withdrawn,
      dossier,
    });
  }
  return result;
}

async function send<T extends TopicDefinition>(
  producer: Producer,
  topic: T,
  messages: { key: string; value: unknown }[],
): Promise<void> {
  for (let start = 0; start < messages.length; start += 2000) {
    await producer.send({
      topic: `${id}.${topic.name}`,
      acks: -1,
      messages: messages
        .slice(start, start + 2000)
        .map((message) => encodeMessage(topic, message.key as never, message.value as never)),
    });
  }
}

async function timed(url: string): Promise<number> {
  const started = performance.now();
  const response = await fetch(url, { headers: { authorization: `Bearer ${adminKey}` } });
  await response.arrayBuffer();
  if (response.status !== 200) throw new Error(`${url}: ${response.status}`);
  return performance.now() - started;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return +(sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0).toFixed(1);
}

async function main(): Promise<void> {
  const messages = outcomes(dossierCount);
  const db = await mongoose.createConnection(mongoUrl).asPromise();
  const child = spawn(process.execPath, [resolve(__dirname, '../apps/reporting/src/main.js')], {
    env: {
      ...process.env,
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      PORT: String(port),
      KAFKA_TOPIC_PREFIX: `${id}.`,
      MONGO_URL: mongoUrl,
      QUEUE_PREFIX: id,
      TTHC_ADMIN_KEY: adminKey,
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const kafka = new Kafka({ clientId: 'bench', brokers, logLevel: logLevel.NOTHING });
  const producer = kafka.producer();
  try {
    await waitReady(port, child);
    await producer.connect();
    await send(producer, REFERENCE_AGENCIES, [
      { key: ROOT, value: { code: ROOT, name: 'Tỉnh Thử nghiệm', parentCode: null, level: 'province' } },
      ...DEPARTMENTS.map((code, index) => ({
        key: code,
        value: { code, name: `Sở/Huyện ${index + 1}`, parentCode: ROOT, level: 'department' },
      })),
      ...COMMUNES.map((code, index) => ({
        key: code,
        value: {
          code,
          name: `Xã ${index + 1}`,
          parentCode: DEPARTMENTS[Math.floor(index / 5)],
          level: 'commune',
        },
      })),
    ]);
    await send(
      producer,
      REFERENCE_FIELDS,
      FIELDS.map((code) => ({ key: code, value: { code, name: `Lĩnh vực ${code}` } })),
    );
    await send(
      producer,
      REFERENCE_PROCEDURES,
      PROCEDURES.map((code, index) => ({
        key: code,
        value: {
          code,
          name: `Thủ tục ${code}`,
          fieldCode: FIELDS[index % FIELDS.length],
          processingTime: { value: 5, unit: 'working_days' },
        },
      })),
    );
    const loadStarted = performance.now();
    await send(
      producer,
      DOSSIER_OUTCOMES,
      messages.map((value) => ({ key: value.dossierCode, value })),
    );
    for (;;) {
      const [stored, journals] = await Promise.all([
        db.collection('rpt_dossiers').estimatedDocumentCount(),
        db.collection('rpt_ledger_buckets').countDocuments({ open: { $ne: null } }),
      ]);
      if (stored >= dossierCount && journals === 0) break;
      process.stderr.write(`\r  ${stored}/${dossierCount} classified dossiers applied`);
      await new Promise((r) => setTimeout(r, 500));
    }
    process.stderr.write('\n');
    const loadSeconds = (performance.now() - loadStarted) / 1000;
    const counterRows = await db.collection('rpt_counters').estimatedDocumentCount();
    const base = `http://127.0.0.1:${port}/v1/reports`;
    const department = DEPARTMENTS[3] as string;
    const queries = {
      overdueProvincePage1: `${base}/overdue?agency=${ROOT}`,
      overdueProvincePage20: `${base}/overdue?agency=${ROOT}&page=20`,
      overdueAllByDueAt: `${base}/overdue?sort=dueAt&order=asc`,
      overdueDepartmentPage1: `${base}/overdue?agency=${department}`,
    };
    const first = (await (
      await fetch(queries.overdueProvincePage1, { headers: { authorization: `Bearer ${adminKey}` } })
    ).json()) as { total: number; items: unknown[] };
    const ofDepartment = (await (
      await fetch(queries.overdueDepartmentPage1, { headers: { authorization: `Bearer ${adminKey}` } })
    ).json()) as { total: number };
    const result: Record<string, unknown> = {
      dossiers: dossierCount,
      pending: messages.filter((m) => m.dossier.finishedAt === null).length,
      overdueProvince: first.total,
      overdueDepartment: ofDepartment.total,
      indexEntries: await db.collection('rpt_overdue').estimatedDocumentCount(),
      counterRows,
      loadSeconds: +loadSeconds.toFixed(1),
      outcomesPerSecond: Math.round(dossierCount / loadSeconds),
    };
    for (const [name, url] of Object.entries(queries)) {
      const cold = await timed(url);
      for (let warm = 0; warm < 10; warm++) await timed(url);
      const samples: number[] = [];
      for (let index = 0; index < queryCount; index++) samples.push(await timed(url));
      result[name] = {
        coldMs: +cold.toFixed(1),
        p50Ms: percentile(samples, 50),
        p95Ms: percentile(samples, 95),
        p99Ms: percentile(samples, 99),
        maxMs: percentile(samples, 100),
        samples: samples.length,
      };
    }
    console.log(JSON.stringify(result));
  } finally {
    await producer.disconnect().catch(() => undefined);
    await stopChild(child, 30_000);
    await db.dropDatabase().catch(() => undefined);
    await db.close();
    await deleteTopicsOf(brokers, id).catch((error: unknown) =>
      console.error(`topics of ${id} left: ${String(error)}`),
    );
    await deleteQueueKeys(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', id).catch((error: unknown) =>
      console.error(`queue keys of ${id} left: ${String(error)}`),
    );
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
