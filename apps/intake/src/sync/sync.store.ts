import { Injectable } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import type { DeskScope, DossierEvent } from '@tthc/contracts';
import type { Finding, ProgressFact, PublishedEvent, SnapshotFact } from '@tthc/desk-sync';
import { COLLECTIONS } from '../collections';

/**
 * What intake knows of one dossier a desk syncs in the portal format (`intake_dvcqg_dossiers`,
 * `_id` = `<desk id>|<MaHoSo>`): every distinct record it accepted, the events it published for it,
 * and the data-quality findings. `version` fences concurrent writers (several intake replicas).
 */
export interface SyncedDossier {
  _id: string;
  deskId: string;
  maHoSo: string;
  version: number;
  /** Distinct snapshots, by the SHA-256 of their checked content. */
  snapshots: { hash: string; fact: SnapshotFact }[];
  progress: { hash: string; fact: ProgressFact }[];
  /** Events published (ids and types). */
  published: PublishedEvent[];
  /**
   * Events derived and checked, recorded before they are published (a transactional outbox): the
   * request that recorded them publishes them, then moves them to `published`; a request that
   * failed or crashed in between leaves them here, and the next request for the dossier (the
   * sender's retry) or the outbox sweep publishes them — the same events with the same ids.
   */
  outbox: DossierEvent[];
  /**
   * The scope of the key whose request recorded the outbox (`admin` or the desk key's agencies),
   * so the sweep stamps the events as that request would have. Absent on dossiers written before
   * it existed (the sweep then stamps an admin desk's `admin`, and leaves a desk's to its retry).
   */
  outboxScope?: DeskScope;
  findings: Finding[];
  updatedAt: string;
}

/** What the publishing phase reads and writes of a synced dossier. */
export type OutboxView = Pick<
  SyncedDossier,
  '_id' | 'deskId' | 'maHoSo' | 'version' | 'outbox' | 'outboxScope' | 'published' | 'updatedAt'
>;

export function syncedDossierId(deskId: string, maHoSo: string): string {
  return `${deskId}|${maHoSo}`;
}

/** A dossier's findings, as `GET /v1/sync/dvcqg/findings` lists them. */
export interface DossierFindings {
  deskId: string;
  maHoSo: string;
  findings: Finding[];
  updatedAt: string;
}

/**
 * The synced dossiers in MongoDB. Reads and writes filter on `_id` (a write also on `version`,
 * beside the `_id` equality: a compare-and-set); only the findings list scans the collection.
 */
@Injectable()
export class SyncStore {
  constructor(@InjectConnection() private readonly connection: Connection) {}

  private get dossiers() {
    return this.connection.collection<SyncedDossier>(COLLECTIONS.dvcqgDossiers);
  }

  async load(ids: readonly string[]): Promise<Map<string, SyncedDossier>> {
    const found = new Map<string, SyncedDossier>();
    for (let start = 0; start < ids.length; start += 500) {
      const batch = ids.slice(start, start + 500);
      for (const document of await this.dossiers.find({ _id: { $in: batch } }).toArray()) {
        found.set(document._id, document);
      }
    }
    return found;
  }

  /**
   * Writes `next` if the stored dossier is still at `expectedVersion` (0: not stored yet); false
   * when another writer came first (the caller reloads and derives again).
   */
  async save(next: SyncedDossier, expectedVersion: number): Promise<boolean> {
    if (expectedVersion === 0) {
      try {
        await this.dossiers.insertOne(next);
        return true;
      } catch (error) {
        if ((error as { code?: unknown }).code === 11000) return false;
        throw error;
      }
    }
    const { _id, ...fields } = next;
    const result = await this.dossiers.updateOne({ _id, version: expectedVersion }, { $set: fields });
    return result.matchedCount === 1;
  }

  /**
   * Dossiers whose outbox is not empty (the outbox sweep), in no particular order. Filters on a
   * field other than `_id`: it scans the collection on the MongoDB stand-in (a periodic read).
   */
  async *pendingOutboxes(): AsyncGenerator<OutboxView> {
    const cursor = this.dossiers.find<OutboxView>(
      { 'outbox.0': { $exists: true } },
      { projection: { deskId: 1, maHoSo: 1, version: 1, outbox: 1, outboxScope: 1, published: 1, updatedAt: 1 } },
    );
    try {
      for await (const document of cursor) if (document.outbox.length > 0) yield document;
    } finally {
      await cursor.close();
    }
  }

  /**
   * Phase 3: writes a dossier's outbox and published list (and `version`, `updatedAt`) if it is
   * still at `expectedVersion`; false when another writer came first. Its records and findings are
   * left as they are.
   */
  async savePublished(next: OutboxView, expectedVersion: number): Promise<boolean> {
    const { _id, version, outbox, published, updatedAt } = next;
    const result = await this.dossiers.updateOne(
      { _id, version: expectedVersion },
      { $set: { version, outbox, published, updatedAt } },
    );
    return result.matchedCount === 1;
  }

  /** Dossiers with findings, most recently changed first (at most `limit`). Scans the collection: an admin read. */
  async findings(limit: number, deskId?: string): Promise<DossierFindings[]> {
    const all = await this.dossiers
      .find({}, { projection: { deskId: 1, maHoSo: 1, findings: 1, updatedAt: 1 } })
      .toArray();
    return all
      .filter((d) => d.findings.length > 0 && (deskId === undefined || d.deskId === deskId))
      .sort((a, b) => b.updatedAt.localeCompare(a.updatedAt) || a._id.localeCompare(b._id))
      .slice(0, limit)
      .map(({ deskId: desk, maHoSo, findings, updatedAt }) => ({ deskId: desk, maHoSo, findings, updatedAt }));
  }
}
