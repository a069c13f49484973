import { assignedLag, partitionLag } from './consumer-lag';

describe('consumer lag', () => {
  it('is the messages after the committed offset, or the whole log without a commit', () => {
    expect(partitionLag(40, 0, 100)).toBe(60);
    expect(partitionLag(-1, 10, 100)).toBe(90);
    expect(partitionLag(100, 0, 100)).toBe(0);
  });

  it('is never negative when a commit is newer than the high-water mark read', () => {
    expect(partitionLag(120, 0, 100)).toBe(0);
  });

  it('is exported for the assigned partitions only', () => {
    const offsets = [0, 1, 2, 3].map((partition) => ({ partition, low: '0', high: String(10 * (partition + 1)) }));
    const committed = new Map([
      [1, 15],
      [3, 40],
    ]);
    expect(assignedLag('t', [1, 3], committed, offsets)).toEqual([
      { labels: { topic: 't', partition: '1' }, lag: 5 },
      { labels: { topic: 't', partition: '3' }, lag: 0 },
    ]);
    expect(assignedLag('t', [], committed, offsets)).toEqual([]);
  });
});
