import type { JournalCompletedListener } from '@tthc/counter-ledger';
import type { CounterRow } from '@tthc/counting';
import { AgencyTree } from '@tthc/reference';
import { CounterCache, type CounterSource } from './counter-cache';
import { figuresOf } from './report-math';
import { ReportScope } from './scope';

/** A stored ledger shared by "replicas": rows, the journal sequence and this process's listener. */
class FakeLedger implements CounterSource {
  rowsStored: CounterRow[] = [];
  sequenceValue = 0;
  emitted: string | null = null;
  scans = 0;
  sequenceReads = 0;
  listener: JournalCompletedListener | null = null;
  /** Called in the middle of a scan (to simulate journals racing a reload). */
  duringScan: (() => void) | null = null;

  async *rows(): AsyncGenerator<CounterRow> {
    this.scans++;
    const copy = this.rowsStored.map((row) => ({ ...row }));
    for (const [index, row] of copy.entries()) {
      if (index === 0 && this.duringScan !== null) this.duringScan();
      await Promise.resolve();
      yield row;
    }
  }
  sequence(): Promise<number> {
    this.sequenceReads++;
    return Promise.resolve(this.sequenceValue);
  }
  onJournalCompleted(listener: JournalCompletedListener): void {
    this.listener = listener;
  }
  dataAsOf(): Promise<string | null> {
    return Promise.resolve(this.emitted);
  }
  /** A journal completed by some process: the stored rows move, the sequence grows. */
  journal(row: CounterRow, local: boolean): void {
    this.rowsStored.push(row);
    this.sequenceValue++;
    if (local) this.listener?.([{ key: row, inc: row }], this.sequenceValue);
  }
}

const admin = { id: 'admin', role: 'admin' as const, name: 'admin', agencyCodes: [] };
const scope = ReportScope.forPrincipal(admin, undefined, new AgencyTree([]));
const row = (received: number): CounterRow => ({
  agency: 'A',
  field: 'F',
  procedure: 'P',
  channel: 'online',
  date: '2017-01-02',
  received,
});
const received = async (cache: CounterCache) =>
  figuresOf((await cache.view()).index.select(scope, {}), { from: '2017-01-01', to: '2017-01-31' }, '2030-01-01')
    .received.new;

describe('counter cache', () => {
  let clock = 0;
  const setup = () => {
    clock = 1_000_000;
    const ledger = new FakeLedger();
    const cache = new CounterCache(ledger, { now: () => clock, checkIntervalMs: 1000 });
    return { ledger, cache };
  };

  it('loads once on first use, then applies this process’s journals without reading the store', async () => {
    const { ledger, cache } = setup();
    ledger.rowsStored.push(row(2));
    ledger.sequenceValue = 5;
    ledger.emitted = '2026-11-20T00:00:00.000Z';
    await Promise.all([cache.view(), cache.view()]);
    expect(ledger.scans).toBe(1);
    expect((await cache.view()).dataAsOf).toBe('2026-11-20T00:00:00.000Z');
    ledger.journal(row(3), true);
    expect(await received(cache)).toBe(5);
    expect(ledger.scans).toBe(1);
    cache.noteDataAsOf('2026-11-21T00:00:00.000Z');
    cache.noteDataAsOf('2026-11-19T00:00:00.000Z');
    expect((await cache.view()).dataAsOf).toBe('2026-11-21T00:00:00.000Z');
  });

  it('reloads when a local journal shows another replica completed journals in between', async () => {
    const { ledger, cache } = setup();
    ledger.rowsStored.push(row(1));
    await cache.view();
    ledger.journal(row(10), false); // other replica
    ledger.journal(row(100), true); // ours: sequence jumps by 2
    expect(await received(cache)).toBe(111);
    expect(ledger.scans).toBe(2);
  });

  it('looks at the shared sequence at most once a second and reloads when another replica moved it', async () => {
    const { ledger, cache } = setup();
    await cache.view();
    ledger.journal(row(7), false);
    const reads = ledger.sequenceReads;
    expect(await received(cache)).toBe(0); // within the second: not checked yet
    expect(ledger.sequenceReads).toBe(reads);
    clock += 1000;
    expect(await received(cache)).toBe(7);
    expect(ledger.scans).toBe(2);
    clock += 1000;
    await cache.view(); // nothing moved: no reload
    expect(ledger.scans).toBe(2);
  });

  it('serialises reloads with local writes, and a journal racing a scan causes another reload', async () => {
    const { ledger, cache } = setup();
    ledger.rowsStored.push(row(1));
    const order: string[] = [];
    const view = cache.view();
    const write = cache.serialised(async () => {
      order.push('write');
      await Promise.resolve();
      ledger.journal(row(2), true);
    });
    await Promise.all([view, write]);
    expect(order).toEqual(['write']);
    expect(await received(cache)).toBe(3);
    // Another replica completes a journal while the scan runs: the sequence read before the scan is behind.
    ledger.sequenceValue += 0;
    ledger.duringScan = () => {
      ledger.duringScan = null;
      ledger.rowsStored.push(row(20));
      ledger.sequenceValue++;
    };
    ledger.journal(row(0), false); // make the next check reload
    clock += 1000;
    await cache.view();
    clock += 1000;
    expect(await received(cache)).toBe(23);
    expect(cache.reloads).toBeGreaterThanOrEqual(3);
  });

  it('builds the subtree aggregates of the current tree at load, keeps them current, and rebuilds them on a tree change', async () => {
    const { ledger } = setup();
    let tree = new AgencyTree([
      { code: 'P', name: 'P', parentCode: null, level: 'province' },
      { code: 'A', name: 'A', parentCode: 'P', level: 'department' },
    ]);
    const cache = new CounterCache(ledger, { now: () => clock, tree: () => tree });
    ledger.rowsStored.push(row(2));
    const first = (await cache.view()).index;
    expect(first.aggregatesTree).toBe(tree);
    const total = async (root: string) =>
      figuresOf(
        (await cache.view()).index.select(ReportScope.forPrincipal(admin, root, tree), {}, undefined, {
          subtrees: true,
        }),
        { from: '2017-01-01', to: '2017-01-31' },
        '2030-01-01',
      ).received.new;
    ledger.journal(row(3), true);
    expect(await total('P')).toBe(5);
    tree = new AgencyTree([
      { code: 'Q', name: 'Q', parentCode: null, level: 'province' },
      { code: 'P', name: 'P', parentCode: null, level: 'province' },
      { code: 'A', name: 'A', parentCode: 'Q', level: 'department' },
    ]);
    cache.treeChanged();
    expect((await cache.view()).index.aggregatesTree).toBe(tree);
    expect(await total('P')).toBe(0);
    expect(await total('Q')).toBe(5);
    ledger.journal(row(4), true);
    expect(await total('Q')).toBe(9);
    expect(ledger.scans).toBe(1);
  });

  it('keeps serving after a failed reload attempt by retrying on the next call', async () => {
    const { ledger, cache } = setup();
    const original = ledger.sequence.bind(ledger);
    ledger.sequence = () => Promise.reject(new Error('down'));
    await expect(cache.view()).rejects.toThrow('down');
    ledger.sequence = original;
    ledger.rowsStored.push(row(4));
    expect(await received(cache)).toBe(4);
  });
});
