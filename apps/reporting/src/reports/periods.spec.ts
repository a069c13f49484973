import fc from 'fast-check';
import { addDays, weekdayOf } from '@tthc/calendar';
import { dayCount, endOfInterval, INTERVALS, intervalCount, previousPeriod, splitPeriod } from './periods';

describe('periods and calendar intervals', () => {
  it('splits into calendar-aligned intervals clipped to the period (weeks start on Monday)', () => {
    expect(splitPeriod({ from: '2017-03-01', to: '2017-03-15' }, 'week')).toEqual([
      { from: '2017-03-01', to: '2017-03-05' }, // Wednesday → Sunday
      { from: '2017-03-06', to: '2017-03-12' },
      { from: '2017-03-13', to: '2017-03-15' },
    ]);
    expect(splitPeriod({ from: '2016-11-15', to: '2017-08-01' }, 'quarter')).toEqual([
      { from: '2016-11-15', to: '2016-12-31' },
      { from: '2017-01-01', to: '2017-03-31' },
      { from: '2017-04-01', to: '2017-06-30' },
      { from: '2017-07-01', to: '2017-08-01' },
    ]);
    expect(splitPeriod({ from: '2016-02-10', to: '2016-03-02' }, 'month')).toEqual([
      { from: '2016-02-10', to: '2016-02-29' },
      { from: '2016-03-01', to: '2016-03-02' },
    ]);
    expect(splitPeriod({ from: '2016-12-31', to: '2018-01-01' }, 'year')).toEqual([
      { from: '2016-12-31', to: '2016-12-31' },
      { from: '2017-01-01', to: '2017-12-31' },
      { from: '2018-01-01', to: '2018-01-01' },
    ]);
    expect(splitPeriod({ from: '2017-01-01', to: '2017-01-03' }, 'day')).toHaveLength(3);
    expect(endOfInterval('2017-12-05', 'month')).toBe('2017-12-31');
    expect(endOfInterval('2017-11-05', 'quarter')).toBe('2017-12-31');
  });

  it('covers the period exactly, counts its intervals without building them, and weeks run Monday–Sunday (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 3000 }),
        fc.integer({ min: 0, max: 800 }),
        fc.constantFrom(...INTERVALS),
        (start, length, interval) => {
          const period = { from: addDays('2015-01-01', start), to: addDays('2015-01-01', start + length) };
          const parts = splitPeriod(period, interval);
          expect(parts.length).toBe(intervalCount(period, interval));
          expect(parts[0]?.from).toBe(period.from);
          expect(parts[parts.length - 1]?.to).toBe(period.to);
          parts.forEach((part, index) => {
            expect(part.from <= part.to).toBe(true);
            if (index > 0) expect(part.from).toBe(addDays(parts[index - 1]?.to ?? '', 1));
            if (interval === 'week' && index > 0) expect(weekdayOf(part.from)).toBe(1);
          });
        },
      ),
    );
  });

  it('gives the equally long period just before', () => {
    expect(previousPeriod({ from: '2017-04-01', to: '2017-06-30' })).toEqual({ from: '2016-12-31', to: '2017-03-31' });
    expect(dayCount({ from: '2017-04-01', to: '2017-06-30' })).toBe(91);
    expect(previousPeriod({ from: '2017-01-01', to: '2017-01-01' })).toEqual({ from: '2016-12-31', to: '2016-12-31' });
  });
});
