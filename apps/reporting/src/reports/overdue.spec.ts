import { snapshotOf } from '@tthc/testing';
import { overdueNow, pageOf, type OverdueDossier } from './overdue';

const NOW = Date.parse('2017-03-25T03:00:00Z'); // 10:00 local, 25 March

describe('overdue as of now', () => {
  it('lists pending dossiers whose due date is before today, with calendar days overdue', () => {
    const overdue = overdueNow(snapshotOf({ dossierCode: 'A', version: 1 }), NOW); // due 2017-03-20 17:00 local
    expect(overdue).toEqual({
      code: 'A',
      agencyCode: 'A-1',
      procedureCode: 'P-1',
      dueAt: '2017-03-20T10:00:00.000Z',
      dueDate: '2017-03-20',
      daysOverdue: 5,
    });
  });

  it('judges with the due history on-time-rate counted with (its policies), when the outcome carried it', () => {
    const snapshot = snapshotOf({ dossierCode: 'A', version: 1, rescheduledDueAt: '2017-03-31T10:00:00.000Z' });
    // Re-dated to 31 March under rescheduledDue=honoured: within deadline on 25 March.
    const honoured = [
      { dueAt: '2017-03-20T10:00:00.000Z', effectiveAt: '2017-03-14T02:12:00.000Z' },
      { dueAt: '2017-03-31T10:00:00.000Z', effectiveAt: '2017-03-16T02:00:00.000Z' },
    ];
    expect(overdueNow(snapshot, NOW, honoured)).toBeNull();
    // Without it (an outcome of before issue 14): the published history, due 20 March.
    expect(overdueNow(snapshot, NOW)?.dueDate).toBe('2017-03-20');
    // Subtract moved the due to 24 March: overdue by one day, shown with that due.
    const subtract = [{ dueAt: '2017-03-24T10:00:00.000Z', effectiveAt: '2017-03-14T02:12:00.000Z' }];
    expect(overdueNow(snapshot, NOW, subtract)).toMatchObject({ dueAt: '2017-03-24T10:00:00.000Z', daysOverdue: 1 });
  });

  it('leaves out finished, voided, waiting, not-yet-due, due-today and no-due-date dossiers', () => {
    const base = { dossierCode: 'B', version: 1 };
    expect(overdueNow(snapshotOf({ ...base, finishedAt: '2017-03-22T00:00:00Z', status: 'resolved' }), NOW)).toBeNull();
    expect(overdueNow(snapshotOf({ ...base, status: 'voided' }), NOW)).toBeNull();
    expect(
      overdueNow(
        snapshotOf({ ...base, waiting: [{ kind: 'supplement', from: '2017-03-18T00:00:00Z', to: null }] }),
        NOW,
      ),
    ).toBeNull();
    const dueToday = '2017-03-25T09:00:00.000Z';
    expect(
      overdueNow(
        snapshotOf({
          ...base,
          dueAt: dueToday,
          dueHistory: [{ dueAt: dueToday, reason: 'initial', effectiveAt: '2017-03-14T02:12:00.000Z' }],
        }),
        NOW,
      ),
    ).toBeNull();
    expect(
      overdueNow(
        snapshotOf({
          ...base,
          dueAt: null,
          dueHistory: [{ dueAt: null, reason: 'initial', effectiveAt: '2017-03-14T02:12:00.000Z' }],
        }),
        NOW,
      ),
    ).toBeNull();
    // A finished wait does not stop it; a due change that takes effect later is not in force yet.
    expect(
      overdueNow(
        snapshotOf({ ...base, waiting: [{ kind: 'pause', from: '2017-03-15T00:00:00Z', to: '2017-03-16T00:00:00Z' }] }),
        NOW,
      ),
    ).not.toBeNull();
    const later = snapshotOf({
      ...base,
      dueHistory: [
        { dueAt: '2017-03-20T10:00:00.000Z', reason: 'initial', effectiveAt: '2017-03-14T02:12:00.000Z' },
        { dueAt: '2017-04-20T10:00:00.000Z', reason: 'supplement_restart', effectiveAt: '2017-03-26T00:00:00.000Z' },
      ],
    });
    expect(overdueNow(later, NOW)?.daysOverdue).toBe(5);
  });

  it('sorts (ties by code) and pages', () => {
    const item = (code: string, agencyCode: string, days: number): OverdueDossier => ({
      code,
      agencyCode,
      procedureCode: 'P',
      dueAt: new Date(NOW - days * 86_400_000).toISOString(),
      dueDate: '',
      daysOverdue: days,
    });
    const items = [item('C', 'X', 3), item('A', 'Z', 5), item('B', 'Y', 3)];
    expect(pageOf(items, 'daysOverdue', 'desc', 1, 10).map((i) => i.code)).toEqual(['A', 'B', 'C']);
    expect(pageOf(items, 'dueAt', 'asc', 1, 2).map((i) => i.code)).toEqual(['A', 'B']);
    expect(pageOf(items, 'dueAt', 'asc', 2, 2).map((i) => i.code)).toEqual(['C']);
    expect(pageOf(items, 'agency', 'desc', 1, 10).map((i) => i.code)).toEqual(['A', 'B', 'C']);
    expect(pageOf(items, 'code', 'asc', 1, 10).map((i) => i.code)).toEqual(['A', 'B', 'C']);
  });
});
