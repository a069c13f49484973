import { MongoNetworkError } from 'mongodb';
import {
  infrastructureBackoffMs,
  MAX_INFRASTRUCTURE_BACKOFF_MS,
  PartitionWaits,
  pausePartition,
  WAIT_LOG_INTERVAL_MS,
} from './infrastructure-wait';

describe('infrastructureBackoffMs', () => {
  it('doubles from 500 ms and stays at the cap for as long as it takes', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map(infrastructureBackoffMs)).toEqual([500, 1000, 2000, 4000, 8000, 16000, 30000]);
    expect(infrastructureBackoffMs(1000)).toBe(MAX_INFRASTRUCTURE_BACKOFF_MS);
    expect(infrastructureBackoffMs(0)).toBe(500);
  });
});

describe('PartitionWaits', () => {
  it('logs the first failure of a partition, then at most once per interval', () => {
    const waits = new PartitionWaits();
    const error = new MongoNetworkError('closed');
    expect(waits.failed('t', 0, error, 0).log).toBe(true);
    expect(waits.failed('t', 0, error, 1000).log).toBe(false);
    expect(waits.failed('t', 0, error, WAIT_LOG_INTERVAL_MS - 1).log).toBe(false);
    expect(waits.failed('t', 0, error, WAIT_LOG_INTERVAL_MS).log).toBe(true);
    expect(waits.failed('t', 1, error, WAIT_LOG_INTERVAL_MS + 1).log).toBe(true);
    expect(waits.failed('t', 0, error, WAIT_LOG_INTERVAL_MS + 2).wait.waits).toBe(5);
  });

  it('says what waits for readiness and the gauge, and forgets a partition once it is cleared', () => {
    const waits = new PartitionWaits();
    expect(waits.describe(0)).toBeUndefined();
    waits.failed('tthc.dossier-events.v1', 2, new MongoNetworkError('connection closed'), 1000);
    waits.failed('tthc.dossier-events.v1', 0, new Error('other'), 5000);
    waits.failed('tthc.dossier-facts.v1', 1, new Error('x'), 5000);
    expect(waits.size).toBe(3);
    expect(waits.countsByTopic()).toEqual(
      new Map([
        ['tthc.dossier-events.v1', 2],
        ['tthc.dossier-facts.v1', 1],
      ]),
    );
    const text = waits.describe(36_000);
    expect(text).toMatch(/^waiting on infrastructure/);
    expect(text).toContain(
      'tthc.dossier-events.v1[2] for 35 s after 1 attempt(s) (MongoNetworkError: connection closed)',
    );
    expect(waits.cleared('tthc.dossier-events.v1', 2)?.since).toBe(1000);
    expect(waits.cleared('tthc.dossier-events.v1', 2)).toBeUndefined();
    waits.cleared('tthc.dossier-events.v1', 0);
    waits.cleared('tthc.dossier-facts.v1', 1);
    expect(waits.size).toBe(0);
    expect(waits.describe(40_000)).toBeUndefined();
  });
});

describe('pausePartition', () => {
  const fakeSleep = (slept: number[]) => (ms: number) => {
    slept.push(ms);
    return Promise.resolve();
  };

  it('sleeps the whole pause in steps and heartbeats after each', async () => {
    const slept: number[] = [];
    let heartbeats = 0;
    const done = await pausePartition(2500, {
      active: () => true,
      heartbeat: () => Promise.resolve(++heartbeats > 0),
      sleep: fakeSleep(slept),
    });
    expect(done).toBe(true);
    expect(slept).toEqual([1000, 1000, 500]);
    expect(heartbeats).toBe(3);
  });

  it('stops at once when the consumer stops or the group rebalances', async () => {
    const slept: number[] = [];
    let checks = 0;
    expect(
      await pausePartition(10_000, {
        active: () => ++checks < 3,
        heartbeat: () => Promise.resolve(true),
        sleep: fakeSleep(slept),
      }),
    ).toBe(false);
    expect(slept).toHaveLength(2);
    expect(
      await pausePartition(10_000, {
        active: () => true,
        heartbeat: () => Promise.resolve(false),
        sleep: fakeSleep([]),
      }),
    ).toBe(false);
  });
});
