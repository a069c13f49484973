function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, canonical((value as Record<string, unknown>)[key])]),
    );
  }
  return value;
}

/**
 * JSON of a value with object keys sorted at every level: two values with the same content give
 * the same text whatever their key order (e.g. documents read back from MongoDB).
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(canonical(value));
}
