import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import type { DossierEvent } from '@tthc/contracts';
import type { DataQualityIssue, StoredEvent } from '../domain/fold';
import { DataQualityRecord, DossierRecord, TrackedEvent } from './schemas';

export interface NewEvent {
  id: string;
  dossierCode: string;
  deskId: string;
  contentHash: string;
  event: DossierEvent;
  acceptedAt: string;
}

export type QualityEntry = DataQualityIssue | (Omit<DataQualityIssue, 'kind'> & { kind: 'conflicting_duplicate' });

/** All MongoDB I/O of dossier-tracking, in batches. */
@Injectable()
export class TrackingRepository {
  constructor(
    @InjectModel(TrackedEvent.name) private readonly events: Model<TrackedEvent>,
    @InjectModel(DossierRecord.name) private readonly dossiers: Model<DossierRecord>,
    @InjectModel(DataQualityRecord.name) private readonly quality: Model<DataQualityRecord>,
  ) {}

  /** Content hashes of the events already stored among `ids`. */
  async existingHashes(ids: readonly string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const found = await this.events
      .find({ _id: { $in: ids } }, { contentHash: 1 })
      .lean<{ _id: string; contentHash: string }[]>();
    return new Map(found.map((doc) => [doc._id, doc.contentHash]));
  }

  /** Stores new events; an id stored meanwhile by a concurrent writer is left as it is. */
  async insertEvents(events: readonly NewEvent[]): Promise<void> {
    if (events.length === 0) return;
    await this.events.bulkWrite(
      events.map((event) => ({
        updateOne: {
          filter: { _id: event.id },
          update: {
            $setOnInsert: {
              dossierCode: event.dossierCode,
              deskId: event.deskId,
              contentHash: event.contentHash,
              event: event.event,
              acceptedAt: event.acceptedAt,
            },
          },
          upsert: true,
        },
      })),
      { ordered: false },
    );
  }

  /** Every stored event of the given dossiers, grouped by dossier. */
  async eventsOf(dossierCodes: readonly string[]): Promise<Map<string, StoredEvent[]>> {
    const grouped = new Map<string, StoredEvent[]>(dossierCodes.map((code) => [code, []]));
    if (dossierCodes.length === 0) return grouped;
    const docs = await this.events
      .find({ dossierCode: { $in: dossierCodes } }, { dossierCode: 1, deskId: 1, event: 1 })
      .lean<{ dossierCode: string; deskId: string; event: DossierEvent }[]>();
    for (const doc of docs) grouped.get(doc.dossierCode)?.push({ deskId: doc.deskId, event: doc.event });
    return grouped;
  }

  async dossiersByCode(dossierCodes: readonly string[]): Promise<Map<string, DossierRecord>> {
    if (dossierCodes.length === 0) return new Map();
    const docs = await this.dossiers.find({ _id: { $in: dossierCodes } }).lean<DossierRecord[]>();
    return new Map(docs.map((doc) => [doc._id, doc]));
  }

  async findDossier(code: string): Promise<DossierRecord | null> {
    return this.dossiers.findById(code).lean<DossierRecord>();
  }

  async timelineOf(code: string): Promise<{ deskId: string; event: DossierEvent; acceptedAt: string }[]> {
    return this.events
      .find({ dossierCode: code }, { deskId: 1, event: 1, acceptedAt: 1 })
      .lean<{ deskId: string; event: DossierEvent; acceptedAt: string }[]>();
  }

  /** Writes changed dossiers; each replaces the stored document only if its version is the expected one. */
  async saveDossiers(records: readonly DossierRecord[]): Promise<void> {
    if (records.length === 0) return;
    await this.dossiers.bulkWrite(
      records.map((record) => ({ replaceOne: { filter: { _id: record._id }, replacement: record, upsert: true } })),
      { ordered: false },
    );
  }

  /** Records that the fact of each dossier's version was acknowledged by Kafka. */
  async markPublished(versions: ReadonlyMap<string, number>): Promise<void> {
    if (versions.size === 0) return;
    await this.dossiers.bulkWrite(
      [...versions].map(([code, version]) => ({
        updateOne: {
          // Only if no newer version was written meanwhile: that one still owes its fact.
          filter: { _id: code, version },
          update: { $set: { publishedVersion: version, factOwed: false } },
        },
      })),
      { ordered: false },
    );
  }

  /** Dossiers whose latest version has not been published (after a crash between write and publish). */
  async unpublished(limit: number): Promise<DossierRecord[]> {
    return this.dossiers.find({ factOwed: true }).limit(limit).lean<DossierRecord[]>();
  }

  async recordQuality(entries: readonly QualityEntry[], now: string): Promise<void> {
    if (entries.length === 0) return;
    await this.quality.bulkWrite(
      entries.map((entry) => ({
        updateOne: {
          filter: { _id: `${entry.kind}|${entry.deskId}|${entry.eventId}` },
          update: { $setOnInsert: { ...entry, firstSeenAt: now } },
          upsert: true,
        },
      })),
      { ordered: false },
    );
  }

  async listQuality(limit: number, offset: number): Promise<{ total: number; items: DataQualityRecord[] }> {
    const [total, items] = await Promise.all([
      this.quality.countDocuments({}),
      this.quality.find({}).sort({ firstSeenAt: 1, _id: 1 }).skip(offset).limit(limit).lean<DataQualityRecord[]>(),
    ]);
    return { total, items };
  }
}
