import { checkQueries, isSharedGroup, lagOf, stableView } from './check';

describe('checkQueries', () => {
  it("asks the year's summary, each root's summary, II.06a by field and by agency and its quarters", () => {
    const queries = checkQueries(2017, ['H56']);
    expect(queries).toContainEqual({ report: 'summary', from: '2017-01-01', to: '2017-12-31' });
    expect(queries).toContainEqual({ report: 'summary', from: '2017-01-01', to: '2017-12-31', agency: 'H56' });
    expect(queries).toContainEqual({
      report: 'form-06a',
      from: '2017-01-01',
      to: '2017-12-31',
      agency: 'H56',
      rows: 'field',
    });
    expect(queries).toContainEqual({
      report: 'form-06a',
      from: '2017-01-01',
      to: '2017-12-31',
      agency: 'H56',
      rows: 'agency',
    });
    expect(queries).toContainEqual({ report: 'summary', from: '2017-10-01', to: '2017-12-31', agency: 'H56' });
    expect(queries).toHaveLength(1 + 3 + 4);
    expect(checkQueries(2017, ['A', 'B'])).toHaveLength(1 + 2 * 7);
  });
});

describe('isSharedGroup', () => {
  it('takes the namespace groups but not the per-process broadcast ones nor other namespaces', () => {
    expect(isSharedGroup('flt1.tthc.on-time-rate', 'flt1.')).toBe(true);
    expect(isSharedGroup('flt1.tthc.on-time-rate.broadcast.ab12', 'flt1.')).toBe(false);
    expect(isSharedGroup('flt2.tthc.on-time-rate', 'flt1.')).toBe(false);
    expect(isSharedGroup('tthc.on-time-rate', 'flt1.')).toBe(false);
  });
});

describe('lagOf', () => {
  it('sums end − committed, counting an uncommitted partition from 0 and never below 0', () => {
    expect(
      lagOf([
        { partition: 0, committed: 10, end: 10 },
        { partition: 1, committed: 4, end: 10 },
        { partition: 2, committed: -1, end: 3 },
        { partition: 3, committed: 12, end: 10 },
      ]),
    ).toBe(6 + 3);
    expect(lagOf([])).toBe(0);
  });
});

describe('stableView', () => {
  it('ignores the time stamps of an answer but not its figures', () => {
    const a = { dataAsOf: '2026-01-01T00:00:00Z', received: { new: 3 }, rows: [{ generatedAt: 'x', n: 1 }] };
    const b = { dataAsOf: '2026-01-01T00:00:05Z', received: { new: 3 }, rows: [{ generatedAt: 'y', n: 1 }] };
    expect(stableView(a)).toBe(stableView(b));
    expect(stableView(a)).not.toBe(stableView({ ...b, received: { new: 4 } }));
  });
});
