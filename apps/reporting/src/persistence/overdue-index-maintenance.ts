import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import { ReferenceData } from '@tthc/reference';
import { COLLECTIONS } from '../collections';
import { OVERDUE_INDEX_MARK, treeFingerprint, type OverdueIndexMark } from '../reports/overdue-index';
import { ReportingLedger } from './reporting-ledger';

const RETRY_MS = 30_000;
/** How often the mark is compared with the tree and the journals written without the index. */
export const OVERDUE_INDEX_CHECK_MS = 60_000;

/**
 * Keeps the overdue index complete (docs/reporting.md, "Overdue list"), in background runs, one at
 * a time per process (replicas may run at once: every write goes through the ledger's journals):
 *
 * - **backfill**: without a mark (first start of this version), every stored dossier is applied
 *   again; dossiers written since by a journal without an index part (an older reporting version
 *   running beside this one, see docs/operations.md "Upgrade") — those without `indexKeys` — when
 *   the ledger's count of such journals moved since the mark;
 * - **re-key**: after boot and after every agency change (whatever the mark says: a replica that
 *   had not yet seen the change may have keyed dossiers with the old tree after another wrote the
 *   mark), the owner records keyed with another tree;
 * - then the mark `{_id: 'overdueIndex', tree, withoutIndex}` says the index is complete for that
 *   tree; until then the list is answered from the scan.
 *
 * Every {@link OVERDUE_INDEX_CHECK_MS} the mark is checked (two `_id` reads): when it is for this
 * replica's tree and journals without an index part were completed since, the backfill catches
 * up (no re-key: a replica that has not yet consumed an agency change must not key the index
 * back to the old tree). A failure (e.g. MongoDB down) is retried after {@link RETRY_MS}.
 */
@Injectable()
export class OverdueIndexMaintenance implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(OverdueIndexMaintenance.name);
  private running: Promise<void> | null = null;
  private again: boolean | null = null;
  private retry: NodeJS.Timeout | null = null;
  private check: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(
    private readonly ledger: ReportingLedger,
    private readonly reference: ReferenceData,
    @InjectConnection() private readonly connection: Connection,
  ) {}

  onApplicationBootstrap(): void {
    this.reference.onChange((changes) => {
      if (changes.some((change) => change.kind === 'agency')) void this.schedule(true);
      return Promise.resolve();
    });
    void this.schedule(true);
    this.check = setInterval(() => void this.schedule(false), OVERDUE_INDEX_CHECK_MS);
    this.check.unref();
  }

  onApplicationShutdown(): void {
    this.stopped = true;
    if (this.retry !== null) clearTimeout(this.retry);
    if (this.check !== null) clearInterval(this.check);
  }

  /**
   * Starts a run (`rekey`: re-key the records of another tree even if the mark is current), or one
   * more after the current one. Resolves when the runs asked so far are done.
   */
  schedule(rekey: boolean): Promise<void> {
    if (this.running !== null) {
      this.again = (this.again ?? false) || rekey;
      return this.running;
    }
    this.running = (async () => {
      let next: boolean | null = rekey;
      while (next !== null && !this.stopped) {
        this.again = null;
        await this.runOnce(next);
        next = this.again;
      }
      this.running = null;
    })();
    return this.running;
  }

  private get meta() {
    return this.connection.collection<OverdueIndexMark>(COLLECTIONS.meta);
  }

  private async runOnce(rekey: boolean): Promise<void> {
    try {
      const fingerprint = treeFingerprint(this.reference.agencies());
      const mark = await this.meta.findOne({ _id: OVERDUE_INDEX_MARK });
      // Read before the dossiers are: a journal without an index part completed later moves it again.
      const withoutIndex = await this.ledger.journalsWithoutIndex();
      const sameTree = mark?.tree === fingerprint;
      // The periodic check only catches up with an older version's writes, for the tree of the
      // mark: a replica that has not yet seen an agency change must not key the index back.
      if (!rekey && (!sameTree || mark.withoutIndex === withoutIndex)) return;
      const started = Date.now();
      let reindexed = 0;
      const full = mark?.withoutIndex === undefined;
      if (full) reindexed += await this.ledger.reapplyStored({});
      else if (mark.withoutIndex !== withoutIndex) {
        reindexed += await this.ledger.reapplyStored({ indexKeys: { $exists: false } });
      }
      if (!full && rekey) {
        reindexed += await this.ledger.reapplyOwned({ 'keys.0': { $exists: true }, v: { $ne: fingerprint } });
      }
      await this.meta.updateOne(
        { _id: OVERDUE_INDEX_MARK },
        { $set: { tree: fingerprint, withoutIndex, at: new Date().toISOString() } },
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
          void this.schedule(true);
        }, RETRY_MS);
        this.retry.unref();
      }
    }
  }
}
