import { indexChanges, journalsWithoutIndex } from '@tthc/counter-ledger';
import { snapshotOf } from '@tthc/testing';
import { overdueNow } from './overdue';
import {
  byDueDate,
  compareOverdueKeys,
  countIdOf,
  datesRange,
  indexedDueAt,
  overdueIndexComplete,
  overdueKeysOf,
  overdueRange,
  parseOverdueKey,
  planPage,
  SEP,
} from './overdue-index';

const k = (...parts: string[]) => parts.join(SEP);
const NOW = Date.parse('2017-03-25T03:00:00Z'); // 10:00 local, 25 March

describe('overdue index keys', () => {
  it('keys a pending dossier under everything and each agency of its ancestry, by local due date, due instant, code', () => {
    const snapshot = snapshotOf({ dossierCode: 'A', version: 1 }); // due 2017-03-20 17:00 local
    expect(overdueKeysOf(snapshot, ['A-1', 'DIST', 'PROV'])).toEqual([
      k('*', '2017-03-20', '2017-03-20T10:00:00.000Z', 'A'),
      k('A-1', '2017-03-20', '2017-03-20T10:00:00.000Z', 'A'),
      k('DIST', '2017-03-20', '2017-03-20T10:00:00.000Z', 'A'),
      k('PROV', '2017-03-20', '2017-03-20T10:00:00.000Z', 'A'),
    ]);
  });

  it('uses the local date: a due at 20:00 UTC is the next day in Vietnam', () => {
    const due = '2017-03-20T20:00:00.000Z';
    const snapshot = snapshotOf({
      dossierCode: 'B',
      version: 1,
      dueAt: due,
      dueHistory: [{ dueAt: due, reason: 'initial', effectiveAt: '2017-03-01T00:00:00.000Z' }],
    });
    expect(overdueKeysOf(snapshot, ['A-1'])[0]).toBe(k('*', '2017-03-21', due, 'B'));
  });

  it('keys the last due of the history (a re-dated dossier moves)', () => {
    const snapshot = snapshotOf({
      dossierCode: 'C',
      version: 2,
      dueHistory: [
        { dueAt: '2017-03-20T10:00:00.000Z', reason: 'initial', effectiveAt: '2017-03-01T00:00:00.000Z' },
        { dueAt: '2017-03-23T10:00:00+00:00', reason: 'supplement_restart', effectiveAt: '2017-03-10T00:00:00.000Z' },
      ],
    });
    expect(indexedDueAt(snapshot)).toBe('2017-03-23T10:00:00.000Z');
  });

  it("keys the due counted with (the outcome's countingDue) over the published one", () => {
    const snapshot = snapshotOf({
      dossierCode: 'E',
      version: 2,
      dueHistory: [
        { dueAt: '2017-03-20T10:00:00.000Z', reason: 'initial', effectiveAt: '2017-03-01T00:00:00.000Z' },
        { dueAt: '2017-03-23T10:00:00.000Z', reason: 'rescheduled', effectiveAt: '2017-03-10T00:00:00.000Z' },
      ],
    });
    const countingDue = [{ dueAt: '2017-03-20T10:00:00.000Z', effectiveAt: '2017-03-01T00:00:00.000Z' }];
    expect(indexedDueAt(snapshot)).toBe('2017-03-23T10:00:00.000Z');
    expect(indexedDueAt(snapshot, countingDue)).toBe('2017-03-20T10:00:00.000Z');
    expect(overdueKeysOf(snapshot, [], countingDue)[0]).toBe(k('*', '2017-03-20', '2017-03-20T10:00:00.000Z', 'E'));
  });

  it('leaves out finished, voided, waiting and no-due-date dossiers', () => {
    const base = { dossierCode: 'D', version: 1 };
    expect(overdueKeysOf(snapshotOf({ ...base, finishedAt: '2017-03-22T00:00:00Z', status: 'resolved' }), [])).toEqual(
      [],
    );
    expect(overdueKeysOf(snapshotOf({ ...base, status: 'voided' }), [])).toEqual([]);
    expect(
      overdueKeysOf(snapshotOf({ ...base, waiting: [{ kind: 'pause', from: '2017-03-18T00:00:00Z', to: null }] }), []),
    ).toEqual([]);
    expect(
      overdueKeysOf(
        snapshotOf({
          ...base,
          dueAt: null,
          dueHistory: [{ dueAt: null, reason: 'initial', effectiveAt: '2017-03-01T00:00:00.000Z' }],
        }),
        [],
      ),
    ).toEqual([]);
  });

  it('keeps a dossier whose waiting ended (overdueNow decides as of the request)', () => {
    const snapshot = snapshotOf({
      dossierCode: 'E',
      version: 3,
      waiting: [{ kind: 'supplement', from: '2017-03-18T00:00:00Z', to: '2017-03-19T00:00:00Z' }],
    });
    expect(overdueKeysOf(snapshot, ['A-1'])).toHaveLength(2);
    expect(overdueNow(snapshot, NOW)).not.toBeNull();
  });

  it('counts by scope and local due date; ranges stop before today and hold only their scope', () => {
    const key = k('PROV', '2017-03-20', '2017-03-20T10:00:00.000Z', 'A');
    expect(countIdOf(key)).toBe(k('PROV', '2017-03-20'));
    const range = overdueRange('PROV', '2017-03-25');
    const inside = (id: string) => id >= range.from && id < range.to;
    expect(inside(key)).toBe(true);
    expect(inside(k('PROV', '2017-03-25', '2017-03-25T01:00:00.000Z', 'T'))).toBe(false);
    expect(inside(k('PROV2', '2017-03-20', '2017-03-20T10:00:00.000Z', 'A'))).toBe(false);
    expect(inside(k('PRO', '2017-03-20', '2017-03-20T10:00:00.000Z', 'A'))).toBe(false);
    expect(inside(countIdOf(key))).toBe(true);
    const days = datesRange('PROV', '2017-03-20', '2017-03-21');
    const inDays = (id: string) => id >= days.from && id < days.to;
    expect(inDays(key)).toBe(true);
    expect(inDays(k('PROV', '2017-03-21', '2017-03-21T16:59:00.000Z', 'Z'))).toBe(true);
    expect(inDays(k('PROV', '2017-03-22', '2017-03-21T17:00:00.000Z', 'A'))).toBe(false);
    expect(inDays(k('PROV', '2017-03-19', '2017-03-19T10:00:00.000Z', 'A'))).toBe(false);
  });
});

