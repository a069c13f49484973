import { Logger } from '@nestjs/common';
import { ProblemException } from '@tthc/http';
import { outboxBatches, STORE_OUTAGE_DETAIL, storeOutage } from './desk-sync.service';

class MongoServerSelectionError extends Error {
  override name = 'MongoServerSelectionError';
}

describe('storeOutage: a MongoDB outage answers 503 with a fixed text; the driver’s message is only logged', () => {
  it('answers the fixed Vietnamese and English text, Retry-After, and logs the error (warn, structured)', () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const error = new MongoServerSelectionError('connect ECONNREFUSED 10.0.0.7:27017 (replica set rs-internal)');
    let thrown: unknown;
    try {
      storeOutage(error);
    } catch (caught) {
      thrown = caught;
    }
    expect(thrown).toBeInstanceOf(ProblemException);
    const answer = thrown as ProblemException;
    expect(answer.problem).toMatchObject({ status: 503, detail: STORE_OUTAGE_DETAIL, error_code: '503' });
    expect(answer.headers).toEqual({ 'Retry-After': '5' });
    expect(JSON.stringify(answer.problem)).not.toMatch(/ECONNREFUSED|10\.0\.0\.7|rs-internal/);
    expect(STORE_OUTAGE_DETAIL).toMatch(/tạm thời/);
    expect(STORE_OUTAGE_DETAIL).toMatch(/unavailable/);
    expect(warn).toHaveBeenCalledWith(
      expect.objectContaining({ error: 'MongoServerSelectionError', detail: error.message }),
    );
    warn.mockRestore();
  });

  it('passes any other error through unchanged', () => {
    const other = new TypeError('a bug');
    expect(() => storeOutage(other)).toThrow(other);
  });
});

describe('outboxBatches: whole outboxes, up to a request’s worth of events per Kafka transaction', () => {
  const sizes = (batches: number[][]) => batches.map((batch) => batch.join('+'));
  it.each<[string, number[], number, string[]]>([
    ['nothing', [], 10, []],
    ['all in one', [3, 3, 4], 10, ['3+3+4']],
    ['a new batch when the next would exceed', [6, 3, 2, 9, 1], 10, ['6+3', '2', '9+1']],
    ['an outbox larger than the limit goes alone, never split', [2, 12, 1], 10, ['2', '12', '1']],
    ['order kept', [1, 1, 1, 1], 2, ['1+1', '1+1']],
  ])('%s', (_, items, max, expected) => {
    expect(sizes(outboxBatches(items, (n) => n, max))).toEqual(expected);
  });
});
