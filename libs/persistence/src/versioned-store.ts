import type { Model } from 'mongoose';
import { newestVersions } from './newest-versions';

export interface VersionedDocument {
  _id: string;
  version: number;
}

/**
 * Stores per-key documents that carry a version (a dossier's snapshot, say), keeping for each key
 * the highest version ever seen: a batch is reduced to its newest version per key, compared with
 * what is stored, and only newer ones are written. Redelivery and replays change nothing.
 */
export class VersionedStore<T extends VersionedDocument> {
  constructor(private readonly model: Model<T>) {}

  async versionsOf(ids: readonly string[]): Promise<Map<string, number>> {
    if (ids.length === 0) return new Map();
    const docs = await this.model
      .find({ _id: { $in: ids } }, { version: 1 })
      .lean<VersionedDocument[]>()
      .exec();
    return new Map(docs.map((doc) => [doc._id, doc.version]));
  }

  /** Writes the documents that are newer than the stored ones; returns those written. */
  async saveNewer(documents: readonly T[]): Promise<T[]> {
    const stored = await this.versionsOf([...new Set(documents.map((doc) => doc._id))]);
    const newer = newestVersions(
      documents,
      (doc) => doc._id,
      (doc) => doc.version,
      stored,
    );
    if (newer.length > 0) {
      await this.model.bulkWrite(
        newer.map((doc) => ({ replaceOne: { filter: { _id: doc._id }, replacement: doc, upsert: true } })) as never,
        { ordered: false },
      );
    }
    return newer;
  }
}