describe('overdue page plan', () => {
  const counts = [
    { date: '2017-03-02', n: 3 },
    { date: '2017-03-01', n: 2 },
    { date: '2017-03-05', n: 0 },
    { date: '2017-03-04', n: 4 },
  ];

  it('serves the due-date sorts from the dates; code and agency sorts are not', () => {
    expect(byDueDate('daysOverdue', 'desc')).toEqual({ sort: 'daysOverdue', ascending: true });
    expect(byDueDate('daysOverdue', 'asc')).toEqual({ sort: 'daysOverdue', ascending: false });
    expect(byDueDate('dueAt', 'asc')).toEqual({ sort: 'dueAt', ascending: true });
    expect(byDueDate('dueAt', 'desc')).toEqual({ sort: 'dueAt', ascending: false });
    expect(byDueDate('code', 'asc')).toBeNull();
    expect(byDueDate('agency', 'desc')).toBeNull();
  });

  it('finds the dates that hold a page and the entries before it', () => {
    expect(planPage(counts, true, 1, 2)).toEqual({ dates: ['2017-03-01'], skip: 0, total: 9 });
    expect(planPage(counts, true, 2, 2)).toEqual({ dates: ['2017-03-02'], skip: 0, total: 9 });
    expect(planPage(counts, true, 2, 3)).toEqual({ dates: ['2017-03-02', '2017-03-04'], skip: 1, total: 9 });
    expect(planPage(counts, true, 1, 50)).toEqual({
      dates: ['2017-03-01', '2017-03-02', '2017-03-04'],
      skip: 0,
      total: 9,
    });
    expect(planPage(counts, false, 1, 5)).toEqual({ dates: ['2017-03-04', '2017-03-02'], skip: 0, total: 9 });
    expect(planPage(counts, false, 2, 4)).toEqual({ dates: ['2017-03-02', '2017-03-01'], skip: 0, total: 9 });
    expect(planPage(counts, true, 4, 3)).toEqual({ dates: [], skip: 0, total: 9 });
    expect(planPage([], true, 1, 50)).toEqual({ dates: [], skip: 0, total: 0 });
  });
});

