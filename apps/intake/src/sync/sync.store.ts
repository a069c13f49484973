import { Injectable } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import type { DossierEvent } from '@tthc/contracts';
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
   * sender's retry) publishes them — the same events with the same ids.
   */
  outbox: DossierEvent[];
  findings: Finding[];
  updatedAt: string;
}

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
