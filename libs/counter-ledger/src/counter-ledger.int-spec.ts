import mongoose, { type Connection } from 'mongoose';
import fc from 'fast-check';
import { defaultCalendar } from '@tthc/calendar';
import type { DossierSnapshot } from '@tthc/contracts';
import { mongoUrlFor, newNamespace } from '@tthc/testing';
import {
  COUNTER_METRICS,
  contributionDiff,
  contributionOf,
  counterId,
  DEFAULT_COUNTING_POLICIES,
  dimensionsOf,
  mergeIncrements,
  type CounterIncrement,
} from '@tthc/counting';
import { arbitrarySnapshot } from '@tthc/counting/testing';
import { CounterLedger, type LedgerDossier } from './counter-ledger';

/**
 * The counter ledger with several writers at once on one real MongoDB (each CounterLedger object
 * stands for a process: its own in-process locks, nothing shared but the database), compared by
 * exact equality with the counters summed naively from each dossier's final version.
 */

const NAMES = { counters: 'counters', dossiers: 'dossiers', buckets: 'buckets', meta: 'meta' };
const BUCKETS = 3;
const bucketOf = (id: string) => [...id].reduce((sum, char) => sum + char.charCodeAt(0), 0) % BUCKETS;

function documentOf(snapshot: DossierSnapshot, version: number): LedgerDossier {
  const contribution = contributionOf(snapshot, DEFAULT_COUNTING_POLICIES, defaultCalendar);
  return {
    _id: snapshot.dossierCode,
    version,
    applied: contribution === null ? null : { dimensions: dimensionsOf(snapshot), contribution },
  };
}

/** `count` dossiers with `versions` versions each (each version a different random snapshot). */
function dossierVersions(count: number, versions: number, seed: number): LedgerDossier[][] {
  return Array.from({ length: count }, (_, index) =>
    Array.from({ length: versions }, (_, v) => {
      const [snapshot] = fc.sample(arbitrarySnapshot(index), { numRuns: 1, seed: seed * 7919 + index * 31 + v });
      return documentOf({ ...(snapshot as DossierSnapshot), dossierCode: `D-${index}` }, v + 1);
    }),
  );
}

/** The counters the final versions add up to (non-zero metrics only). */
function expectedCounters(finals: readonly LedgerDossier[]): Map<string, CounterIncrement> {
  const merged = mergeIncrements(finals.flatMap((doc) => contributionDiff(null, doc.applied)));
  const expected = new Map<string, CounterIncrement>();
  for (const { key, inc } of merged) {
    const metrics = nonZero(inc);
    if (Object.keys(metrics).length > 0) expected.set(counterId(key), metrics);
  }
  return expected;
}

function nonZero(row: Partial<Record<string, unknown>>): CounterIncrement {
  const out: CounterIncrement = {};
  for (const metric of COUNTER_METRICS) {
    const value = row[metric];
    if (typeof value === 'number' && value !== 0) out[metric] = value;
  }
  return out;
}

async function storedCounters(db: Connection): Promise<Map<string, CounterIncrement>> {
  const rows = await db.collection<{ _id: string }>(NAMES.counters).find({}).toArray();
  return new Map(
    rows
      .map((row): [string, CounterIncrement] => [row._id, nonZero(row as Record<string, unknown>)])
      .filter(([, inc]) => Object.keys(inc).length > 0),
  );
}

function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/**
 * A connection whose counter writes wait while `paused` is set: a writer stopped at any instant
 * between claiming a journal and completing it (GC pause, SIGSTOP, a partition that moved).
 */
function pausableConnection(db: Connection) {
  const control = { paused: null as Promise<void> | null, reached: () => undefined as void };
  const connection = {
    collection(name: string) {
      const real = db.collection(name);
      if (name !== NAMES.counters) return real;
      return new Proxy(real, {
        get(target, property, receiver) {
          if (property !== 'bulkWrite') return Reflect.get(target, property, receiver) as unknown;
          return async (...args: Parameters<typeof real.bulkWrite>) => {
            const paused = control.paused;
            if (paused !== null) {
              control.reached();
              await paused;
            }
            return target.bulkWrite(...args);
          };
        },
      });
    },
  } as unknown as Connection;
  return { connection, control };
}

