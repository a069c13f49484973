/**
 * The partition a keyed message lands in: Kafka's default partitioner (murmur2 of the key's UTF-8
 * bytes, made positive, modulo the partition count) — the one the services' producers use
 * (kafkajs `Partitioners.DefaultPartitioner`, the Java client's default for keyed messages).
 *
 * Every message of a dossier is keyed by its code, so a dossier's events, facts and outcomes each
 * stay in one partition of their topic as long as the partition count does not change (the
 * services refuse to start on a topic whose partition count differs from the configuration).
 * The counting ledgers serialise their writes per partition ("bucket") and compute a dossier's
 * bucket with this function, so a batch of one partition is one bucket.
 */
export function partitionOf(key: string, partitions: number): number {
  if (!Number.isInteger(partitions) || partitions < 1)
    throw new RangeError(`partitions must be ≥ 1, got ${partitions}`);
  return (murmur2(Buffer.from(key, 'utf8')) & 0x7fffffff) % partitions;
}

const SEED = 0x9747b28c;
const M = 0x5bd1e995;

/** Kafka's murmur2 (32-bit, seed 0x9747b28c), as `org.apache.kafka.common.utils.Utils.murmur2`. */
export function murmur2(data: Uint8Array): number {
  const length = data.length;
  let h = SEED ^ length;
  const length4 = Math.floor(length / 4);
  for (let i = 0; i < length4; i++) {
    const i4 = i * 4;
    let k =
      (data[i4]! & 0xff) |
      ((data[i4 + 1]! & 0xff) << 8) |
      ((data[i4 + 2]! & 0xff) << 16) |
      ((data[i4 + 3]! & 0xff) << 24);
    k = Math.imul(k, M);
    k ^= k >>> 24;
    k = Math.imul(k, M);
    h = Math.imul(h, M);
    h ^= k;
  }
  // The last 1–3 bytes (Java's switch falls through from case 3 to case 1).
  const tail = length & ~3;
  const rest = length % 4;
  if (rest >= 3) h ^= (data[tail + 2]! & 0xff) << 16;
  if (rest >= 2) h ^= (data[tail + 1]! & 0xff) << 8;
  if (rest >= 1) {
    h ^= data[tail]! & 0xff;
    h = Math.imul(h, M);
  }
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h | 0;
}
