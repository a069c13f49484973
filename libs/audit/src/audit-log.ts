import { Inject, Injectable } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import { auditIdRange, type AuditEntry, type AuditQuery } from './audit-entry';

export const AUDIT_OPTIONS = Symbol('AUDIT_OPTIONS');

export interface AuditOptions {
  /** Collection prefix of the owning service, e.g. `tracking` → `tracking_audit`. */
  collectionPrefix: string;
}

/**
 * The service's append-only audit collection `<prefix>_audit`: entries are inserted, never
 * updated or deleted by the service.
 */
@Injectable()
export class AuditLog {
  constructor(
    @InjectConnection() private readonly connection: Connection,
    @Inject(AUDIT_OPTIONS) private readonly options: AuditOptions,
  ) {}

  get collectionName(): string {
    return `${this.options.collectionPrefix}_audit`;
  }

  private get collection() {
    return this.connection.collection<AuditEntry>(this.collectionName);
  }

  async append(entry: AuditEntry): Promise<void> {
    await this.collection.insertOne(entry);
  }

  /** Entries in [from, to), newest first, at most `limit`. */
  async find(query: AuditQuery): Promise<AuditEntry[]> {
    const range = auditIdRange(query);
    return this.collection
      .find(range === undefined ? {} : { _id: range })
      .sort({ _id: -1 })
      .limit(query.limit)
      .toArray();
  }
}
