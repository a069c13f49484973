import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { duplicateKeyIndexes, pagesOf } from '@tthc/persistence';
import { InjectModel } from '@nestjs/mongoose';
import { RetryableError } from '@tthc/kafka';
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

/**
 * A dossier was written by someone else between the read and the write: fold it again. Retryable
 * (contention, not a property of the message): the consumer retries it without counting attempts.
 */
export class ConcurrentWriteError extends RetryableError {}

interface DossierEventEntry {
  id: string;
  deskId: string;
  acceptedAt: string;
  event: DossierEvent;
}

function stateHashOf(record: DossierRecord): string {
  return createHash('sha256')
    .update(JSON.stringify([record.kind, record.state]))
    .digest('hex');
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

  /** Stores the keys of new events; an id stored meanwhile by a concurrent writer is left as it is. */
  async insertEvents(events: readonly NewEvent[]): Promise<void> {
    if (events.length === 0) return;
    await this.events.bulkWrite(
      events.map((event) => ({
        updateOne: {
          filter: { _id: event.id },
          update: {
            $setOnInsert: {
              dossierCode: event.dossierCode,
              contentHash: event.contentHash,
              acceptedAt: event.acceptedAt,
            },
          },
          upsert: true,
        },
      })),
      { ordered: false },
    );
  }

  /**
   * Adds accepted events to their dossier's event list (`tracking_dossier_events`, one document per
   * dossier, so folding reads by `_id`: the MongoDB stand-in uses no secondary index). `$addToSet`
   * makes a redelivered batch add nothing; a re-post accepted at another time adds an entry with
   * the same id, which readers drop.
   */
  async appendToDossiers(events: readonly NewEvent[]): Promise<void> {
    if (events.length === 0) return;
    const byDossier = new Map<string, DossierEventEntry[]>();
    for (const event of events) {
      const list = byDossier.get(event.dossierCode) ?? [];
      list.push({ id: event.id, deskId: event.deskId, acceptedAt: event.acceptedAt, event: event.event });
      byDossier.set(event.dossierCode, list);
    }
    await this.dossierEvents.bulkWrite(
      [...byDossier].map(([code, entries]) => ({
        updateOne: { filter: { _id: code }, update: { $addToSet: { entries: { $each: entries } } }, upsert: true },
      })),
      { ordered: false },
    );
  }

  private async entriesOf(dossierCodes: readonly string[]): Promise<Map<string, DossierEventEntry[]>> {
    const grouped = new Map<string, DossierEventEntry[]>(dossierCodes.map((code) => [code, []]));
    if (dossierCodes.length === 0) return grouped;
    const docs = await this.dossierEvents.find({ _id: { $in: [...dossierCodes] } }).toArray();
    for (const doc of docs) {
      const first = new Map<string, DossierEventEntry>();
      for (const entry of doc.entries) {
        const seen = first.get(entry.id);
        if (seen === undefined || entry.acceptedAt < seen.acceptedAt) first.set(entry.id, entry);
      }
      grouped.set(doc._id, [...first.values()]);
    }
    return grouped;
  }

  /** Every accepted event of the given dossiers (each (desk, eventId) once), grouped by dossier. */
  async eventsOf(dossierCodes: readonly string[]): Promise<Map<string, StoredEvent[]>> {
    const entries = await this.entriesOf(dossierCodes);
    return new Map([...entries].map(([code, list]) => [code, list.map(({ deskId, event }) => ({ deskId, event }))]));
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
    return (await this.entriesOf([code])).get(code) ?? [];
  }

  /**
   * Writes changed dossiers. Each new version is first claimed in `tracking_versions` (`_id` =
   * `code|version`, unique): two writers of one dossier (the event handler and the calendar
   * refold) cannot both write the same version with different states — the loser gets a
   * {@link ConcurrentWriteError} and refolds again (Kafka retry, job retry). A claim of the same
   * state (a retry after a crash) counts as won. Only `_id` filters: the stand-in scans otherwise.
   */
  async saveDossiers(records: readonly DossierRecord[]): Promise<void> {
    if (records.length === 0) return;
    const claims = records.map((record) => ({
      _id: `${record._id}|${record.version}`,
      stateHash: stateHashOf(record),
    }));
    let lost: string[] = [];
    try {
      await this.versions.insertMany(claims, { ordered: false });
    } catch (error) {
      const duplicates = duplicateKeyIndexes(error);
      if (duplicates === null) throw error;
      const contested = duplicates.map((index) => claims[index]).filter((claim) => claim !== undefined);
      const existing = await this.versions.find({ _id: { $in: contested.map((claim) => claim._id) } }).toArray();
      const hashes = new Map(existing.map((claim) => [claim._id, claim.stateHash]));
      lost = contested.filter((claim) => hashes.get(claim._id) !== claim.stateHash).map((claim) => claim._id);
    }
    const won = records.filter((record) => !lost.includes(`${record._id}|${record.version}`));
    if (won.length > 0) {
      await this.dossiers.bulkWrite(
        won.map((record) => ({ replaceOne: { filter: { _id: record._id }, replacement: record, upsert: true } })),
        { ordered: false },
      );
    }
    if (lost.length > 0) {
      throw new ConcurrentWriteError(
        `${lost.length} of ${records.length} dossier version(s) were written meanwhile by another writer`,
      );
    }
  }

  /** Records that the fact of each dossier's version was acknowledged by Kafka. */
  async markPublished(versions: ReadonlyMap<string, number>): Promise<void> {
    if (versions.size === 0) return;
    const current = await this.dossiers
      .find({ _id: { $in: [...versions.keys()] } }, { version: 1 })
      .lean<{ _id: string; version: number }[]>();
    const currentVersion = new Map(current.map((doc) => [doc._id, doc.version]));
    await this.dossiers.bulkWrite(
      [...versions].map(([code, version]) => ({
        updateOne: {
          filter: { _id: code },
          // A newer version written meanwhile keeps owing its fact.
          update:
            currentVersion.get(code) === version
              ? { $set: { factOwed: false }, $max: { publishedVersion: version } }
              : { $max: { publishedVersion: version } },
        },
      })),
      { ordered: false },
    );
  }

  /**
   * Dossiers whose latest version has not been published (after a crash between write and publish),
   * in pages of `pageSize`, from one pass over the collection.
   */
  unpublishedPages(pageSize: number): AsyncGenerator<DossierRecord[]> {
    return pagesOf(
      this.dossiers.find({ factOwed: true }).lean<DossierRecord[]>().cursor({ batchSize: pageSize }),
      pageSize,
    );
  }

  /** Records that the became_overdue notification of this version was published. */
  async markOverdueNotified(code: string, version: number, at: string): Promise<void> {
    const current = await this.dossiers.findById(code, { version: 1 }).lean<{ version: number }>();
    if (current?.version === version) await this.dossiers.updateOne({ _id: code }, { $set: { overdueNotifiedAt: at } });
  }

  /**
   * Received, unfinished, not voided dossiers in pages of `pageSize`, from ONE pass over the
   * collection (a cursor, in no particular order). Not paged by `_id > after` with a sort: the
   * stand-in has no secondary indexes and answers every such page with a full scan and sort, which
   * made a sweep over 2 million dossiers quadratic (docs/performance.md); a real MongoDB does the
   * same single collection scan either way.
   */
  openDossierPages(pageSize: number, withDueOnly: boolean): AsyncGenerator<DossierRecord[]> {
    const filter: Record<string, unknown> = {
      kind: 'dossier',
      'state.finishedAt': null,
      'state.status': { $ne: 'voided' },
    };
    if (withDueOnly) filter['state.dueAt'] = { $ne: null };
    return pagesOf(this.dossiers.find(filter).lean<DossierRecord[]>().cursor({ batchSize: pageSize }), pageSize);
  }

  /** Fingerprint of the calendar the open dossiers were last refolded with (`tracking_meta`). */
  async refoldedCalendar(): Promise<string | null> {
    const doc = await this.meta.findOne({ _id: 'calendar' });
    return doc?.fingerprint ?? null;
  }

  async setRefoldedCalendar(fingerprint: string): Promise<void> {
    await this.meta.replaceOne({ _id: 'calendar' }, { fingerprint }, { upsert: true });
  }

  private get dossierEvents() {
    return this.dossiers.db.collection<{ _id: string; entries: DossierEventEntry[] }>('tracking_dossier_events');
  }

  private get versions() {
    return this.dossiers.db.collection<{ _id: string; stateHash: string }>('tracking_versions');
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
