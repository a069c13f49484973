import { newestVersions } from './newest-versions';

const item = (key: string, version: number) => ({ key, version });
const pick = (items: { key: string; version: number }[], stored: [string, number][] = []) =>
  newestVersions(
    items,
    (i) => i.key,
    (i) => i.version,
    new Map(stored),
  );

describe('newestVersions', () => {
  it('keeps the highest version per key', () => {
    expect(pick([item('a', 1), item('a', 3), item('a', 2), item('b', 1)])).toEqual([item('a', 3), item('b', 1)]);
  });

  it('drops what is not newer than the stored version (redelivery, replay)', () => {
    expect(
      pick(
        [item('a', 2), item('b', 5)],
        [
          ['a', 2],
          ['b', 4],
        ],
      ),
    ).toEqual([item('b', 5)]);
    expect(pick([item('a', 1)], [['a', 3]])).toEqual([]);
  });
});
