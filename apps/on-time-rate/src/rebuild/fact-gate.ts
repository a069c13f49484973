import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@tthc/config';
import { RetryableError } from '@tthc/kafka';
import { CountingState } from '../persistence/counting-state';

/** How long a fact batch waits for a closed gate before failing (and being retried); below Kafka's 30 s session. */
const MAX_WAIT_MS = 20_000;
/** A closed gate opens by itself after this (a crashed rebuild does not stop consumption for good). */
const LEASE_MS = 60_000;

/** A rebuild held the gate longer than a batch waits: contention, retried by the consumer without counting attempts. */
export class FactGateHeldError extends RetryableError {}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Keeps fact batches and a rebuild's corrections apart, so that no dossier is reclassified by both
 * at once (the ledger reads a dossier's previous contribution, then replaces it: two writers of
 * one dossier at once would take it back twice).
 *
 * - In this process (exact): a fact batch counts itself `active` and checks the local hold in
 *   one synchronous step; the rebuild sets the hold, then waits until no batch is active.
 * - Other replicas: the rebuild closes the `gate` document in `otr_meta` (a lease of 60 s), then
 *   waits `REBUILD_GATE_GRACE_MS` for batches that read the gate just before it closed; each batch
 *   reads the gate (with the counting revision, one query) before it starts.
 * A gate closes for one chunk of corrections at a time (seconds), so a waiting batch never nears
 * the consumer's session timeout.
 */
@Injectable()
export class FactGate {
  private active = 0;
  private hold: Promise<void> | null = null;

  constructor(
    private readonly state: CountingState,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Runs a fact batch once the gate is open, with the counting revision read as it opened. */
  async pass<T>(work: (revision: number) => Promise<T>): Promise<T> {
    const deadline = Date.now() + MAX_WAIT_MS;
    for (;;) {
      this.active += 1;
      const hold = this.hold;
      if (hold === null) {
        try {
          const { revision, gateClosedUntil } = await this.state.read();
          if (gateClosedUntil <= Date.now()) return await work(revision);
        } finally {
          this.active -= 1;
        }
      } else {
        this.active -= 1;
        await hold;
      }
      if (Date.now() > deadline)
        throw new FactGateHeldError('fact consumption is held by a rebuild; the batch will be retried');
      await sleep(200);
    }
  }

  /** Runs `work` with fact batches of every replica held off. */
  async closed<T>(rebuildId: string, work: () => Promise<T>): Promise<T> {
    while (this.hold !== null) await this.hold;
    let release!: () => void;
    this.hold = new Promise<void>((resolve) => (release = resolve));
    try {
      await this.state.closeGate(rebuildId, Date.now() + LEASE_MS);
      while (this.active > 0) await sleep(20);
      if (this.config.rebuild.gateGraceMs > 0) await sleep(this.config.rebuild.gateGraceMs);
      return await work();
    } finally {
      await this.state.openGate().catch(() => undefined);
      this.hold = null;
      release();
    }
  }
}
