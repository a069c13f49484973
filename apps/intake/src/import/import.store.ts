import { Injectable } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import type { Connection, mongo } from 'mongoose';
import type { ImportFormat } from './line-parser';
import { COLLECTIONS } from '../collections';

export type ImportState = 'queued' | 'running' | 'completed' | 'failed';

/** A rejected line of an import: its 1-based line number in the file and why. */
export interface ImportRejection {
  line: number;
  reason: string;
}

/** Rejected lines whose reasons are stored (the count goes on beyond it). */
export const MAX_STORED_REJECTIONS = 1000;

/** An import in `intake_imports` (`_id` = import id, derived from desk and file hash). */
export interface ImportDocument {
  _id: string;
  sha256: string;
  desk: string;
  format: ImportFormat;
  bytes: number;
  state: ImportState;
  /** Event lines of the file (CSV: without the header row; blank lines do not count). */
  total: number;
  processed: number;
  accepted: number;
  rejected: number;
  /** The first MAX_STORED_REJECTIONS rejected lines. */
  rejections: ImportRejection[];
  /** Lines per chunk, fixed for the life of the import so a resumed run sees the same chunks. */
  chunkLines: number;
  /** Chunks completed: a resumed run skips their lines; the counts above include exactly them. */
  chunksDone: number;
  /** Where the uploaded bytes are: `intake_import_parts`, `_id` = `<uploadId>:<n>`, n < parts. */
  upload: { id: string; parts: number };
  /** Jobs requested for this import (a failed import is run again by re-uploading it). */
  runs: number;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  /** Why the last attempt failed (cleared when an attempt starts). */
  error: string | null;
  /** Request id of the upload: the events published carry it as their correlation id (absent on older imports). */
  correlationId?: string;
}

interface UploadPart {
  _id: string;
  data: mongo.Binary | Buffer;
}

export function partId(uploadId: string, n: number): string {
  return `${uploadId}:${String(n).padStart(6, '0')}`;
}

/**
 * Imports and their uploaded bytes in MongoDB. Every read and write filters on `_id` alone (the
 * stand-in scans the collection for any other filter), except the list of imports.
 */
@Injectable()
export class ImportStore {
  constructor(@InjectConnection() private readonly connection: Connection) {}

  private get imports() {
    return this.connection.collection<ImportDocument>(COLLECTIONS.imports);
  }

  private get parts() {
    return this.connection.collection<UploadPart>(COLLECTIONS.importParts);
  }

  async savePart(uploadId: string, n: number, data: Buffer): Promise<void> {
    await this.parts.insertOne({ _id: partId(uploadId, n), data });
  }

  async deleteParts(uploadId: string, count: number): Promise<void> {
    if (count === 0) return;
    const ids = Array.from({ length: count }, (_, n) => partId(uploadId, n));
    await this.parts.deleteMany({ _id: { $in: ids } });
  }

  /** The uploaded bytes, part by part. */
  async *read(upload: ImportDocument['upload']): AsyncGenerator<Buffer> {
    for (let n = 0; n < upload.parts; n++) {
      const part = await this.parts.findOne({ _id: partId(upload.id, n) });
      if (part === null) throw new Error(`upload part ${partId(upload.id, n)} is missing`);
      yield Buffer.isBuffer(part.data) ? part.data : Buffer.from(part.data.buffer);
    }
  }

  /** Inserts a new import; false when one with this id exists already. */
  async create(document: ImportDocument): Promise<boolean> {
    try {
      await this.imports.insertOne(document);
      return true;
    } catch (error) {
      if ((error as { code?: number }).code === 11000) return false;
      throw error;
    }
  }

  async get(id: string): Promise<ImportDocument | null> {
    return this.imports.findOne({ _id: id });
  }

  async update(id: string, changes: Partial<Omit<ImportDocument, '_id'>>): Promise<void> {
    await this.imports.updateOne({ _id: id }, { $set: changes });
  }

  /** Every import without its rejection reasons, newest first (a small collection). */
  async list(): Promise<Omit<ImportDocument, 'rejections'>[]> {
    const found = await this.imports.find({}, { projection: { rejections: 0 } }).toArray();
    return found.sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0));
  }
}
