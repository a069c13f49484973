import mongoose, { type Connection } from 'mongoose';
import type { Principal } from '@tthc/auth';
import type { DossierSnapshot } from '@tthc/contracts';
import { classifiedOrder, CounterLedger } from '@tthc/counter-ledger';
import { AgencyTree, type ReferenceData } from '@tthc/reference';
import { mongoUrlFor, newNamespace, snapshotOf } from '@tthc/testing';
import { OverdueIndexMaintenance } from '../persistence/overdue-index-maintenance';
import type { ReportDossier } from '../persistence/report-dossier';
import {
  countIdOf,
  OVERDUE_INDEX_COLLECTIONS,
  overdueEntryBody,
  overdueKeysOf,
  SEP,
  treeFingerprint,
} from './overdue-index';
import { ReportDossiersRepository } from './report-dossiers.repository';
import { ReportScope } from './scope';

/**
 * The overdue index kept by the ledger's journals (as `ReportingLedger` configures it), read by
 * the repository: every outcome kind, replays, two writers and a paused writer, each checked
 * against `overdueNow` over the final snapshots.
 */

const NAMES = { counters: 'rpt_counters', dossiers: 'rpt_dossiers', buckets: 'rpt_ledger_buckets', meta: 'rpt_meta' };
const NOW = Date.parse('2017-03-25T03:00:00Z'); // 10:00 local, 25 March
const TREE = new AgencyTree([
  { code: 'PROV', name: 'Tỉnh', parentCode: null, level: 'province' },
  { code: 'DIST-1', name: 'Huyện 1', parentCode: 'PROV', level: 'district' },
  { code: 'DIST-2', name: 'Huyện 2', parentCode: 'PROV', level: 'district' },
  { code: 'COM-1', name: 'Xã 1', parentCode: 'DIST-1', level: 'commune' },
]);
const ADMIN: Principal = { id: 'admin', role: 'admin', name: 'admin', agencyCodes: [] };
const BUCKETS = 3;
const bucketOf = (id: string) => [...id].reduce((sum, char) => sum + char.charCodeAt(0), 0) % BUCKETS;

function ledgerOn(db: Connection, treeOf: () => AgencyTree = () => TREE): CounterLedger<ReportDossier> {
  return new CounterLedger<ReportDossier>(db, NAMES, {
    order: { fields: ['dossierVersion', 'revision'], of: (doc) => classifiedOrder(doc.dossierVersion, doc.revision) },
    bucketOf,
    index: {
      ...OVERDUE_INDEX_COLLECTIONS,
      keysOf: (doc) => overdueKeysOf(doc.snapshot, treeOf().ancestry(doc.agencyCode)),
      version: () => treeFingerprint(treeOf()),
      bodyOf: (doc) => overdueEntryBody(doc.snapshot),
      countOf: countIdOf,
    },
  });
}

/** The pre-index ledger (an older reporting version): same collections, no index. */
function plainLedgerOn(db: Connection): CounterLedger<ReportDossier> {
  return new CounterLedger<ReportDossier>(db, NAMES, {
    order: { fields: ['dossierVersion', 'revision'], of: (doc) => classifiedOrder(doc.dossierVersion, doc.revision) },
    bucketOf,
  });
}

/** The maintenance of a replica whose reference data holds `treeOf()` (one run per `schedule`). */
function maintenanceOn(db: Connection, ledger: CounterLedger<ReportDossier>, treeOf: () => AgencyTree = () => TREE) {
  const reference = { agencies: treeOf } as unknown as ReferenceData;
  return new OverdueIndexMaintenance(ledger, reference, db);
}

function documentOf(snapshot: DossierSnapshot): ReportDossier {
  return {
    _id: snapshot.dossierCode,
    version: snapshot.version,
    dossierVersion: snapshot.version,
    revision: 0,
    applied: null,
    snapshot,
    agencyCode: snapshot.agencyCode,
    outcome: null,
    withdrawn: false,
    emittedAt: '2017-03-24T00:00:00.000Z',
  };
}

const due = (iso: string) => ({
  dueAt: iso,
  dueHistory: [{ dueAt: iso, reason: 'initial' as const, effectiveAt: '2017-03-14T02:12:00.000Z' }],
});

const pending = (code: string, version: number, agencyCode: string, dueIso = '2017-03-20T10:00:00.000Z') =>
  snapshotOf({ dossierCode: code, version, agencyCode, receivingAgencyCode: agencyCode, ...due(dueIso) });

