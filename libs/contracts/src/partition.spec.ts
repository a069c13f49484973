import { Partitioners } from 'kafkajs';
import fc from 'fast-check';
import { partitionOf } from './partition';

/** What kafkajs' default partitioner (the producers' partitioner) picks for a keyed message. */
function kafkajsPartition(key: string, partitions: number): number {
  const partitioner = Partitioners.DefaultPartitioner();
  const partitionMetadata = Array.from({ length: partitions }, (_, partitionId) => ({
    partitionErrorCode: 0,
    partitionId,
    leader: 1,
    replicas: [1],
    isr: [1],
  }));
  return partitioner({ topic: 't', partitionMetadata, message: { key, value: null } });
}

describe('partitionOf (Kafka default partitioner)', () => {
  it('picks the partition kafkajs picks for any key and partition count', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', maxLength: 40 }),
        fc.integer({ min: 1, max: 64 }),
        (key, partitions) => {
          expect(partitionOf(key, partitions)).toBe(kafkajsPartition(key, partitions));
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('agrees on dossier codes of every tail length', () => {
    for (let n = 0; n < 500; n++) {
      const code = `000.00.12.H56-170314-${String(n).padStart(n % 7, '0')}`;
      expect(partitionOf(code, 6)).toBe(kafkajsPartition(code, 6));
    }
  });

  it('is stable and within range', () => {
    expect(partitionOf('G22.38-240101-0001', 6)).toBe(partitionOf('G22.38-240101-0001', 6));
    for (let n = 0; n < 100; n++) expect(partitionOf(`k${n}`, 3)).toBeLessThan(3);
  });

  it('refuses a partition count below 1', () => {
    expect(() => partitionOf('a', 0)).toThrow(RangeError);
  });
});
