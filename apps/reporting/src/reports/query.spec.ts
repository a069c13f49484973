import { ProblemException } from '@tthc/http';
import { form06aQuerySchema, overdueQuerySchema, parseQuery, periodQuerySchema, timeseriesQuerySchema } from './query';

const problemOf = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    if (error instanceof ProblemException) return error.problem;
    throw error;
  }
  throw new Error('no problem');
};

describe('report query validation', () => {
  it('accepts a period with filters and restate', () => {
    expect(
      parseQuery(periodQuerySchema, { from: '2017-01-01', to: '2017-03-31', channel: 'online', restate: 'true' }),
    ).toEqual({ from: '2017-01-01', to: '2017-03-31', channel: 'online', restate: true });
    expect(parseQuery(form06aQuerySchema, { from: '2017-01-01', to: '2017-01-01' })).toMatchObject({
      rows: 'field',
      format: 'json',
      restate: false,
    });
    expect(parseQuery(timeseriesQuerySchema, { from: '2017-01-01', to: '2017-01-01', interval: 'week' }).interval).toBe(
      'week',
    );
    expect(parseQuery(overdueQuerySchema, { page: '2' })).toMatchObject({
      page: 2,
      pageSize: 50,
      sort: 'daysOverdue',
      order: 'desc',
    });
  });

  it('answers 400 listing every bad parameter', () => {
    const bad = problemOf(() =>
      parseQuery(form06aQuerySchema, { from: '2017-02-30', channel: 'fax', rows: 'desk', format: 'pdf' }),
    );
    expect(bad.status).toBe(400);
    expect((bad.errors as { path: string }[]).map((e) => e.path).sort()).toEqual([
      'channel',
      'format',
      'from',
      'rows',
      'to',
    ]);
    const reversed = problemOf(() => parseQuery(periodQuerySchema, { from: '2017-03-01', to: '2017-02-01' }));
    expect(reversed.errors).toEqual([{ path: 'to', message: 'must not be before from' }]);
    expect(problemOf(() => parseQuery(overdueQuerySchema, { pageSize: '5000' })).status).toBe(400);
    expect(
      problemOf(() => parseQuery(periodQuerySchema, { from: '2017-01-01', to: '2017-01-02', restate: 'yes' })).status,
    ).toBe(400);
  });
});
