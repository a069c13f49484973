/**
 * Indexes of the failed operations of a bulk write when every failure is a duplicate key (11000),
 * or null when anything else failed. Duplicate keys are how the services detect idempotent
 * replays and concurrent inserts without transactions.
 */
export function duplicateKeyIndexes(error: unknown): number[] | null {
  const writeErrors = (error as { writeErrors?: unknown }).writeErrors;
  const list = (Array.isArray(writeErrors) ? writeErrors : writeErrors === undefined ? [] : [writeErrors]) as {
    code?: number;
    index?: number;
    err?: { code?: number; index?: number };
  }[];
  if (list.length === 0) return null;
  const indexes: number[] = [];
  for (const entry of list) {
    if ((entry.code ?? entry.err?.code) !== 11000) return null;
    const index = entry.index ?? entry.err?.index;
    if (index === undefined) return null;
    indexes.push(index);
  }
  return indexes;
}

/** True when a single write (insertOne, updateOne with upsert, …) failed on a duplicate key (11000). */
export function isDuplicateKey(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === 11000;
}
