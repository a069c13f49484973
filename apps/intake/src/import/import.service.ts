import { createHash, randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@tthc/config';
import { EVENT_ID_PATTERN } from '@tthc/contracts';
import { problem, ProblemException } from '@tthc/http';
import { currentRequestId } from '@tthc/observability';
import { QueueService } from '@tthc/queue';
import { INTAKE_IMPORTS } from './import.queue';
import { ImportStore, type ImportDocument, type ImportRejection, type ImportState } from './import.store';
import { parseCsvHeader, RecordSplitter, type ImportFormat, type ImportRecord } from './line-parser';

/** The desk identity imported events are recorded under when the upload names none. */
export const DEFAULT_IMPORT_DESK = 'import';
/** Uploaded bytes are stored in parts of about this size. */
const PART_BYTES = 1024 * 1024;

/** An import as the API shows it. */
export interface ImportView {
  id: string;
  desk: string;
  format: ImportFormat;
  sha256: string;
  bytes: number;
  state: ImportState;
  total: number;
  processed: number;
  accepted: number;
  rejected: number;
  percent: number;
  /** First rejected lines (at most 1000; `rejected` is the full count). */
  rejections?: ImportRejection[];
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  error: string | null;
}

export function viewOf(document: Omit<ImportDocument, 'rejections'> & { rejections?: ImportRejection[] }): ImportView {
  const view: ImportView = {
    id: document._id,
    desk: document.desk,
    format: document.format,
    sha256: document.sha256,
    bytes: document.bytes,
    state: document.state,
    total: document.total,
    processed: document.processed,
    accepted: document.accepted,
    rejected: document.rejected,
    percent: document.total === 0 ? 100 : Math.floor((document.processed * 100) / document.total),
    createdAt: document.createdAt,
    startedAt: document.startedAt,
    finishedAt: document.finishedAt,
    error: document.error,
  };
  if (document.rejections !== undefined) view.rejections = document.rejections;
  return view;
}

/** The import id of a file uploaded for a desk: the same file for the same desk is one import. */
export function importIdOf(desk: string, sha256: string): string {
  return `imp-${createHash('sha256').update(`${desk}\n${sha256}`).digest('hex').slice(0, 32)}`;
}

/**
 * Accepts uploads of history files: streams them into MongoDB while hashing them and counting
 * their lines, creates the import (or finds the one of the same file and desk) and queues its job.
 */
@Injectable()
export class ImportService {
  private readonly logger = new Logger(ImportService.name);

  constructor(
    private readonly store: ImportStore,
    private readonly queues: QueueService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async upload(
    format: ImportFormat,
    deskParameter: string | undefined,
    body: AsyncIterable<Buffer | string> | Buffer,
    declaredBytes?: number,
  ): Promise<{ created: boolean; view: ImportView }> {
    const desk = deskParameter ?? DEFAULT_IMPORT_DESK;
    if (!EVENT_ID_PATTERN.test(desk)) {
      throw new ProblemException(problem(400, 'desk must be 1-128 characters of [A-Za-z0-9._:-]'));
    }
    const { maxBytes, chunkLines, attempts } = this.config.imports;
    if (declaredBytes !== undefined && declaredBytes > maxBytes) throw tooLarge(maxBytes);

    const uploadId = randomUUID();
    const hash = createHash('sha256');
    const splitter = new RecordSplitter(format);
    let header: string[] | null = format === 'csv' ? null : [];
    let total = 0;
    let bytes = 0;
    let parts = 0;
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    const count = (records: readonly ImportRecord[]) => {
      for (const record of records) {
        if (header !== null) {
          total += 1;
          continue;
        }
        const parsed = parseCsvHeader(record.text);
        if (!parsed.ok) throw new ProblemException(problem(400, `line ${record.line}: ${parsed.reason}`));
        header = parsed.columns;
      }
    };
    const flush = async () => {
      if (pendingBytes === 0) return;
      const data = Buffer.concat(pending);
      pending = [];
      pendingBytes = 0;
      await this.store.savePart(uploadId, parts, data);
      parts += 1;
    };
    try {
      for await (const piece of Buffer.isBuffer(body) ? [body] : body) {
        const chunk = typeof piece === 'string' ? Buffer.from(piece) : piece;
        bytes += chunk.length;
        if (bytes > maxBytes) throw tooLarge(maxBytes);
        hash.update(chunk);
        count(splitter.push(chunk));
        pending.push(chunk);
        pendingBytes += chunk.length;
        if (pendingBytes >= PART_BYTES) await flush();
      }
      count(splitter.end());
      if (header === null) throw new ProblemException(problem(400, 'the CSV upload has no header row'));
      if (total === 0) throw new ProblemException(problem(400, 'the upload carries no event line'));
      await flush();
    } catch (error) {
      await this.store.deleteParts(uploadId, parts).catch(() => undefined);
      throw error;
    }

    const sha256 = hash.digest('hex');
    const id = importIdOf(desk, sha256);
    const document: ImportDocument = {
      _id: id,
      sha256,
      desk,
      format,
      bytes,
      state: 'queued',
      total,
      processed: 0,
      accepted: 0,
      rejected: 0,
      rejections: [],
      chunkLines,
      chunksDone: 0,
      upload: { id: uploadId, parts },
      runs: 1,
      createdAt: new Date().toISOString(),
      startedAt: null,
      finishedAt: null,
      error: null,
    };
    const correlationId = currentRequestId();
    if (correlationId !== undefined) document.correlationId = correlationId;
    if (await this.store.create(document)) {
      await this.enqueue(id, 1, attempts);
      this.logger.log(`import ${id}: ${total} line(s) of ${format} for desk ${desk} queued`);
      return { created: true, view: viewOf(document) };
    }
    // The same file for the same desk: nothing new to count. Its bytes are stored already.
    await this.store.deleteParts(uploadId, parts);
    const existing = await this.store.get(id);
    if (existing === null) throw new Error(`import ${id} vanished`);
    return { created: false, view: viewOf(await this.resumeIfStuck(existing, attempts)) };
  }

  /**
   * A re-upload of a failed import runs it again (from its last completed chunk); one still queued
   * gets its job re-added in case the process stopped between storing the import and queueing it
   * (BullMQ ignores a job id it already holds).
   */
  private async resumeIfStuck(existing: ImportDocument, attempts: number): Promise<ImportDocument> {
    if (existing.state === 'failed') {
      const runs = existing.runs + 1;
      await this.store.update(existing._id, { state: 'queued', runs, finishedAt: null });
      await this.enqueue(existing._id, runs, attempts);
      return { ...existing, state: 'queued', runs, finishedAt: null };
    }
    if (existing.state === 'queued') await this.enqueue(existing._id, existing.runs, attempts);
    return existing;
  }

  private async enqueue(id: string, run: number, attempts: number): Promise<void> {
    await this.queues.add(
      INTAKE_IMPORTS,
      'import',
      { importId: id },
      {
        id: `${id}-run${run}`,
        attempts,
        backoff: { type: 'exponential', delay: 2000 },
        removeOnComplete: 1000,
        removeOnFail: 1000,
      },
    );
  }

  async get(id: string): Promise<ImportView> {
    const found = await this.store.get(id);
    if (found === null) throw new ProblemException(problem(404, `no import ${id}`));
    return viewOf(found);
  }

  async list(): Promise<ImportView[]> {
    return (await this.store.list()).map(viewOf);
  }
}

function tooLarge(maxBytes: number): ProblemException {
  return new ProblemException(problem(413, `the upload is larger than ${maxBytes} bytes`));
}
