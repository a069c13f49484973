import type { DossierSnapshot } from '@tthc/contracts';
import { classify } from './classify';
import { dueInForceOf, publishedDueHistory } from './due-rules';

const base: DossierSnapshot = {
  dossierCode: 'D-1',
  version: 3,
  status: 'resolved',
  procedureCode: 'P',
  fieldCode: 'F',
  agencyCode: 'A',
  receivingAgencyCode: 'A',
  channel: 'online',
  receivedAt: '2017-03-01T02:00:00.000Z',
  dueAt: '2017-03-08T10:00:00.000Z', // 17:00 on 8 March, local
  dueHistory: [{ dueAt: '2017-03-08T10:00:00.000Z', reason: 'initial', effectiveAt: '2017-03-01T02:00:00.000Z' }],
  rescheduledDueAt: null,
  waiting: [],
  finishedAt: null,
  finishKind: null,
  outcome: null,
};
const finished = (finishedAt: string, finishKind: DossierSnapshot['finishKind'] = 'resolved') =>
  classify({ ...base, finishedAt, finishKind });

describe('docs/counting-rules.md §5 outcome classification', () => {
  it('finish date before the due date is early', () => {
    expect(finished('2017-03-07T09:00:00.000Z').outcome).toBe('early');
  });

  it('finish on the due date is on time, even after the due hour', () => {
    expect(finished('2017-03-08T01:00:00.000Z').outcome).toBe('on_time');
    expect(finished('2017-03-08T15:00:00.000Z').outcome).toBe('on_time'); // 22:00 local, same date
  });

  it('finish after the due date is late; dates are local (UTC+7)', () => {
    expect(finished('2017-03-08T17:30:00.000Z').outcome).toBe('late'); // 00:30 on 9 March local
  });

  it('withdrawn counts as on time and is reported as withdrawn', () => {
    expect(finished('2017-04-30T00:00:00.000Z', 'withdrawn')).toEqual({ outcome: 'on_time', withdrawn: true });
  });

  it('no due date counts as on time; unfinished has no outcome', () => {
    expect(
      classify({
        ...base,
        dueAt: null,
        dueHistory: [{ dueAt: null, reason: 'initial', effectiveAt: base.receivedAt }],
        finishedAt: '2030-01-01T00:00:00Z',
        finishKind: 'resolved',
      }).outcome,
    ).toBe('on_time');
    expect(classify(base)).toEqual({ outcome: null, withdrawn: false });
  });

  it('judges with the due date in force when the dossier finished', () => {
    const history = [
      { dueAt: '2017-03-08T10:00:00.000Z', reason: 'initial' as const, effectiveAt: '2017-03-01T02:00:00.000Z' },
      {
        dueAt: '2017-03-20T10:00:00.000Z',
        reason: 'supplement_restart' as const,
        effectiveAt: '2017-03-10T02:00:00.000Z',
      },
    ];
    expect(
      dueInForceOf(publishedDueHistory({ ...base, dueHistory: history }), Date.parse('2017-03-09T00:00:00Z')),
    ).toBe(Date.parse('2017-03-08T10:00:00.000Z'));
    expect(
      classify({ ...base, dueHistory: history, finishedAt: '2017-03-15T02:00:00.000Z', finishKind: 'resolved' })
        .outcome,
    ).toBe('early');
  });
});
