import { Injectable } from '@nestjs/common';
import { canonicalJson, duplicateKeyIndexes, pagesOf } from '@tthc/persistence';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import type { AgencyAncestry, DeskScope, DossierEvent } from '@tthc/contracts';
import type { DataQualityIssue, StoredEvent } from '../domain/fold';
import { DataQualityRecord, DossierRecord, TrackedEvent } from './schemas';
import { COLLECTIONS } from '../collections';

export interface NewEvent {
  id: string;
  dossierCode: string;
  deskId: string;
  contentHash: string;
  event: DossierEvent;
  acceptedAt: string;
  /** Intake's stamps (desk scope), when the envelope carried them. */
  scope?: DeskScope;
  agencyAncestry?: AgencyAncestry;
  /** Correlation id of the desk request the event came in (Kafka header), when it carried one. */
  correlationId?: string;
}

export type QualityEntry = DataQualityIssue | (Omit<DataQualityIssue, 'kind'> & { kind: 'conflicting_duplicate' });

/** A new dossier version and the record its writer folded it over (undefined: none was stored). */
export interface DossierWrite {
  next: DossierRecord;
  read: DossierRecord | undefined;
}

/** What {@link TrackingRepository.saveDossiers} wrote, and the codes whose write was lost. */
export interface SaveResult {
  written: DossierRecord[];
  lost: string[];
}

/** The compare-and-set filter of a write over `read`: the record as it was read. */
export function fenceOf(read: DossierRecord): Record<string, unknown> {
  return {
    _id: read._id,
    version: read.version,
    publishedVersion: read.publishedVersion,
    overdueNotifiedAt: read.overdueNotifiedAt ?? { $exists: false },
  };
}

interface DossierEventEntry {
  id: string;
  deskId: string;
  acceptedAt: string;
  event: DossierEvent;
  scope?: DeskScope;
  agencyAncestry?: AgencyAncestry;
  /** Absent on entries stored before correlation ids were kept, and for messages without one. */
  correlationId?: string;
}

/** One entry of a dossier's timeline: the event, its desk, when and in which request it was accepted. */
export interface TimelineEntry {
  deskId: string;
  event: DossierEvent;
  acceptedAt: string;
  correlationId?: string;
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
      list.push({
        id: event.id,
        deskId: event.deskId,
        acceptedAt: event.acceptedAt,
        event: event.event,
        // Only when stamped, so entries of unstamped envelopes stay as they were ($addToSet compares whole entries).
        ...(event.scope === undefined ? {} : { scope: event.scope }),
        ...(event.agencyAncestry === undefined ? {} : { agencyAncestry: event.agencyAncestry }),
        ...(event.correlationId === undefined ? {} : { correlationId: event.correlationId }),
      });
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

  /**
   * Every accepted event of the given dossiers (each (desk, eventId) once, as first accepted),
   * grouped by dossier, with when and under which scope intake accepted it.
   */
  async eventsOf(dossierCodes: readonly string[]): Promise<Map<string, StoredEvent[]>> {
    const entries = await this.entriesOf(dossierCodes);
    return new Map(
      [...entries].map(([code, list]) => [
        code,
        list.map(({ deskId, event, acceptedAt, scope, agencyAncestry }) => ({
          deskId,
          event,
          acceptedAt,
          ...(scope === undefined ? {} : { scope }),
          ...(agencyAncestry === undefined ? {} : { agencyAncestry }),
        })),
      ]),
    );
  }

  async dossiersByCode(dossierCodes: readonly string[]): Promise<Map<string, DossierRecord>> {
    if (dossierCodes.length === 0) return new Map();
    const docs = await this.dossiers.find({ _id: { $in: dossierCodes } }).lean<DossierRecord[]>();
    return new Map(docs.map((doc) => [doc._id, doc]));
  }

  async findDossier(code: string): Promise<DossierRecord | null> {
    return this.dossiers.findById(code).lean<DossierRecord>();
  }

  async timelineOf(code: string): Promise<TimelineEntry[]> {
    return (await this.entriesOf([code])).get(code) ?? [];
  }

  /**
   * Writes new dossier versions, each only over the record its writer read (compare-and-set, the
   * fence against stale writers: a zombie replica whose partition moved, or the calendar refold
   * racing the event handler). A dossier read as absent is inserted (a duplicate key means another
   * writer inserted it first: lost); an existing one is replaced only while it still has the
   * `version`, `publishedVersion` and `overdueNotifiedAt` that were read (no upsert: a record
   * written, published or notified meanwhile makes the write lost, so a carried
   * `overdueNotifiedAt` or `publishedVersion` is never stale). A lost write changed nothing; its
   * writer must not publish its fact nor sync its timers, and refolds from fresh reads. Filters
   * are on `_id` (with extra conditions beside it).
   */
  async saveDossiers(writes: readonly DossierWrite[]): Promise<SaveResult> {
    const inserts = writes.filter((write) => write.read === undefined);
    const replaces = writes.filter((write) => write.read !== undefined);
    const [insertLost, replaceLost] = await Promise.all([this.insertNew(inserts), this.replaceRead(replaces)]);
    const lost = new Set([...insertLost, ...replaceLost]);
    return {
      written: writes.filter((write) => !lost.has(write.next._id)).map((write) => write.next),
      lost: [...lost],
    };
  }

