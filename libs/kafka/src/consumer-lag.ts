/**
 * Consumer lag of one partition: messages not yet consumed by the group. `committed` is the
 * group's committed offset (the next message it will read), or −1 when it has none yet (then
 * everything still in the log counts, from `low`). Never negative: the high-water mark is read
 * after the committed offset, and a commit that raced ahead of it counts as no lag.
 */
export function partitionLag(committed: number, low: number, high: number): number {
  const start = committed < 0 ? low : committed;
  return Math.max(0, high - start);
}

/**
 * The lag gauge's entries for the partitions this replica is assigned (each partition of a group
 * is exported by exactly one replica, so `sum()` over replicas does not over-count).
 */
export function assignedLag(
  topic: string,
  assigned: readonly number[],
  committed: ReadonlyMap<number, number>,
  offsets: readonly { partition: number; low: string; high: string }[],
): { labels: { topic: string; partition: string }; lag: number }[] {
  const mine = new Set(assigned);
  return offsets
    .filter((entry) => mine.has(entry.partition))
    .map((entry) => ({
      labels: { topic, partition: String(entry.partition) },
      lag: partitionLag(committed.get(entry.partition) ?? -1, Number(entry.low), Number(entry.high)),
    }));
}
