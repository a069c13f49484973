import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import { createHash } from 'node:crypto';
import type { Connection } from 'mongoose';
import { ReferenceData, type AgencyTree } from '@tthc/reference';
import { ReportingLedger } from './reporting-ledger';

const MARK = 'overdueIndex';
const RETRY_MS = 30_000;

/** A digest of the agency tree as the index keys use it (each agency's parent). */
export function treeFingerprint(tree: AgencyTree): string {
  const lines = tree
    .all()
    .map((agency) => `${agency.code}>${agency.parentCode ?? ''}`)
    .sort();
  return createHash('sha256').update(lines.join('\n')).digest('hex');
}

/**
 * Keeps the overdue index's scopes in step with the agency tree: after boot and after every
 * agency change, if the tree differs from the one the index was last keyed by (`rpt_meta`
 * `{_id: 'overdueIndex', tree}`), the stored dossiers are applied again through the ledger (its
 * journals, so fenced like every write): the first time every dossier (those stored before the
 * index get their keys), later only those with entries. Runs in the background, one run at a
 * time; a failure (e.g. MongoDB down) is retried later.
 */
@Injectable()
export class OverdueIndexMaintenance implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(OverdueIndexMaintenance.name);
  private running: Promise<void> | null = null;
  private again = false;
  private retry: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(
    private readonly ledger: ReportingLedger,
    private readonly reference: ReferenceData,
    @InjectConnection() private readonly connection: Connection,
  ) {}

  onApplicationBootstrap(): void {
    this.reference.onChange((changes) => {
      if (changes.some((change) => change.kind === 'agency')) void this.schedule();
      return Promise.resolve();
    });
    void this.schedule();
  }

  onApplicationShutdown(): void {
    this.stopped = true;
    if (this.retry !== null) clearTimeout(this.retry);
  }

  /** Starts a run, or one more after the current one. Resolves when the runs asked so far are done. */
  schedule(): Promise<void> {
    if (this.running !== null) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.again = false;
        await this.runOnce();
      } while (this.again && !this.stopped);
      this.running = null;
    })();
    return this.running;
  }

  private get meta() {
    return this.connection.collection<{ _id: string; tree?: string; at?: string }>('rpt_meta');
  }

  private async runOnce(): Promise<void> {
    try {
      const fingerprint = treeFingerprint(this.reference.agencies());
      const mark = await this.meta.findOne({ _id: MARK });
      if (mark?.tree === fingerprint) return;
      const filter = mark === null ? {} : { 'indexKeys.0': { $exists: true } };
      const started = Date.now();
      const reindexed = await this.ledger.reapplyStored(filter);
      await this.meta.updateOne(
        { _id: MARK },
        { $set: { tree: fingerprint, at: new Date().toISOString() } },
        { upsert: true },
      );
      if (reindexed > 0) {
        this.logger.log(`overdue index: ${reindexed} dossiers re-keyed in ${Date.now() - started} ms`);
      }
    } catch (error) {
      this.logger.warn(`overdue index not brought up to date, retrying in ${RETRY_MS / 1000} s: ${String(error)}`);
      if (!this.stopped && this.retry === null) {
        this.retry = setTimeout(() => {
          this.retry = null;
          void this.schedule();
        }, RETRY_MS);
        this.retry.unref();
      }
    }
  }
}