describe('overdue index maintained by the ledger (real MongoDB)', () => {
  let db: Connection;
  let repository: ReportDossiersRepository;

  beforeEach(async () => {
    db = await mongoose.createConnection(mongoUrlFor(newNamespace('overdue-index'))).asPromise();
    repository = new ReportDossiersRepository(db);
  });
  afterEach(async () => {
    await db.dropDatabase().catch(() => undefined);
    await db.close();
  });

  const scope = (agency?: string) => ReportScope.forPrincipal(ADMIN, agency, TREE);
  const list = async (
    agency?: string,
    query: Partial<{
      sort: 'dueAt' | 'daysOverdue' | 'code' | 'agency';
      order: 'asc' | 'desc';
      page: number;
      pageSize: number;
    }> = {},
  ) =>
    repository.overduePage(
      scope(agency),
      NOW,
      {},
      { sort: 'daysOverdue', order: 'desc', page: 1, pageSize: 50, ...query },
    );
  /** What the scan of every stored dossier (the definition) answers. */
  const scanned = async (agency?: string) =>
    (await repository.overdue(scope(agency), NOW, {})).map((item) => item.code).sort();
  const codes = (page: { items: { code: string }[] }) => page.items.map((item) => item.code).sort();
  const counts = async () =>
    Object.fromEntries(
      (await db.collection<{ _id: string; n: number }>(OVERDUE_INDEX_COLLECTIONS.counts).find({}).toArray())
        .filter((c) => c.n !== 0)
        .map((c) => [c._id.split(SEP).join('|'), c.n]),
    );

  it('indexes pending dossiers per scope; finish, void, pause and supplement take them out, the end of a pause puts one back', async () => {
    const ledger = ledgerOn(db);
    await maintenanceOn(db, ledger).schedule(true); // the mark of an empty index: complete
    await ledger.apply(['A', 'B', 'C', 'D', 'E'].map((code) => documentOf(pending(code, 1, 'COM-1'))));
    expect(codes(await list())).toEqual(['A', 'B', 'C', 'D', 'E']);
    expect(codes(await list('DIST-1'))).toEqual(['A', 'B', 'C', 'D', 'E']);
    expect((await list('DIST-2')).total).toBe(0);

    const base = (code: string) => pending(code, 2, 'COM-1');
    await ledger.apply([
      documentOf({
        ...base('A'),
        status: 'resolved',
        finishedAt: '2017-03-24T01:00:00.000Z',
        finishKind: 'resolved',
        outcome: 'approved',
      }),
      documentOf({ ...base('B'), status: 'voided' }),
      documentOf({
        ...base('C'),
        status: 'paused',
        waiting: [{ kind: 'pause', from: '2017-03-21T00:00:00.000Z', to: null }],
      }),
      documentOf({
        ...base('D'),
        status: 'waiting_supplement',
        waiting: [{ kind: 'supplement', from: '2017-03-21T00:00:00.000Z', to: null }],
      }),
    ]);
    for (const agency of [undefined, 'PROV', 'DIST-1', 'COM-1']) {
      const page = await list(agency);
      expect(codes(page)).toEqual(['E']);
      expect(page.total).toBe(1);
      expect(codes(page)).toEqual(await scanned(agency));
    }
    // The pause ends: C is pending again.
    await ledger.apply([
      documentOf({
        ...pending('C', 3, 'COM-1'),
        waiting: [{ kind: 'pause', from: '2017-03-21T00:00:00.000Z', to: '2017-03-22T00:00:00.000Z' }],
      }),
    ]);
    expect(codes(await list())).toEqual(['C', 'E']);
    expect(await counts()).toEqual({
      '*|2017-03-20': 2,
      'PROV|2017-03-20': 2,
      'DIST-1|2017-03-20': 2,
      'COM-1|2017-03-20': 2,
    });
    expect(await db.collection(OVERDUE_INDEX_COLLECTIONS.entries).countDocuments({})).toBe(8);
  });

  it('moves a transferred or re-dated dossier; an older version replayed later resurrects nothing', async () => {
    const ledger = ledgerOn(db);
    await maintenanceOn(db, ledger).schedule(true); // the mark of an empty index: complete
    const v1 = documentOf(pending('T', 1, 'COM-1'));
    const v2 = documentOf(pending('T', 2, 'DIST-2', '2017-03-22T10:00:00.000Z'));
    await ledger.apply([v1]);
    await ledger.apply([v2]);
    await ledger.apply([v1]); // replay
    expect(codes(await list('DIST-1'))).toEqual([]);
    expect((await list('DIST-1')).total).toBe(0);
    const moved = await list('DIST-2');
    expect(moved.items).toEqual([
      expect.objectContaining({ code: 'T', agencyCode: 'DIST-2', dueAt: '2017-03-22T10:00:00.000Z', daysOverdue: 3 }),
    ]);
    expect(moved.total).toBe(1);
    expect(await counts()).toEqual({ '*|2017-03-22': 1, 'PROV|2017-03-22': 1, 'DIST-2|2017-03-22': 1 });
    // Not due before today: in the index, not in the list.
    await ledger.apply([documentOf(pending('T', 3, 'DIST-2', '2017-03-25T09:00:00.000Z'))]);
    expect(await list()).toEqual({ items: [], total: 0, source: 'index' });
  });

  it('pages by due date with the right total, in every sort', async () => {
    const ledger = ledgerOn(db);
    await maintenanceOn(db, ledger).schedule(true); // the mark of an empty index: complete
    const dues = [
      '2017-03-01T02:00:00.000Z',
      '2017-03-01T09:00:00.000Z',
      '2017-03-05T03:00:00.000Z',
      '2017-03-10T01:00:00.000Z',
    ];
    const docs = Array.from({ length: 23 }, (_, i) =>
      documentOf(
        pending(`P-${String(i).padStart(2, '0')}`, 1, i % 2 === 0 ? 'COM-1' : 'DIST-2', dues[i % dues.length]),
      ),
    );
    await ledger.apply(docs);
    const all = await repository.overdue(scope(), NOW, {});
    for (const sort of ['dueAt', 'daysOverdue', 'code', 'agency'] as const) {
      for (const order of ['asc', 'desc'] as const) {
        for (const agency of [undefined, 'DIST-1']) {
          const expected = (await repository.overdue(scope(agency), NOW, {})).length;
          const seen: string[] = [];
          for (let page = 1; page <= 6; page++) {
            const found = await list(agency, { sort, order, page, pageSize: 4 });
            expect(found.total).toBe(expected);
            seen.push(...found.items.map((item) => item.code));
          }
          expect(seen).toHaveLength(expected);
          expect(new Set(seen).size).toBe(expected);
        }
      }
    }
    // Same order as the definition's sort over the scan.
    const { pageOf } = await import('./overdue');
    const pages = await Promise.all(
      [1, 2, 3].map((page) => list(undefined, { sort: 'dueAt', order: 'asc', page, pageSize: 9 })),
    );
    expect(pages.flatMap((p) => p.items)).toEqual(pageOf(all, 'dueAt', 'asc', 1, 27));
    const byDays = await Promise.all(
      [1, 2, 3].map((page) => list(undefined, { sort: 'daysOverdue', order: 'asc', page, pageSize: 9 })),
    );
    expect(byDays.flatMap((p) => p.items)).toEqual(pageOf(all, 'daysOverdue', 'asc', 1, 27));
  });

  it('two writers applying every version in different orders end at the final versions', async () => {
    const versions = (code: string): ReportDossier[] => [
      documentOf(pending(code, 1, 'COM-1')),
      documentOf(pending(code, 2, 'DIST-2', '2017-03-21T10:00:00.000Z')),
      documentOf({
        ...pending(code, 3, 'DIST-2'),
        status: 'resolved',
        finishedAt: '2017-03-24T00:00:00.000Z',
        finishKind: 'resolved',
        outcome: 'approved',
      }),
      documentOf(pending(code, 4, 'COM-1', '2017-03-23T10:00:00.000Z')),
    ];
    const all = Array.from({ length: 30 }, (_, i) => versions(`W-${i}`).slice(0, 1 + (i % 4)));
    const flat = all.flat();
    const writers = [ledgerOn(db), ledgerOn(db)];
    await maintenanceOn(db, ledgerOn(db)).schedule(true);
    await Promise.all([
      (async () => {
        for (let i = 0; i < flat.length; i += 7) await writers[0]?.apply(flat.slice(i, i + 7));
      })(),
      (async () => {
        const reversed = [...flat].reverse();
        for (let i = 0; i < reversed.length; i += 5) await writers[1]?.apply(reversed.slice(i, i + 5));
      })(),
    ]);
    for (const agency of [undefined, 'PROV', 'DIST-1', 'DIST-2', 'COM-1']) {
      const page = await list(agency, { pageSize: 500 });
      expect(codes(page)).toEqual(await scanned(agency));
      expect(page.total).toBe((await scanned(agency)).length);
    }
    expect((await list()).total).toBe(all.filter((v) => v.length !== 3).length);
  });

  it('a writer paused before completing an old journal puts back an entry a newer journal removed: the list ignores it', async () => {
    const owner = ledgerOn(db);
    await maintenanceOn(db, owner).schedule(true);
    const control = { paused: null as Promise<void> | null, reached: () => undefined as void };
    const pausable = {
      collection(name: string) {
        const real = db.collection(name);
        if (name !== OVERDUE_INDEX_COLLECTIONS.entries) return real;
        return new Proxy(real, {
          get(target, property, receiver) {
            if (property !== 'bulkWrite') return Reflect.get(target, property, receiver) as unknown;
            return async (...args: Parameters<typeof real.bulkWrite>) => {
              const paused = control.paused;
              if (paused !== null) {
                control.reached();
                await paused;
              }
              return target.bulkWrite(...args);
            };
          },
        });
      },
    } as unknown as Connection;
    const zombie = ledgerOn(pausable);
    await owner.apply([documentOf(pending('Z', 1, 'COM-1'))]);
    const v2 = documentOf(pending('Z', 2, 'COM-1', '2017-03-18T10:00:00.000Z'));
    let release!: () => void;
    control.paused = new Promise<void>((resolve) => (release = resolve));
    const reached = new Promise<void>((resolve) => (control.reached = resolve));
    const zombieRun = zombie.apply([v2]);
    await reached; // counts written, entries and dossier not yet
    await owner.apply([v2]); // completes the zombie's journal
    await owner.apply([documentOf({ ...pending('Z', 3, 'COM-1'), status: 'voided' })]);
    control.paused = null;
    release();
    await zombieRun;
    // The zombie's entries of version 2 were put back after version 3 removed them.
    const key = overdueKeysOf(v2.snapshot, TREE.ancestry('COM-1'))[0];
    expect(await db.collection(OVERDUE_INDEX_COLLECTIONS.entries).countDocuments({ _id: key as never })).toBe(1);
    expect(await list(undefined, { sort: 'code', order: 'asc' })).toEqual({ items: [], total: 0, source: 'index' });
    expect((await list()).items).toEqual([]);
    expect((await list()).total).toBe(0);
  });

  const withContribution = (code: string): ReportDossier => ({
    ...documentOf(pending(code, 1, 'COM-1')),
    applied: {
      dimensions: { agency: 'COM-1', field: 'F-1', procedure: 'P-1', channel: 'online' },
      contribution: {
        receivedOn: '2017-03-14',
        channel: 'online',
        finishedOn: null,
        outcome: null,
        withdrawn: false,
        overdueDeltas: [{ on: '2017-03-21', delta: 1 }],
        dueSameDayOn: ['2017-03-20'],
      },
    },
  });
  const counters = () =>
    db
      .collection(NAMES.counters)
      .find({}, { projection: { w: 0 } })
      .toArray();

  it('answers from the scan until the first backfill has finished, then from the index, without moving a counter', async () => {
    await plainLedgerOn(db).apply([withContribution('OLD-1'), withContribution('OLD-2')]);
    const countersBefore = await counters();
    const ledger = ledgerOn(db);
    // Upgraded, the backfill not run yet: the index is empty, the list is the scan's.
    expect(await list()).toEqual({ items: expect.any(Array), total: 2, source: 'scan' });
    expect(codes(await list('DIST-1'))).toEqual(['OLD-1', 'OLD-2']);
    await ledger.apply([withContribution('OLD-1')]); // a redelivery of the stored version indexes it
    const partial = await list();
    expect(partial.source).toBe('scan'); // the index holds OLD-1 only: not used yet
    expect(codes(partial)).toEqual(['OLD-1', 'OLD-2']);
    const maintenance = maintenanceOn(db, ledger);
    await maintenance.schedule(true);
    const indexed = await list('DIST-1');
    expect(indexed.source).toBe('index');
    expect(codes(indexed)).toEqual(['OLD-1', 'OLD-2']);
    expect(indexed.total).toBe(2);
    await maintenance.schedule(true); // up to date: nothing moves
    expect(await counts()).toEqual({
      '*|2017-03-20': 2,
      'PROV|2017-03-20': 2,
      'DIST-1|2017-03-20': 2,
      'COM-1|2017-03-20': 2,
    });
    expect(await counters()).toEqual(countersBefore);
  });

  it('an older version replacing a dossier (no indexKeys) between two new journals loses no owned key: counts stay exact', async () => {
    const ledger = ledgerOn(db);
    await maintenanceOn(db, ledger).schedule(true);
    await ledger.apply([documentOf(pending('X', 1, 'COM-1'))]);
    // The pre-index version's write: a plain replace of the dossier, its index untouched.
    const v2 = documentOf(pending('X', 2, 'COM-1', '2017-03-18T10:00:00.000Z'));
    await db.collection<{ _id: string }>(NAMES.dossiers).replaceOne({ _id: 'X' }, { ...v2 });
    await ledger.apply([documentOf(pending('X', 3, 'COM-1', '2017-03-19T10:00:00.000Z'))]);
    expect(await counts()).toEqual({
      '*|2017-03-19': 1,
      'PROV|2017-03-19': 1,
      'DIST-1|2017-03-19': 1,
      'COM-1|2017-03-19': 1,
    });
    expect(await db.collection(OVERDUE_INDEX_COLLECTIONS.entries).countDocuments({})).toBe(4);
    for (const agency of [undefined, 'DIST-1', 'COM-1']) {
      const page = await list(agency);
      expect(page).toEqual({ items: [expect.objectContaining({ code: 'X' })], total: 1, source: 'index' });
    }
    // Once more, and then the stored version redelivered: it is keyed again from the owned keys.
    await db
      .collection<{ _id: string }>(NAMES.dossiers)
      .replaceOne({ _id: 'X' }, { ...documentOf(pending('X', 4, 'COM-1', '2017-03-17T10:00:00.000Z')) });
    await ledger.apply([documentOf(pending('X', 4, 'COM-1', '2017-03-17T10:00:00.000Z'))]);
    expect(await counts()).toEqual({
      '*|2017-03-17': 1,
      'PROV|2017-03-17': 1,
      'DIST-1|2017-03-17': 1,
      'COM-1|2017-03-17': 1,
    });
    expect((await list()).total).toBe(1);
  });

  it('old and new versions side by side: the list scans while the old one writes; the next check re-keys what it wrote', async () => {
    const ledger = ledgerOn(db);
    const maintenance = maintenanceOn(db, ledger);
    await maintenance.schedule(true);
    await ledger.apply([documentOf(pending('X', 1, 'COM-1')), documentOf(pending('Y', 1, 'DIST-2'))]);
    expect((await list()).source).toBe('index');
    // The old version finishes X and receives Z: the index does not see either.
    await plainLedgerOn(db).apply([
      documentOf({
        ...pending('X', 2, 'COM-1'),
        status: 'resolved',
        finishedAt: '2017-03-24T01:00:00.000Z',
        finishKind: 'resolved',
        outcome: 'approved',
      }),
      documentOf(pending('Z', 1, 'DIST-1', '2017-03-21T10:00:00.000Z')),
    ]);
    const meanwhile = await list();
    expect(meanwhile.source).toBe('scan');
    expect(codes(meanwhile)).toEqual(['Y', 'Z']);
    await maintenance.schedule(false); // the periodic check
    for (const agency of [undefined, 'PROV', 'DIST-1', 'DIST-2', 'COM-1']) {
      const page = await list(agency);
      expect(page.source).toBe('index');
      expect(codes(page)).toEqual(await scanned(agency));
      expect(page.total).toBe((await scanned(agency)).length);
    }
    expect(await counts()).toEqual({
      '*|2017-03-20': 1,
      'PROV|2017-03-20': 1,
      'DIST-2|2017-03-20': 1,
      '*|2017-03-21': 1,
      'PROV|2017-03-21': 1,
      'DIST-1|2017-03-21': 1,
    });
    await ledger.apply([documentOf(pending('X', 3, 'COM-1'))]);
    expect(codes(await list())).toEqual(['X', 'Y', 'Z']);
    expect((await list()).total).toBe(3);
  });

  it('upgrades an index of the version without owner records (keys on the dossiers) without counting twice', async () => {
    const ledger = ledgerOn(db);
    await ledger.apply([documentOf(pending('A', 1, 'COM-1')), documentOf(pending('B', 1, 'DIST-2'))]);
    const before = await counts();
    // That version: no owner records, a mark without the journal count.
    await db.collection(OVERDUE_INDEX_COLLECTIONS.owners).deleteMany({});
    await db
      .collection<{ _id: string }>(NAMES.meta)
      .replaceOne({ _id: 'overdueIndex' }, { tree: treeFingerprint(TREE) }, { upsert: true });
    expect((await list()).source).toBe('scan');
    await maintenanceOn(db, ledger).schedule(true);
    expect(await counts()).toEqual(before);
    expect(await db.collection(OVERDUE_INDEX_COLLECTIONS.owners).countDocuments({})).toBe(2);
    expect(await list()).toEqual({ items: expect.any(Array), total: 2, source: 'index' });
  });

  it('re-keys the pending dossiers when the agency tree changes; scans until then', async () => {
    let tree = TREE;
    const ledger = ledgerOn(db, () => tree);
    const maintenance = maintenanceOn(db, ledger, () => tree);
    await maintenance.schedule(true);
    await ledger.apply([documentOf(pending('M', 1, 'COM-1')), documentOf(pending('N', 1, 'DIST-2'))]);
    expect(codes(await list('DIST-1'))).toEqual(['M']);
    tree = new AgencyTree(
      TREE.all().map((agency) => (agency.code === 'COM-1' ? { ...agency, parentCode: 'DIST-2' } : agency)),
    );
    const scopeNow = (agency: string) => ReportScope.forPrincipal(ADMIN, agency, tree);
    const page = (agency: string) =>
      repository.overduePage(scopeNow(agency), NOW, {}, { sort: 'daysOverdue', order: 'desc', page: 1, pageSize: 50 });
    // Before re-keying, the entries of M still sit under DIST-1: the list is the scan's.
    expect(await page('DIST-2')).toEqual({ items: expect.any(Array), total: 2, source: 'scan' });
    await maintenance.schedule(true);
    expect(codes(await page('DIST-2'))).toEqual(['M', 'N']);
    expect(await page('DIST-2')).toEqual({ items: expect.any(Array), total: 2, source: 'index' });
    expect(await page('DIST-1')).toEqual({ items: [], total: 0, source: 'index' });
  });

  it('a replica that had not seen an agency change keys with the old tree after the new mark: its own run re-keys them', async () => {
    const moved = new AgencyTree(
      TREE.all().map((agency) => (agency.code === 'COM-1' ? { ...agency, parentCode: 'DIST-2' } : agency)),
    );
    let staleTree = TREE;
    const upToDate = ledgerOn(db, () => moved);
    const stale = ledgerOn(db, () => staleTree);
    await maintenanceOn(db, upToDate, () => moved).schedule(true); // the new mark
    await stale.apply([documentOf(pending('Y', 1, 'COM-1'))]); // keyed under DIST-1
    const page = (agency: string) =>
      repository.overduePage(
        ReportScope.forPrincipal(ADMIN, agency, moved),
        NOW,
        {},
        { sort: 'daysOverdue', order: 'desc', page: 1, pageSize: 50 },
      );
    expect(await page('DIST-2')).toEqual({ items: [], total: 0, source: 'index' }); // the race
    // Its periodic check before it has consumed the change keys nothing back to the old tree.
    await maintenanceOn(db, stale, () => staleTree).schedule(false);
    const mark = await db.collection<{ _id: string; tree?: string }>(NAMES.meta).findOne({ _id: 'overdueIndex' });
    expect(mark?.tree).toBe(treeFingerprint(moved));
    // The stale replica consumes the agency change: it re-keys what was keyed with another tree.
    staleTree = moved;
    await maintenanceOn(db, stale, () => staleTree).schedule(true);
    expect(await page('DIST-2')).toEqual({
      items: [expect.objectContaining({ code: 'Y' })],
      total: 1,
      source: 'index',
    });
    expect(await page('DIST-1')).toEqual({ items: [], total: 0, source: 'index' });
    expect(await counts()).toEqual({
      '*|2017-03-20': 1,
      'PROV|2017-03-20': 1,
      'DIST-2|2017-03-20': 1,
      'COM-1|2017-03-20': 1,
    });
  });
});
