import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Injectable, Logger } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import { mongo, type Connection } from 'mongoose';
import type { PeriodKind, ScheduledFormat, ScheduledRows } from './plan';
import { COLLECTIONS } from '../collections';

/** GridFS bucket of the files (`rpt_reports.files`, `rpt_reports.chunks`). */
export const REPORTS_BUCKET = COLLECTIONS.reportsBucket;
/** One document per report id, pointing at its current GridFS file. */
export const REPORTS_CATALOG = COLLECTIONS.scheduledReports;

export interface ScheduledReportEntry {
  /** The deterministic report id (`reportIdOf`). */
  _id: string;
  /** The GridFS file holding the current content (`<id>@<generatedAt>`). */
  fileId: string;
  agency: { code: string; name: string };
  period: { from: string; to: string };
  kind: PeriodKind;
  label: string;
  rows: ScheduledRows;
  format: ScheduledFormat;
  filename: string;
  contentType: string;
  bytes: number;
  createdAt: string;
  dataAsOf: string | null;
  /** The BullMQ job that produced it. */
  jobId: string | null;
}

/** Files not referenced by the catalog and older than this are left-overs of a crashed run. */
const ORPHAN_AGE_MS = 60 * 60 * 1000;

/**
 * Scheduled report files in MongoDB GridFS (bucket `rpt_reports`) with a small catalog
 * (`rpt_scheduled_reports`, `_id` = report id). Replacing a report uploads the new file under a
 * fresh GridFS id, then points the catalog entry at it and deletes the old file: a download never
 * sees a half-written file, and a report id has exactly one entry however often it is produced.
 * Works on MongoDB 7 and on the mongo-java-server stand-in (both create the bucket's indexes).
 */
@Injectable()
export class ScheduledReportsStore {
  private readonly logger = new Logger(ScheduledReportsStore.name);

  constructor(@InjectConnection() private readonly connection: Connection) {}

  private cachedBucket: mongo.GridFSBucket | undefined;

  /** One bucket per process (the driver checks the bucket's indexes once per bucket object). */
  private bucket(): mongo.GridFSBucket {
    if (this.cachedBucket !== undefined) return this.cachedBucket;
    const db = this.connection.db;
    if (db === undefined) throw new Error('MongoDB is not connected');
    this.cachedBucket = new mongo.GridFSBucket(db, { bucketName: REPORTS_BUCKET });
    return this.cachedBucket;
  }

  private get catalog() {
    return this.connection.collection<ScheduledReportEntry>(REPORTS_CATALOG);
  }

  /** Stores `content` as the report `entry._id`, replacing an earlier file of the same id. */
  async save(entry: Omit<ScheduledReportEntry, 'fileId' | 'bytes'>, content: Buffer): Promise<void> {
    const fileId = `${entry._id}@${entry.createdAt}`;
    const bucket = this.bucket();
    await pipeline(
      Readable.from([content]),
      bucket.openUploadStreamWithId(fileId as unknown as mongo.ObjectId, entry.filename, {
        metadata: { reportId: entry._id, contentType: entry.contentType },
      }),
    );
    const { _id, ...fields } = entry;
    const previous = await this.catalog.findOneAndUpdate(
      { _id },
      { $set: { ...fields, fileId, bytes: content.length } },
      { upsert: true, returnDocument: 'before' },
    );
    if (previous !== null && previous.fileId !== fileId) await this.deleteFile(bucket, previous.fileId);
  }

  private async deleteFile(bucket: mongo.GridFSBucket, fileId: string): Promise<void> {
    try {
      await bucket.delete(fileId as unknown as mongo.ObjectId);
    } catch (error) {
      // Already gone (a concurrent run replaced it first): nothing to do.
      this.logger.debug(`deleting ${fileId}: ${(error as Error).message}`);
    }
  }

  /** Every catalog entry (a scan: one entry per province, period, rows and format). */
  async list(): Promise<ScheduledReportEntry[]> {
    return this.catalog.find({}).toArray();
  }

  async entry(id: string): Promise<ScheduledReportEntry | null> {
    return this.catalog.findOne({ _id: id });
  }

  /**
   * The current entry of a report and its file's content, or null for an unknown id. When a
   * concurrent run replaced the file between reading the entry and the file, reads the new entry.
   */
  async read(id: string): Promise<{ entry: ScheduledReportEntry; content: Buffer } | null> {
    for (let attempt = 1; ; attempt++) {
      const entry = await this.entry(id);
      if (entry === null) return null;
      try {
        const chunks: Buffer[] = [];
        for await (const chunk of this.bucket().openDownloadStream(entry.fileId as unknown as mongo.ObjectId)) {
          chunks.push(chunk as Buffer);
        }
        return { entry, content: Buffer.concat(chunks) };
      } catch (error) {
        if (attempt >= 3 || !/FileNotFound|not found/i.test(String(error))) throw error;
      }
    }
  }

  /** Deletes files no catalog entry points at, older than an hour (left by a run that crashed between upload and swap). */
  async removeOrphans(now = Date.now()): Promise<number> {
    const bucket = this.bucket();
    const referenced = new Set(
      (await this.catalog.find({}, { projection: { fileId: 1 } }).toArray()).map((e) => e.fileId),
    );
    const files = await bucket.find({}, { projection: { _id: 1, uploadDate: 1 } }).toArray();
    let removed = 0;
    for (const file of files) {
      const id = file._id as unknown as string;
      if (referenced.has(id) || now - file.uploadDate.getTime() < ORPHAN_AGE_MS) continue;
      await this.deleteFile(bucket, id);
      removed += 1;
    }
    return removed;
  }
}
