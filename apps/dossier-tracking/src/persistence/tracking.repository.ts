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

/** A dossier was written by someone else between the read and the write: fold it again. */
export class ConcurrentWriteError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConcurrentWriteError';
  }
}

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

  /**
   * Writes changed dossiers; each replaces the stored document only if its version is the expected
   * one (`version - 1`; version 1 only if there is none). Two writers of one dossier (the event
   * handler and the calendar refold) cannot both write the same version: the loser gets a
   * {@link ConcurrentWriteError} and refolds again (Kafka retry, job retry).
   */
  async saveDossiers(records: readonly DossierRecord[]): Promise<void> {
    if (records.length === 0) return;
    const result = await this.dossiers.bulkWrite(
      records.map(({ _id, ...fields }) =>
        fields.version === 1
          ? { updateOne: { filter: { _id }, update: { $setOnInsert: fields }, upsert: true } }
          : { replaceOne: { filter: { _id, version: fields.version - 1 }, replacement: { _id, ...fields } } },
      ),
      { ordered: false },
    );
    const written = result.upsertedCount + result.modifiedCount;
    if (written !== records.length) {
      throw new ConcurrentWriteError(
        `${records.length - written} of ${records.length} dossier(s) were written meanwhile by another writer`,
      );
    }
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

  /** Records that the became_overdue notification of this version was published. */
  async markOverdueNotified(code: string, version: number, at: string): Promise<void> {
    await this.dossiers.updateOne({ _id: code, version }, { $set: { overdueNotifiedAt: at } });
  }

  /** A page of received, unfinished, not voided dossiers (by code, after `afterCode`). */
  async openDossiers(afterCode: string | null, limit: number, withDueOnly: boolean): Promise<DossierRecord[]> {
    const filter: Record<string, unknown> = {
      kind: 'dossier',
      'state.finishedAt': null,
      'state.status': { $ne: 'voided' },
    };
    if (withDueOnly) filter['state.dueAt'] = { $ne: null };
    if (afterCode !== null) filter._id = { $gt: afterCode };
    return this.dossiers.find(filter).sort({ _id: 1 }).limit(limit).lean<DossierRecord[]>();
  }

  /** Fingerprint of the calendar the open dossiers were last refolded with (`tracking_meta`). */
  async refoldedCalendar(): Promise<string | null> {
    const doc = await this.meta.findOne({ _id: 'calendar' });
    return doc?.fingerprint ?? null;
  }

  async setRefoldedCalendar(fingerprint: string): Promise<void> {
    await this.meta.replaceOne({ _id: 'calendar' }, { fingerprint }, { upsert: true });
  }

  private get meta() {
    return this.dossiers.db.collection<{ _id: string; fingerprint: string }>('tracking_meta');
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
