import { Logger } from '@nestjs/common';
import type { JournalCompletedListener } from '@tthc/counter-ledger';
import type { CounterIncrement, CounterKey, CounterRow } from '@tthc/counting';
import type { AgencyTree } from '@tthc/reference';
import { CounterIndex } from './counter-index';

/** What the cache needs of the ledger (ReportingLedger) and of the stored `dataAsOf`. */
export interface CounterSource {
  rows(): AsyncIterable<CounterRow>;
  sequence(): Promise<number>;
  onJournalCompleted(listener: JournalCompletedListener): void;
  /** The newest `emittedAt` applied by any replica (null: none yet). */
  dataAsOf(): Promise<string | null>;
}

export interface CounterCacheOptions {
  /** At most one look at the shared journal sequence per this many ms (default 1000). */
  checkIntervalMs?: number;
  now?: () => number;
  /** The current agency tree: a reload builds the subtree aggregates of it (else the first query does). */
  tree?: () => AgencyTree;
}

export interface CacheView {
  index: CounterIndex;
  dataAsOf: string | null;
}

/**
 * The counters of `rpt_counters` in memory (the MongoDB stand-in scans a collection for any
 * filter but `_id`, so reports never query it per request):
 *
 * - loaded from `ledger.rows()` on first use (and at boot);
 * - kept current by this process's completed journals (`onJournalCompleted`): each carries the
 *   shared journal sequence, and one that is not exactly the next expected number means another
 *   replica completed journals in between → stale;
 * - at most once per second per burst of queries, the shared sequence is read; if it moved past
 *   the expected one (another replica's journals) → stale;
 * - a stale cache reloads before answering. Reloads and this process's journal writes are
 *   serialised (`serialised`, used by the outcome handler), and the sequence is read before
 *   the rows: any journal that completes during the scan moves the sequence past it and causes
 *   another reload, so the cache converges on the stored counters.
 */
export class CounterCache {
  private readonly logger = new Logger(CounterCache.name);
  private index: CounterIndex | null = null;
  private expected = 0;
  private stale = true;
  private lastCheck = Number.NEGATIVE_INFINITY;
  private newestEmitted: string | null = null;
  private loading: Promise<void> | null = null;
  private checking: Promise<void> | null = null;
  private lock: Promise<unknown> = Promise.resolve();
  private readonly checkIntervalMs: number;
  private readonly now: () => number;
  private tree: (() => AgencyTree) | undefined;
  /** Reloads done so far (for tests and logs). */
  reloads = 0;

  constructor(
    private readonly source: CounterSource,
    options: CounterCacheOptions = {},
  ) {
    this.checkIntervalMs = options.checkIntervalMs ?? 1000;
    this.now = options.now ?? Date.now;
    this.tree = options.tree;
    source.onJournalCompleted((increments, sequence) => this.journalCompleted(increments, sequence));
  }

  /**
   * Where the current agency tree comes from (the reference data). The index's subtree aggregates
   * are built with it at each reload and rebuilt by {@link treeChanged}; a query whose scope holds
   * another tree rebuilds them anyway (`CounterIndex.aggregatesFor`), so this only saves time.
   */
  useTree(tree: () => AgencyTree): void {
    this.tree = tree;
  }

  /** The agency tree changed: rebuilds the loaded index's subtree aggregates now rather than on the next query. */
  treeChanged(): void {
    if (this.index !== null && this.tree !== undefined) this.index.aggregatesFor(this.tree());
  }

  /** Runs `work` alone with respect to reloads (and to other serialised work). */
  serialised<T>(work: () => Promise<T>): Promise<T> {
    const run = this.lock.then(work, work);
    this.lock = run.catch(() => undefined);
    return run;
  }

  /** Tells the cache a newer `emittedAt` was applied by this process. */
  noteDataAsOf(emittedAt: string): void {
    if (this.newestEmitted === null || emittedAt > this.newestEmitted) this.newestEmitted = emittedAt;
  }

  /** The current counters (reloaded first when stale, checked against the shared sequence at most every second). */
  async view(): Promise<CacheView> {
    if (this.index !== null && !this.stale && this.now() - this.lastCheck >= this.checkIntervalMs) {
      await this.check();
    }
    if (this.index === null || this.stale) await this.reload();
    return { index: this.index as CounterIndex, dataAsOf: this.newestEmitted };
  }

  private journalCompleted(increments: readonly { key: CounterKey; inc: CounterIncrement }[], sequence: number): void {
    if (this.index === null || this.stale) return;
    if (sequence !== this.expected + 1) {
      this.stale = true;
      return;
    }
    for (const { key, inc } of increments) this.index.apply(key, inc);
    this.expected = sequence;
  }

  private check(): Promise<void> {
    this.checking ??= (async () => {
      try {
        const sequence = await this.source.sequence();
        this.lastCheck = this.now();
        // Lower than expected only when the read raced this process's own journals.
        if (sequence > this.expected) this.stale = true;
      } finally {
        this.checking = null;
      }
    })();
    return this.checking;
  }

  private reload(): Promise<void> {
    this.loading ??= this.serialised(async () => {
      try {
        const started = this.now();
        const sequence = await this.source.sequence();
        const rows: CounterRow[] = [];
        for await (const row of this.source.rows()) rows.push(row);
        const index = CounterIndex.of(rows, this.tree?.());
        const dataAsOf = await this.source.dataAsOf();
        this.index = index;
        this.expected = sequence;
        this.stale = false;
        this.lastCheck = this.now();
        if (dataAsOf !== null) this.noteDataAsOf(dataAsOf);
        this.reloads++;
        this.logger.log(
          `loaded ${index.rows} counter rows (${index.seriesCount} series, sequence ${sequence}) in ${this.now() - started} ms`,
        );
      } finally {
        this.loading = null;
      }
    });
    return this.loading;
  }
}
