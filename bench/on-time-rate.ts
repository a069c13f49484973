/**
 * on-time-rate benchmark: how fast the service classifies lifecycle facts and moves its counters.
 * Facts (two versions per dossier, the first one pending, shuffled) are produced to a fresh
 * namespace first; then on-time-rate starts from dist/ and the time to apply them all is measured.
 *
 *   npm run build && node dist/bench/on-time-rate.js --facts 100000
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import mongoose from 'mongoose';
import { DOSSIER_FACTS, encodeMessage, type DossierFact, type DossierSnapshot } from '@tthc/contracts';
import { seededRandom } from '../libs/testing/src/generator';
import { benchArgs, benchMongoUrl, peakRssMb } from './support';

const args = benchArgs();
const targetFacts = Number(args.get('facts') ?? '20000');
const id = `botr${randomBytes(3).toString('hex')}`;
const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const mongoUrl = benchMongoUrl(id);
const DAY = 86_400_000;

function snapshots(dossiers: number): DossierSnapshot[] {
  const random = seededRandom(7);
  const agencies = Array.from({ length: 40 }, (_, index) => `000.00.${String(index).padStart(2, '0')}.H99`);
  const result: DossierSnapshot[] = [];
  for (let index = 0; index < dossiers; index++) {
    const received =
      Date.parse('2017-01-02T01:00:00Z') + Math.floor(random() * 360) * DAY + Math.floor(random() * 9) * 3_600_000;
    const due = received + (1 + Math.floor(random() * 15)) * DAY;
    const finished = random() < 0.9 ? received + Math.floor(random() * 20) * DAY + 3_600_000 : null;
    const base: DossierSnapshot = {
      dossierCode: `BENCH-${index}`,
      version: 1,
      status: 'processing',
      procedureCode: `1.${String(Math.floor(random() * 200)).padStart(6, '0')}`,
      fieldCode: `G${Math.floor(random() * 20)}`,
      agencyCode: agencies[Math.floor(random() * agencies.length)] ?? 'A',
      receivingAgencyCode: 'A',
      channel: random() < 0.4 ? 'online' : 'in_person',
      receivedAt: new Date(received).toISOString(),
      dueAt: new Date(due).toISOString(),
      dueHistory: [
        { dueAt: new Date(due).toISOString(), reason: 'initial', effectiveAt: new Date(received).toISOString() },
      ],
      rescheduledDueAt: null,
      waiting: [],
      finishedAt: null,
      finishKind: null,
      outcome: null,
    };
    result.push(base);
    if (finished !== null) {
      result.push({
        ...base,
        version: 2,
        status: 'resolved',
        finishedAt: new Date(finished).toISOString(),
        finishKind: 'resolved',
        outcome: 'approved',
      });
    }
  }
  return result;
}

async function main(): Promise<void> {
  const all = snapshots(Math.ceil(targetFacts / 1.9)).slice(0, targetFacts);
  const facts: DossierFact[] = all.map((dossier) => ({
    kind: 'changed',
    dossierCode: dossier.dossierCode,
    version: dossier.version,
    emittedAt: new Date().toISOString(),
    dossier,
  }));
  const dossiers = new Set(facts.map((fact) => fact.dossierCode)).size;
  const kafka = new Kafka({ clientId: 'bench', brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: `${id}.${DOSSIER_FACTS.name}`, numPartitions: 6 }] });
  await admin.disconnect();
  const producer = kafka.producer();
  await producer.connect();
  for (let start = 0; start < facts.length; start += 2000) {
    await producer.send({
      topic: `${id}.${DOSSIER_FACTS.name}`,
      acks: -1,
      messages: facts.slice(start, start + 2000).map((fact) => encodeMessage(DOSSIER_FACTS, fact.dossierCode, fact)),
    });
  }
  await producer.disconnect();

  const db = await mongoose.createConnection(mongoUrl).asPromise();
  const child = spawn(process.execPath, [resolve(__dirname, '../apps/on-time-rate/src/main.js')], {
    env: {
      ...process.env,
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      PORT: '3103',
      KAFKA_TOPIC_PREFIX: `${id}.`,
      MONGO_URL: mongoUrl,
      QUEUE_PREFIX: id,
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  try {
    const started = performance.now();
    for (;;) {
      const [finals, journals] = await Promise.all([
        db.collection('otr_dossiers').estimatedDocumentCount(),
        db.collection('otr_ledger_buckets').countDocuments({ open: { $ne: null } }),
      ]);
      const settled =
        finals >= dossiers &&
        journals === 0 &&
        (await db.collection('otr_dossiers').countDocuments({ version: 1, 'snapshot.finishedAt': { $ne: null } })) ===
          0;
      if (settled) break;
      process.stderr.write(`\r  ${finals}/${dossiers} dossiers`);
      await new Promise((r) => setTimeout(r, 500));
    }
    const seconds = (performance.now() - started) / 1000;
    const peak = peakRssMb(child.pid);
    process.stderr.write('\n');
    console.log(
      JSON.stringify({
        facts: facts.length,
        dossiers,
        seconds: +seconds.toFixed(2),
        factsPerSecond: Math.round(facts.length / seconds),
        peakRssMb: peak,
        note: 'includes service start-up and group join',
      }),
    );
  } finally {
    child.kill('SIGTERM');
    await db.dropDatabase().catch(() => undefined);
    await db.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
