import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { Registry } from 'prom-client';
import { DOSSIER_EVENTS, type DossierEvent } from '@tthc/contracts';
import { correlationHeaders, TransactionalProducer } from '@tthc/kafka';
import { METRICS_REGISTRY, ProgressMetrics } from '@tthc/observability';
import { ProcessesQueue, type JobDataOf, type QueueJobHandler, type RunningJob } from '@tthc/queue';
import { ReferenceData } from '@tthc/reference';
import { acceptanceStamp, type ReferenceLookup } from '../events/event-checks';
import { checkChunk } from './import-chunk';
import { INTAKE_IMPORTS } from './import.queue';
import { ImportStore, MAX_STORED_REJECTIONS, type ImportDocument } from './import.store';
import { parseCsvHeader, RecordSplitter, type ImportRecord } from './line-parser';

/** What a run of an import reports to BullMQ (`job.progress`) after each chunk. */
export interface ImportProgress {
  total: number;
  processed: number;
  accepted: number;
  rejected: number;
}

/**
 * Runs an import: reads the stored file, and for each chunk of `chunkLines` event lines validates
 * every line like `POST /v1/events`, publishes the valid events under the import's desk in one
 * Kafka transaction (the transactional producer of `POST /v1/events`) and saves the counts with the
 * number of completed chunks. A retried or restarted run skips the completed chunks, so no figure
 * counts a line twice; a chunk whose transaction was aborted left nothing visible and is published
 * again; one committed but not yet recorded as done (a crash in between) is published again, which
 * the (desk, eventId) idempotency of dossier-tracking absorbs. Invalid lines never stop an import;
 * Kafka being unavailable fails the attempt and BullMQ retries it (`INTAKE_IMPORT_ATTEMPTS`).
 */
@ProcessesQueue(INTAKE_IMPORTS)
@Injectable()
export class ImportWorker implements QueueJobHandler<typeof INTAKE_IMPORTS> {
  private readonly logger = new Logger(ImportWorker.name);
  /** `tthc_imports_running`, `tthc_import_rows_processed` / `_expected` / `_processed_total`. */
  private readonly progress: ProgressMetrics;

  constructor(
    private readonly store: ImportStore,
    private readonly producer: TransactionalProducer,
    private readonly reference: ReferenceData,
    @Optional() @Inject(METRICS_REGISTRY) registry?: Registry,
  ) {
    this.progress = new ProgressMetrics(registry ?? new Registry(), 'import', 'rows', 'Imports (event lines)');
  }

  async process(data: JobDataOf<typeof INTAKE_IMPORTS>, job: RunningJob): Promise<ImportProgress | string> {
    const found = await this.store.get(data.importId);
    if (found === null) return 'unknown import';
    if (found.state === 'completed') return 'already completed';
    const startedAt = found.startedAt ?? new Date().toISOString();
    await this.store.update(found._id, { state: 'running', startedAt, error: null });
    this.progress.start(found._id, found.total, found.processed);
    try {
      const progress = await this.run({ ...found, startedAt }, job);
      this.logger.log(
        `import ${found._id}: ${progress.accepted} accepted, ${progress.rejected} rejected of ${progress.total}`,
      );
      return progress;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const last = job.lastAttempt;
      await this.store
        .update(found._id, {
          state: last ? 'failed' : 'queued',
          error: message,
          ...(last ? { finishedAt: new Date().toISOString() } : {}),
        })
        .catch(() => undefined);
      throw error;
    } finally {
      this.progress.finish(found._id);
    }
  }

  private async run(document: ImportDocument, job: RunningJob): Promise<ImportProgress> {
    const state = {
      processed: document.processed,
      accepted: document.accepted,
      rejected: document.rejected,
      rejections: [...document.rejections],
      chunksDone: document.chunksDone,
    };
    const skip = document.chunksDone * document.chunkLines;
    const splitter = new RecordSplitter(document.format);
    let columns: string[] | null = document.format === 'csv' ? null : [];
    let seen = 0;
    let chunk: ImportRecord[] = [];

    const lookup: ReferenceLookup = {
      hasAgency: (code) => this.reference.agency(code) !== undefined,
      hasField: (code) => this.reference.field(code) !== undefined,
      hasProcedure: (code) => this.reference.procedure(code) !== undefined,
    };
    const flush = async () => {
      if (chunk.length === 0) return;
      const { events, rejections } = checkChunk(document.format, columns ?? [], chunk, lookup);
      await this.publish(document.desk, events, document.correlationId);
      state.processed += chunk.length;
      state.accepted += events.length;
      state.rejected += rejections.length;
      state.rejections.push(...rejections.slice(0, Math.max(0, MAX_STORED_REJECTIONS - state.rejections.length)));
      state.chunksDone += 1;
      chunk = [];
      await this.store.update(document._id, { ...state });
      this.progress.advance(document._id, state.processed, document.total);
      await job.updateProgress({ total: document.total, ...pick(state) });
    };
    const take = async (records: readonly ImportRecord[]) => {
      for (const record of records) {
        if (columns === null) {
          const header = parseCsvHeader(record.text);
          if (!header.ok) throw new Error(header.reason); // checked at upload: not expected
          columns = header.columns;
          continue;
        }
        seen += 1;
        if (seen <= skip) continue;
        chunk.push(record);
        if (chunk.length >= document.chunkLines) await flush();
      }
    };

    for await (const part of this.store.read(document.upload)) await take(splitter.push(part));
    await take(splitter.end());
    await flush();
    const finishedAt = new Date().toISOString();
    await this.store.update(document._id, { state: 'completed', finishedAt });
    return { total: document.total, ...pick(state) };
  }

  private async publish(deskId: string, events: readonly DossierEvent[], correlationId?: string): Promise<void> {
    if (events.length === 0) return;
    const acceptedAt = new Date().toISOString();
    const tree = this.reference.agencies();
    // Imports are admin-only: trusted by dossier-tracking's desk-scope rule, whatever the desk name.
    await this.producer.send(
      DOSSIER_EVENTS,
      events.map((event) => ({
        key: event.dossierCode,
        value: { deskId, acceptedAt, event, ...acceptanceStamp(event, 'admin', (code) => tree.ancestry(code)) },
      })),
      correlationId === undefined ? undefined : correlationHeaders(correlationId),
    );
  }
}

function pick(state: { processed: number; accepted: number; rejected: number }) {
  return { processed: state.processed, accepted: state.accepted, rejected: state.rejected };
}