describe('CounterLedger with several writers (real MongoDB)', () => {
  let db: Connection;

  beforeEach(async () => {
    db = await mongoose.createConnection(mongoUrlFor(newNamespace('ledger'))).asPromise();
  });
  afterEach(async () => {
    await db.dropDatabase().catch(() => undefined);
    await db.close();
  });

  it.each([1, 2, 3])(
    'four writers applying every version in random batches and orders end exactly at the final versions (seed %i)',
    async (seed) => {
      const all = dossierVersions(60, 3, seed);
      const random = seededRandom(seed);
      const writers = Array.from({ length: 4 }, () => new CounterLedger(db, NAMES, { bucketOf }));
      // Each writer gets every version (redeliveries, replicas, a zombie's batch…), in its own order.
      await Promise.all(
        writers.map(async (writer) => {
          const deliveries = shuffled(all.flat(), random);
          const batches: LedgerDossier[][] = [];
          for (let start = 0; start < deliveries.length;) {
            const size = 1 + Math.floor(random() * 25);
            batches.push(deliveries.slice(start, start + size));
            start += size;
          }
          await Promise.all(
            [0, 1].map(async (lane) => {
              for (let index = lane; index < batches.length; index += 2) await writer.apply(batches[index] ?? []);
            }),
          );
        }),
      );
      const finals = all.map((versions) => versions[versions.length - 1] as LedgerDossier);
      expect(await storedCounters(db)).toEqual(expectedCounters(finals));
      const stored = await db.collection<LedgerDossier>(NAMES.dossiers).find({}).toArray();
      expect(stored.map((doc) => [doc._id, doc.version]).sort()).toEqual(finals.map((doc) => [doc._id, 3]).sort());
      expect(await db.collection(NAMES.buckets).countDocuments({ open: { $ne: null } })).toBe(0);
    },
  );

  it('a writer paused after claiming a journal (a zombie) changes nothing when it resumes after others moved on', async () => {
    const all = dossierVersions(30, 3, 9);
    const firsts = all.map((versions) => versions[0] as LedgerDossier);
    const seconds = all.map((versions) => versions[1] as LedgerDossier);
    const { connection, control } = pausableConnection(db);
    const zombie = new CounterLedger(connection, NAMES, { bucketOf });
    const owner = new CounterLedger(db, NAMES, { bucketOf });

    let release!: () => void;
    control.paused = new Promise<void>((resolve) => (release = resolve));
    const reached = new Promise<void>((resolve) => (control.reached = resolve));
    const zombieRun = zombie.apply(firsts);
    await reached; // the zombie claimed a journal and stands before its first counter write

    // The new owner finds the zombie's journal open, completes it, then applies the next versions.
    await owner.apply(firsts);
    await owner.apply(seconds);
    expect(await storedCounters(db)).toEqual(expectedCounters(seconds));

    control.paused = null;
    release();
    await zombieRun;
    // The zombie's late writes were fenced: counters and dossiers are still those of the second versions.
    expect(await storedCounters(db)).toEqual(expectedCounters(seconds));
    const versions = await db
      .collection<LedgerDossier>(NAMES.dossiers)
      .find({}, { projection: { version: 1 } })
      .toArray();
    expect(new Set(versions.map((doc) => doc.version))).toEqual(new Set([2]));
  });

  it('completes a journal claimed by a writer that died, once, and lets the next journal through', async () => {
    const all = dossierVersions(20, 2, 4);
    const firsts = all.map((versions) => versions[0] as LedgerDossier);
    const seconds = all.map((versions) => versions[1] as LedgerDossier);
    const { connection, control } = pausableConnection(db);
    const dead = new CounterLedger(connection, NAMES, { bucketOf });
    control.paused = new Promise<void>(() => undefined); // never resumes
    const reached = new Promise<void>((resolve) => (control.reached = resolve));
    void dead.apply(firsts).catch(() => undefined);
    await reached;

    const survivor = new CounterLedger(db, NAMES, { bucketOf });
    await survivor.apply([]); // completes every open journal
    // The dead writer had claimed the journal of its first bucket only: that one is completed, once.
    const firstBucket = bucketOf(firsts[0]?._id ?? '');
    expect(await storedCounters(db)).toEqual(
      expectedCounters(firsts.filter((doc) => bucketOf(doc._id) === firstBucket)),
    );
    await survivor.apply(firsts);
    await survivor.apply(seconds);
    await survivor.apply(firsts); // late redelivery: older versions change nothing
    expect(await storedCounters(db)).toEqual(expectedCounters(seconds));
  });
});
