import { snapshotOf } from '@tthc/testing';
import type { DossierRecord } from '../persistence/schemas';
import { decideFire, isPending, planSweep, planTimer, planTimers, timerJobId } from './timer-plan';

const NOW = Date.parse('2017-03-18T00:00:00.000Z');
const DUE = '2017-03-20T10:00:00.000Z';
/** A paused / waiting-for-supplement state as the fold publishes it: the status and the open wait. */
const PAUSED = { status: 'paused', waiting: [{ kind: 'pause', from: '2017-03-16T02:00:00.000Z', to: null }] } as const;
const WAITING = {
  status: 'waiting_supplement',
  waiting: [{ kind: 'supplement', from: '2017-03-16T02:00:00.000Z', to: null }],
} as const;

function record(
  version: number,
  overrides: Partial<DossierRecord['state'] & object> = {},
  extra: Partial<DossierRecord> = {},
): DossierRecord {
  const { version: _ignored, ...state } = snapshotOf({ dossierCode: 'D-1', version, dueAt: DUE, ...overrides });
  return {
    _id: 'D-1',
    kind: 'dossier',
    version,
    publishedVersion: version - 1,
    factOwed: false,
    state,
    updatedAt: '2017-03-14T00:00:00.000Z',
    ...extra,
  };
}

describe('timerJobId', () => {
  it('is due:<code>:<version>, with the code encoded so BullMQ accepts it', () => {
    expect(timerJobId('000.00.12.H56-170314-0001', 3)).toBe('due:000.00.12.H56-170314-0001:3');
    expect(timerJobId('A:B/C', 1)).toBe('due:A%3AB%2FC:1');
    expect(timerJobId('A:B', 1).split(':')).toHaveLength(3);
  });
});

describe('isPending', () => {
  it('needs a received, unfinished, not voided dossier with a due date', () => {
    expect(isPending(record(1))).toBe(true);
    expect(isPending(record(1, { ...PAUSED, waiting: [...PAUSED.waiting] }))).toBe(true);
    expect(isPending(record(1, { dueAt: null }))).toBe(false);
    expect(isPending(record(1, { status: 'voided' }))).toBe(false);
    expect(isPending(record(1, { status: 'resolved', finishedAt: '2017-03-19T00:00:00.000Z' }))).toBe(false);
    expect(isPending({ ...record(1), kind: 'awaiting_receipt', state: null })).toBe(false);
    expect(isPending(undefined)).toBe(false);
  });
});

describe('planTimer: which job to add and which to remove', () => {
  it('adds the timer of a new pending dossier, delayed until its due instant', () => {
    expect(planTimer(undefined, record(1), NOW)).toEqual({
      add: [{ id: 'due:D-1:1', dossierCode: 'D-1', version: 1, dueAt: DUE, delay: Date.parse(DUE) - NOW }],
      remove: [],
    });
  });

  it('fires at once (delay 0) when the due instant already passed', () => {
    expect(planTimer(undefined, record(1), Date.parse(DUE) + 5000).add[0]?.delay).toBe(0);
  });

  it('replaces the timer of the previous version when the due date changes', () => {
    const later = '2017-03-22T10:00:00.000Z';
    const plan = planTimer(record(1), record(2, { dueAt: later }), NOW);
    expect(plan.remove).toEqual(['due:D-1:1']);
    expect(plan.add).toMatchObject([{ id: 'due:D-1:2', dueAt: later }]);
  });

  it('replaces the timer on any new version (the job checks the version when it fires)', () => {
    const plan = planTimer(record(1), record(2, { agencyCode: 'A-2' }), NOW);
    expect(plan).toMatchObject({ remove: ['due:D-1:1'], add: [{ id: 'due:D-1:2' }] });
  });

  it('removes the timer when the dossier finishes or is voided, and adds none', () => {
    const finished = record(2, { status: 'resolved', finishedAt: '2017-03-19T00:00:00.000Z' });
    expect(planTimer(record(1), finished, NOW)).toEqual({ add: [], remove: ['due:D-1:1'] });
    expect(planTimer(record(1), record(2, { status: 'voided' }), NOW)).toEqual({ add: [], remove: ['due:D-1:1'] });
  });

  it('removes the timer when the due date goes away', () => {
    expect(planTimer(record(1), record(2, { dueAt: null }), NOW)).toEqual({ add: [], remove: ['due:D-1:1'] });
  });

  it('removes nothing when the previous version had no timer', () => {
    const previous = record(1, { dueAt: null });
    expect(planTimer(previous, record(2), NOW)).toMatchObject({ remove: [], add: [{ id: 'due:D-1:2' }] });
    expect(planTimer({ ...record(1), kind: 'awaiting_receipt', state: null }, record(2), NOW).remove).toEqual([]);
  });

  it('keeps the timer of a paused dossier (the pause extends the due date only when it ends)', () => {
    expect(planTimer(record(1), record(2, { ...PAUSED, waiting: [...PAUSED.waiting] }), NOW).add).toHaveLength(1);
  });

  it('adds no timer when the due date in force was already notified as overdue', () => {
    const next = record(2, { agencyCode: 'A-2' }, { overdueNotifiedAt: '2017-03-20T10:00:01.000Z' });
    expect(planTimer(record(1), next, NOW)).toEqual({ add: [], remove: ['due:D-1:1'] });
  });

  it('plans a batch: adds in bulk, removes in bulk', () => {
    const other = { ...record(1), _id: 'D-2', state: { ...record(1).state!, dossierCode: 'D-2' } };
    const plan = planTimers(new Map([['D-1', record(1)]]), [record(2), other], NOW);
    expect(plan.add.map((job) => job.id)).toEqual(['due:D-1:2', 'due:D-2:1']);
    expect(plan.remove).toEqual(['due:D-1:1']);
  });
});

