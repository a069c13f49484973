import { duplicateKeyIndexes, isDuplicateKey } from './duplicate-key';

describe('duplicateKeyIndexes', () => {
  it('lists the indexes when every failure is a duplicate key', () => {
    expect(
      duplicateKeyIndexes({ writeErrors: [{ code: 11000, index: 2 }, { err: { code: 11000, index: 5 } }] }),
    ).toEqual([2, 5]);
    expect(duplicateKeyIndexes({ writeErrors: { code: 11000, index: 0 } })).toEqual([0]);
  });

  it('gives null when another error is among them, or when it is not a bulk write error', () => {
    expect(
      duplicateKeyIndexes({
        writeErrors: [
          { code: 11000, index: 1 },
          { code: 121, index: 2 },
        ],
      }),
    ).toBeNull();
    expect(duplicateKeyIndexes(new Error('network'))).toBeNull();
    expect(duplicateKeyIndexes({ writeErrors: [{ code: 11000 }] })).toBeNull();
  });
});

describe('isDuplicateKey', () => {
  it('recognises a single write refused on a duplicate key, and nothing else', () => {
    expect(isDuplicateKey({ code: 11000, message: 'E11000 duplicate key error' })).toBe(true);
    expect(isDuplicateKey({ code: 11001 })).toBe(false);
    expect(isDuplicateKey(new Error('connection closed'))).toBe(false);
    expect(isDuplicateKey(null)).toBe(false);
  });
});
