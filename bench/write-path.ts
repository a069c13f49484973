/**
 * Write-path benchmark: intake acceptance rate (NDJSON batches of 1,000) and dossier-tracking
 * fold rate, each measured alone, against the running local infrastructure.
 *
 *   npm run build && node dist/bench/write-path.js --events 100000 [--concurrency 4]
 *
 * The services run as separate processes from dist/ (as in production), in their own namespace
 * (topic prefix, database, queue prefix), on ports 3101 (intake) and 3102 (dossier-tracking).
 * Phase 1 posts every event to intake with dossier-tracking stopped; phase 2 starts
 * dossier-tracking and measures how fast it folds the backlog (stored events and settled dossiers).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import mongoose from 'mongoose';
import { generateDossierEvents, generatedReference } from '../libs/testing/src/generator';
import { benchArgs, benchMongoUrl, waitReady, peakRssMb } from './support';

const args = benchArgs();
const targetEvents = Number(args.get('events') ?? '10000');
const concurrency = Number(args.get('concurrency') ?? '4');
const id = `bench${randomBytes(3).toString('hex')}`;
const adminKey = 'bench-admin-key-0123456789';
const mongoUrl = benchMongoUrl(id);
const env = {
  ...process.env,
  NODE_ENV: 'test',
  LOG_LEVEL: 'warn',
  KAFKA_TOPIC_PREFIX: `${id}.`,
  MONGO_URL: mongoUrl,
  QUEUE_PREFIX: id,
  TTHC_ADMIN_KEY: adminKey,
};

function startService(name: string, port: number): ChildProcess {
  const child = spawn(process.execPath, [resolve(__dirname, `../apps/${name}/src/main.js`)], {
    env: { ...env, PORT: String(port) },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  return child;
}

async function put(path: string, body: unknown): Promise<void> {
  const answer = await fetch(`http://127.0.0.1:3101${path}`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (answer.status !== 200) throw new Error(`PUT ${path}: ${answer.status} ${await answer.text()}`);
}

async function main(): Promise<void> {
  // ~3 events a dossier on average: generate enough dossiers, then cut to the target.
  const events = generateDossierEvents(42, Math.ceil(targetEvents / 2.5), 'B').slice(0, targetEvents);
  const batches: string[] = [];
  for (let start = 0; start < events.length; start += 1000) {
    batches.push(
      events
        .slice(start, start + 1000)
        .map((event) => JSON.stringify(event))
        .join('\n'),
    );
  }
  const intake = startService('intake', 3101);
  let tracking: ChildProcess | undefined;
  const db = await mongoose.createConnection(mongoUrl).asPromise();
  try {
    await waitReady(3101);
    const reference = generatedReference();
    await put('/v1/reference/agencies', reference.agencies);
    await put('/v1/reference/fields', reference.fields);
    await put('/v1/reference/procedures', reference.procedures);

    let next = 0;
    const intakeStart = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < batches.length) {
          const body = batches[next++] ?? '';
          const answer = await fetch('http://127.0.0.1:3101/v1/events', {
            method: 'POST',
            headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/x-ndjson' },
            body,
          });
          if (answer.status !== 202) throw new Error(`POST /v1/events: ${answer.status} ${await answer.text()}`);
        }
      }),
    );
    const intakeSeconds = (performance.now() - intakeStart) / 1000;

    tracking = startService('dossier-tracking', 3102);
    await waitReady(3102);
    const foldStart = performance.now();
    const dossiers = new Set(events.map((event) => event.dossierCode)).size;
    for (;;) {
      const [stored, owed, written] = await Promise.all([
        db.collection('tracking_events').estimatedDocumentCount(),
        db.collection('tracking_dossiers').countDocuments({ factOwed: true }),
        db.collection('tracking_dossiers').estimatedDocumentCount(),
      ]);
      if (stored >= events.length && written >= dossiers && owed === 0) break;
      process.stderr.write(`\r  folded ${stored}/${events.length} events`);
      await new Promise((r) => setTimeout(r, 1000));
    }
    const foldSeconds = (performance.now() - foldStart) / 1000;
    const result = {
      events: events.length,
      dossiers,
      intake: {
        seconds: +intakeSeconds.toFixed(2),
        eventsPerSecond: Math.round(events.length / intakeSeconds),
        peakRssMb: peakRssMb(intake.pid),
      },
      tracking: {
        seconds: +foldSeconds.toFixed(2),
        eventsPerSecond: Math.round(events.length / foldSeconds),
        peakRssMb: peakRssMb(tracking.pid),
      },
    };
    process.stderr.write('\n');
    console.log(JSON.stringify(result));
  } finally {
    intake.kill('SIGTERM');
    tracking?.kill('SIGTERM');
    await db.dropDatabase().catch(() => undefined);
    await db.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