describe('decideFire: what a firing timer does', () => {
  const after = Date.parse(DUE) + 1;
  it('notifies a pending dossier of the same version once its due instant passed', () => {
    expect(decideFire(record(1), 1, after)).toBe('notify');
  });
  it('does nothing for another version, a finished or voided dossier, or an unknown one', () => {
    expect(decideFire(record(2), 1, after)).toBe('stale');
    expect(decideFire(null, 1, after)).toBe('stale');
    expect(decideFire(record(1, { status: 'returned', finishedAt: DUE }), 1, after)).toBe('not_pending');
    expect(decideFire(record(1, { status: 'voided' }), 1, after)).toBe('not_pending');
  });
  it('does not notify paused dossiers or those waiting for a supplement (within deadline)', () => {
    expect(decideFire(record(1, { ...PAUSED, waiting: [...PAUSED.waiting] }), 1, after)).toBe('waiting');
    expect(decideFire(record(1, { ...WAITING, waiting: [...WAITING.waiting] }), 1, after)).toBe('waiting');
  });
  it("waits until the version's own lifecycle fact is published, so the notification follows it", () => {
    expect(decideFire(record(1, {}, { factOwed: true }), 1, after)).toBe('fact_owed');
    expect(planSweep(record(1, {}, { factOwed: true }), 'missing', after)).toEqual({ action: 'none' });
  });
  it('does not notify twice, nor before the due instant', () => {
    expect(decideFire(record(1, {}, { overdueNotifiedAt: DUE }), 1, after)).toBe('already_notified');
    expect(decideFire(record(1), 1, Date.parse(DUE) - 1)).toBe('not_yet_due');
  });
});

describe('planSweep: what reconciliation does with a pending record', () => {
  it('leaves a present timer alone', () => {
    expect(planSweep(record(1), 'present', NOW)).toEqual({ action: 'none' });
  });
  it('re-adds a missing timer that is not yet due', () => {
    expect(planSweep(record(1), 'missing', NOW)).toMatchObject({ action: 'add', job: { id: 'due:D-1:1' } });
  });
  it('notifies an overdue-now dossier whose timer is missing, unless paused, waiting or already notified', () => {
    const after = Date.parse(DUE) + 1;
    expect(planSweep(record(1), 'missing', after)).toEqual({ action: 'notify' });
    expect(planSweep(record(1, { ...PAUSED, waiting: [...PAUSED.waiting] }), 'missing', after)).toEqual({
      action: 'none',
    });
    expect(planSweep(record(1, { ...WAITING, waiting: [...WAITING.waiting] }), 'missing', after)).toEqual({
      action: 'none',
    });
    expect(planSweep(record(1, {}, { overdueNotifiedAt: DUE }), 'missing', after)).toEqual({ action: 'none' });
  });
  it('ignores records that need no timer', () => {
    expect(planSweep(record(1, { dueAt: null }), 'missing', NOW)).toEqual({ action: 'none' });
  });
});
