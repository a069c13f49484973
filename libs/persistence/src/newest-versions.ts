/**
 * Guards "apply a dossier's contribution only when it changes": from a batch of versioned
 * items, keeps per key the highest version, and only if it is newer than the stored one.
 * Redelivered, replayed and out-of-order items therefore change nothing.
 */
export function newestVersions<T>(
  items: readonly T[],
  keyOf: (item: T) => string,
  versionOf: (item: T) => number,
  storedVersions: ReadonlyMap<string, number>,
): T[] {
  const best = new Map<string, T>();
  for (const item of items) {
    const key = keyOf(item);
    const current = best.get(key);
    if (current === undefined || versionOf(item) > versionOf(current)) best.set(key, item);
  }
  return [...best.values()].filter((item) => versionOf(item) > (storedVersions.get(keyOf(item)) ?? 0));
}
