import { Registry } from 'prom-client';
import type { RunningJob } from '@tthc/queue';
import type { TransactionalProducer } from '@tthc/kafka';
import { AgencyTree, type ReferenceData } from '@tthc/reference';
import type { ImportDocument, ImportStore } from './import.store';
import { ImportWorker } from './import.worker';

const event = (n: number) =>
  JSON.stringify({
    eventId: `e-${n}`,
    type: 'dossier.resumed',
    occurredAt: '2017-03-14T09:12:00+07:00',
    dossierCode: `D-${n}`,
  });

/** 7 lines: 5 valid, lines 3 and 6 invalid; chunks of 3 lines. */
const FILE = [1, 2, 0, 4, 5, 0, 7].map((n) => (n === 0 ? 'not json' : event(n))).join('\n');

function setup(failOnSend: number[], registry?: Registry) {
  let document: ImportDocument = {
    _id: 'imp-1',
    sha256: 'x',
    desk: 'import',
    format: 'ndjson',
    bytes: FILE.length,
    state: 'queued',
    total: 7,
    processed: 0,
    accepted: 0,
    rejected: 0,
    rejections: [],
    chunkLines: 3,
    chunksDone: 0,
    upload: { id: 'u', parts: 2 },
    runs: 1,
    createdAt: '2026-01-01T00:00:00.000Z',
    startedAt: null,
    finishedAt: null,
    error: null,
  };
  const bytes = Buffer.from(FILE);
  const store = {
    get: () => Promise.resolve(document),
    update: (_id: string, changes: Partial<ImportDocument>) => {
      document = { ...document, ...changes };
      return Promise.resolve();
    },
    async *read() {
      await Promise.resolve();
      yield bytes.subarray(0, 50);
      yield bytes.subarray(50);
    },
  };
  const sent: string[] = [];
  let sends = 0;
  const producer = {
    send: (_topic: unknown, messages: { value: { deskId: string; event: { eventId: string } } }[]) => {
      sends += 1;
      if (failOnSend.includes(sends)) return Promise.reject(new Error('Kafka unavailable'));
      sent.push(...messages.map((m) => `${m.value.deskId}|${m.value.event.eventId}`));
      return Promise.resolve();
    },
  };
  const worker = new ImportWorker(
    store as unknown as ImportStore,
    producer as unknown as TransactionalProducer,
    { agencies: () => new AgencyTree([]) } as unknown as ReferenceData,
    registry,
  );
  const job = (attemptsMade: number): RunningJob => ({
    id: 'import-run1',
    attemptsMade,
    attempts: 2,
    lastAttempt: attemptsMade + 1 >= 2,
    plannedAt: 0,
    updateProgress: () => Promise.resolve(),
    retryAt: () => Promise.reject(new Error('not used by imports')),
  });
  return { worker, job, sent, document: () => document };
}

describe('ImportWorker', () => {
  it('counts every line once and stores the rejections', async () => {
    const { worker, job, sent, document } = setup([]);
    await expect(worker.process({ importId: 'imp-1' }, job(0))).resolves.toEqual({
      total: 7,
      processed: 7,
      accepted: 5,
      rejected: 2,
    });
    expect(sent).toEqual(['e-1', 'e-2', 'e-4', 'e-5', 'e-7'].map((id) => `import|${id}`));
    expect(document()).toMatchObject({ state: 'completed', chunksDone: 3, error: null });
    expect(document().rejections.map((r) => r.line)).toEqual([3, 6]);
  });

  it('resumes after a failed attempt from the last completed chunk without double-counting', async () => {
    const { worker, job, sent, document } = setup([2]);
    await expect(worker.process({ importId: 'imp-1' }, job(0))).rejects.toThrow(/Kafka unavailable/);
    expect(document()).toMatchObject({ state: 'queued', chunksDone: 1, processed: 3, error: 'Kafka unavailable' });
    await worker.process({ importId: 'imp-1' }, job(1));
    expect(document()).toMatchObject({ state: 'completed', processed: 7, accepted: 5, rejected: 2, error: null });
    expect(document().rejections.map((r) => r.line)).toEqual([3, 6]);
    expect(sent).toEqual(['e-1', 'e-2', 'e-4', 'e-5', 'e-7'].map((id) => `import|${id}`));
  });

  it('exports its progress: rows counted once across a resumed attempt, nothing running afterwards', async () => {
    const registry = new Registry();
    const { worker, job } = setup([2], registry);
    const value = async (name: string) => (await registry.getSingleMetric(name)?.get())?.values[0]?.value;
    await expect(worker.process({ importId: 'imp-1' }, job(0))).rejects.toThrow(/Kafka unavailable/);
    expect(await value('tthc_import_rows_processed_total')).toBe(3);
    expect(await value('tthc_imports_running')).toBe(0);
    await worker.process({ importId: 'imp-1' }, job(1));
    expect(await value('tthc_import_rows_processed_total')).toBe(7);
    expect(await value('tthc_import_rows_processed')).toBe(0);
  });

  it('marks the import failed after its last attempt', async () => {
    const { worker, job, document } = setup([1]);
    await expect(worker.process({ importId: 'imp-1' }, job(1))).rejects.toThrow();
    expect(document()).toMatchObject({ state: 'failed', processed: 0 });
    expect(document().finishedAt).not.toBeNull();
  });
});