  /** Inserts dossiers read as absent; returns the codes another writer inserted first. */
  private async insertNew(writes: readonly DossierWrite[]): Promise<string[]> {
    if (writes.length === 0) return [];
    try {
      await this.dossiers.bulkWrite(
        writes.map((write) => ({ insertOne: { document: write.next } })),
        { ordered: false },
      );
      return [];
    } catch (error) {
      const duplicates = duplicateKeyIndexes(error);
      if (duplicates === null) throw error;
      return duplicates.map((index) => writes[index]?.next._id).filter((code) => code !== undefined);
    }
  }

  /** Replaces dossiers still as read; returns the codes written meanwhile by someone else. */
  private async replaceRead(writes: readonly DossierWrite[]): Promise<string[]> {
    if (writes.length === 0) return [];
    const result = await this.dossiers.bulkWrite(
      writes.map(({ next, read }) => ({
        replaceOne: { filter: fenceOf(read!), replacement: next, upsert: false },
      })),
      { ordered: false },
    );
    if (result.matchedCount === writes.length) return [];
    // Some filters matched nothing (rare: contention). Which ones? A write of ours is in place when
    // the stored record is our version with our content; a later version, or another content of
    // our version, means ours may not have been written: counted as lost, the writer refolds from
    // the newest record (at worst it skips republishing a version already superseded).
    const current = await this.dossiers
      .find({ _id: { $in: writes.map((write) => write.next._id) } }, { version: 1, kind: 1, state: 1 })
      .lean<Pick<DossierRecord, '_id' | 'version' | 'kind' | 'state'>[]>();
    const byCode = new Map(current.map((doc) => [doc._id, doc]));
    return writes
      .filter(({ next }) => {
        const stored = byCode.get(next._id);
        return !(
          stored !== undefined &&
          stored.version === next.version &&
          canonicalJson([stored.kind, stored.state]) === canonicalJson([next.kind, next.state])
        );
      })
      .map((write) => write.next._id);
  }

  /**
   * Records that the fact of each dossier's version was acknowledged by Kafka: `factOwed` is
   * cleared only while the record still has that version (one atomic update filtered on `_id` and
   * `version`), so a newer version written meanwhile keeps owing its fact.
   */
  async markPublished(versions: ReadonlyMap<string, number>): Promise<void> {
    if (versions.size === 0) return;
    await this.dossiers.bulkWrite(
      [...versions].flatMap(([code, version]) => [
        { updateOne: { filter: { _id: code, version }, update: { $set: { factOwed: false } } } },
        { updateOne: { filter: { _id: code }, update: { $max: { publishedVersion: version } } } },
      ]),
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

  /**
   * Records that the due_instant_reached notification of this version was published: one atomic update
   * filtered on `_id` and `version` (a newer version written meanwhile is left alone).
   */
  async markOverdueNotified(code: string, version: number, at: string): Promise<void> {
    await this.dossiers.updateOne({ _id: code, version }, { $set: { overdueNotifiedAt: at } });
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
    return this.dossiers.db.collection<{ _id: string; entries: DossierEventEntry[] }>(COLLECTIONS.dossierEvents);
  }

  private get meta() {
    return this.dossiers.db.collection<{ _id: string; fingerprint: string }>(COLLECTIONS.meta);
  }

  /**
   * Records findings (idempotent: one record per kind, desk and event, the first sighting kept).
   * Returns the entries recorded for the first time.
   */
  async recordQuality(entries: readonly QualityEntry[], now: string): Promise<QualityEntry[]> {
    if (entries.length === 0) return [];
    const result = await this.quality.bulkWrite(
      entries.map((entry) => ({
        updateOne: {
          filter: { _id: `${entry.kind}|${entry.deskId}|${entry.eventId}` },
          update: { $setOnInsert: { ...entry, firstSeenAt: now } },
          upsert: true,
        },
      })),
      { ordered: false },
    );
    return Object.keys(result.upsertedIds)
      .map((index) => entries[Number(index)])
      .filter((entry) => entry !== undefined);
  }

  async listQuality(limit: number, offset: number): Promise<{ total: number; items: DataQualityRecord[] }> {
    const [total, items] = await Promise.all([
      this.quality.countDocuments({}),
      this.quality.find({}).sort({ firstSeenAt: 1, _id: 1 }).skip(offset).limit(limit).lean<DataQualityRecord[]>(),
    ]);
    return { total, items };
  }
}
