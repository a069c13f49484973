import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import { Counter, type Registry } from 'prom-client';
import {
  AccessKeyDirectory,
  judgeKeyRecord,
  KEY_RECORD_SIGNER,
  mergeKeyRecord,
  type KeyRecordRefusal,
  type KeyRecordSigner,
} from '@tthc/auth';
import { createWorkingCalendar, type WorkingCalendar } from '@tthc/calendar';
import type { AccessKey, Agency, CalendarYear, Field, Procedure } from '@tthc/contracts';
import { METRICS_REGISTRY } from '@tthc/observability';
import { AgencyTree } from './agency-tree';

export const REFERENCE_OPTIONS = Symbol('REFERENCE_OPTIONS');

export interface ReferenceOptions {
  /** Collection prefix of the owning service, e.g. `tracking` → `tracking_reference`. */
  collectionPrefix: string;
}

export interface ReferenceKinds {
  agency: Agency;
  field: Field;
  procedure: Procedure;
  calendar: CalendarYear;
  key: AccessKey;
}
export type ReferenceKind = keyof ReferenceKinds;

export interface ReferenceChange<K extends ReferenceKind = ReferenceKind> {
  kind: K;
  code: string;
  /** Null removes the entry (a tombstone on the compacted topic). */
  value: ReferenceKinds[K] | null;
}

interface StoredEntry {
  _id: string;
  kind: ReferenceKind;
  code: string;
  value: unknown;
}

/**
 * A service's materialised copy of the compacted reference topics (agencies, fields, procedures,
 * calendars) and of the access keys: kept in memory for lookups on the hot path, persisted in the
 * service's own `<prefix>_reference` collection so a restart (whose consumer group resumes after
 * its committed offsets) starts with everything it had.
 */
@Injectable()
export class ReferenceData implements OnModuleInit {
  private readonly logger = new Logger(ReferenceData.name);
  private readonly entries: { [K in ReferenceKind]: Map<string, ReferenceKinds[K]> } = {
    agency: new Map(),
    field: new Map(),
    procedure: new Map(),
    calendar: new Map(),
    key: new Map(),
  };
  private tree = new AgencyTree([]);
  private calendarValue: WorkingCalendar = createWorkingCalendar();
  private readonly listeners: ((changes: readonly ReferenceChange[]) => Promise<void>)[] = [];
  private readonly refused: Counter<'reason' | 'source'>;

  constructor(
    @InjectConnection() private readonly connection: Connection,
    @Inject(REFERENCE_OPTIONS) private readonly options: ReferenceOptions,
    private readonly keys: AccessKeyDirectory,
    @Inject(KEY_RECORD_SIGNER) private readonly signer: KeyRecordSigner,
    @Inject(METRICS_REGISTRY) metrics: Registry,
  ) {
    this.refused = new Counter({
      name: 'tthc_access_key_records_refused_total',
      help: 'Access-key records not installed: unsigned, wrongly signed, admin role, tombstone, id mismatch',
      labelNames: ['reason', 'source'],
      registers: [metrics],
    });
  }

  private get collection() {
    return this.connection.collection<StoredEntry>(`${this.options.collectionPrefix}_reference`);
  }

  async onModuleInit(): Promise<void> {
    const stored = await this.collection.find({}).toArray();
    // Stored key records are checked again: a copy written before records were signed, or
    // written to MongoDB by anyone but this service, installs nothing.
    const admitted = this.admit(
      stored.map((entry) => ({ kind: entry.kind, code: entry.code, value: entry.value }) as ReferenceChange),
      'stored',
    );
    this.remember(admitted);
    this.logger.log(`loaded ${admitted.length} reference entries`);
  }

  /** Called after changes are applied (e.g. dossier-tracking recomputes due dates on a calendar change). */
  onChange(listener: (changes: readonly ReferenceChange[]) => Promise<void>): void {
    this.listeners.push(listener);
  }

  /**
   * Persists then applies a batch of changes; idempotent (the latest value per code wins). Key
   * records are installed only if intake signed them (and never with the admin role), and a
   * revoked key stays revoked (`judgeKeyRecord`, `mergeKeyRecord`; docs/security.md).
   */
  async apply(received: readonly ReferenceChange[]): Promise<void> {
    const changes = this.admit(received, 'topic');
    if (changes.length === 0) return;
    await this.collection.bulkWrite(
      changes.map((change) =>
        change.value === null
          ? { deleteOne: { filter: { _id: `${change.kind}:${change.code}` } } }
          : {
              replaceOne: {
                filter: { _id: `${change.kind}:${change.code}` },
                replacement: {
                  _id: `${change.kind}:${change.code}`,
                  kind: change.kind,
                  code: change.code,
                  value: change.value,
                },
                upsert: true,
              },
            },
      ),
      { ordered: true },
    );
    this.remember(changes);
    for (const listener of this.listeners) await listener(changes);
  }

  /** The changes that may be applied: refused key records are logged (ids only) and counted. */
  private admit(changes: readonly ReferenceChange[], source: 'topic' | 'stored'): ReferenceChange[] {
    const admitted: ReferenceChange[] = [];
    const held = new Map<string, AccessKey>();
    for (const change of changes) {
      if (change.kind !== 'key') {
        admitted.push(change);
        continue;
      }
      const verdict = judgeKeyRecord(change.code, change.value as AccessKey | null, this.signer);
      if (!verdict.admit) {
        this.refuse(change, verdict.reason, source);
        continue;
      }
      const existing = held.get(change.code) ?? this.entries.key.get(change.code);
      const record = mergeKeyRecord(existing, verdict.record);
      held.set(change.code, record);
      admitted.push({ kind: 'key', code: change.code, value: record });
    }
    return admitted;
  }

  private refuse(change: ReferenceChange, reason: KeyRecordRefusal, source: 'topic' | 'stored'): void {
    this.refused.inc({ reason, source });
    const value = change.value as Partial<AccessKey> | null;
    // The id and role are public; the record's hash and signature are not logged.
    const role = typeof value?.role === 'string' ? ` role ${value.role}` : '';
    this.logger.warn(`refused access-key record ${JSON.stringify(change.code)}${role} (${source}): ${reason}`);
  }

  private remember(changes: readonly ReferenceChange[]): void {
    const touched = new Set<ReferenceKind>();
    for (const change of changes) {
      const map = this.entries[change.kind] as Map<string, unknown>;
      if (change.value === null) map.delete(change.code);
      else map.set(change.code, change.value);
      touched.add(change.kind);
      if (change.kind === 'key') {
        if (change.value === null) this.keys.remove(change.code);
        else this.keys.upsert(change.value as AccessKey);
      }
    }
    if (touched.has('agency')) this.tree = new AgencyTree(this.entries.agency.values());
    if (touched.has('calendar')) {
      const years = Object.fromEntries([...this.entries.calendar.values()].map((year) => [year.year, year]));
      this.calendarValue = createWorkingCalendar({ years });
    }
  }

  agencies(): AgencyTree {
    return this.tree;
  }

  agency(code: string): Agency | undefined {
    return this.entries.agency.get(code);
  }

  field(code: string): Field | undefined {
    return this.entries.field.get(code);
  }

  procedure(code: string): Procedure | undefined {
    return this.entries.procedure.get(code);
  }

  all<K extends ReferenceKind>(kind: K): ReferenceKinds[K][] {
    return [...this.entries[kind].values()];
  }

  /** The working calendar: shipped default table, with uploaded years replacing theirs. */
  calendar(): WorkingCalendar {
    return this.calendarValue;
  }
}