describe('entry key order', () => {
  const key = (dueDate: string, dueAt: string, code: string) => k('P', dueDate, dueAt, code);
  const keys = [
    key('2017-03-02', '2017-03-01T18:00:00.000Z', 'B'),
    key('2017-03-01', '2017-03-01T02:00:00.000Z', 'C'),
    key('2017-03-01', '2017-03-01T09:00:00.000Z', 'A'),
    key('2017-03-02', '2017-03-02T01:00:00.000Z', 'A'),
  ];
  const codes = (sorted: string[]) =>
    sorted.map((id) => parseOverdueKey(id).code + parseOverdueKey(id).dueDate.slice(-1));

  it('parses a key', () => {
    expect(parseOverdueKey(k('P', '2017-03-01', '2017-03-01T02:00:00.000Z', 'X', 'Y'))).toEqual({
      scope: 'P',
      dueDate: '2017-03-01',
      dueAt: '2017-03-01T02:00:00.000Z',
      code: `X${SEP}Y`,
    });
  });

  it('orders like pageOf: by due instant, or by local due date reversed for days overdue, ties by code', () => {
    expect(codes([...keys].sort(compareOverdueKeys('dueAt', 'asc')))).toEqual(['C1', 'A1', 'B2', 'A2']);
    expect(codes([...keys].sort(compareOverdueKeys('dueAt', 'desc')))).toEqual(['A2', 'B2', 'A1', 'C1']);
    expect(codes([...keys].sort(compareOverdueKeys('daysOverdue', 'desc')))).toEqual(['A1', 'C1', 'A2', 'B2']);
    expect(codes([...keys].sort(compareOverdueKeys('daysOverdue', 'asc')))).toEqual(['A2', 'B2', 'A1', 'C1']);
  });
});

describe('index changes of a journal', () => {
  const index = { keysOf: (doc: { keys: string[] }) => doc.keys, countOf: (key: string) => key.slice(0, 2) };

  it('adds, moves and removes keys; counts move by the difference', () => {
    const changes = indexChanges(
      index,
      [
        { document: { keys: ['a1x', 'b1x'] }, previousKeys: [] },
        { document: { keys: ['a2y'] }, previousKeys: ['a1y'] },
        { document: { keys: [] }, previousKeys: ['a1z', 'b1z'] },
        { document: { keys: ['a1w'] }, previousKeys: ['a1w'] },
      ],
      'tree-1',
    );
    expect(changes.version).toBe('tree-1');
    expect(changes.keys).toEqual([['a1x', 'b1x'], ['a2y'], [], ['a1w']]);
    expect(changes.removed).toEqual(['a1y', 'a1z', 'b1z']);
    expect(changes.counts.sort((a, b) => (a._id < b._id ? -1 : 1))).toEqual([
      { _id: 'a1', n: -1 },
      { _id: 'a2', n: 1 },
    ]);
  });
});

describe('whether the overdue index may answer (the maintenance mark)', () => {
  const mark = { _id: 'overdueIndex', tree: 'T2', withoutIndex: 3 };
  const sequence = { _id: 'sequence', value: 10, indexed: 7 };

  it('answers when the mark is for this tree and no journal without an index part came since', () => {
    expect(overdueIndexComplete(mark, sequence, 'T2')).toBe(true);
  });

  it('scans before the first backfill has finished (no mark, or a mark of the version without owner records)', () => {
    expect(overdueIndexComplete(null, sequence, 'T2')).toBe(false);
    expect(overdueIndexComplete(undefined, sequence, 'T2')).toBe(false);
    expect(overdueIndexComplete({ _id: 'overdueIndex', tree: 'T2' }, sequence, 'T2')).toBe(false);
  });

  it('scans while the index is keyed by another tree', () => {
    expect(overdueIndexComplete(mark, sequence, 'T3')).toBe(false);
  });

  it('scans once an older version has written a dossier without the index', () => {
    expect(overdueIndexComplete(mark, { ...sequence, value: 11 }, 'T2')).toBe(false);
    // Journals with an index part move both numbers.
    expect(overdueIndexComplete(mark, { _id: 'sequence', value: 12, indexed: 9 }, 'T2')).toBe(true);
    // Before any journal, with a mark of an empty ledger.
    expect(overdueIndexComplete({ ...mark, withoutIndex: 0 }, null, 'T2')).toBe(true);
  });
});

describe('journals without an index part', () => {
  it('are the completed journals less those that carried one', () => {
    expect(journalsWithoutIndex(null)).toBe(0);
    expect(journalsWithoutIndex({ _id: 'sequence', value: 5 })).toBe(5);
    expect(journalsWithoutIndex({ _id: 'sequence', value: 5, indexed: 5 })).toBe(0);
  });
});
