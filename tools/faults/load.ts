/**
 * The load of a fault scenario: NDJSON batches of simulated events posted to intake's desk API
 * (POST /v1/events), spread over the live intake replicas, paced so that posting lasts at least
 * the scenario's fault window (the faults happen under load). A batch is retried until intake
 * answers 202 — "every event is durably in Kafka" — on 429/503 (after Retry-After), on a 5xx and
 * when the replica is unreachable (killed, paused, restarting), on another replica when there is
 * one. A batch answered neither way may have been published anyway; posting it again is
 * harmless (events are deduplicated by id), and the oracle counts each event once.
 */
import { sleep } from './process';

export interface LoadTarget {
  /** Base URLs of the intake replicas that should answer now (the poster skips the others). */
  intakes(): string[];
  adminKey: string;
}

export interface LoadOptions {
  /** Requests in flight. */
  concurrency: number;
  /** Posting lasts at least this long (batches are spaced evenly), 0 = as fast as intake accepts. */
  minSeconds: number;
  /** A batch not accepted within this long fails the load. */
  batchDeadlineMs: number;
  /** Per-request timeout (a paused replica never answers). */
  requestTimeoutMs: number;
}

export interface LoadProgress {
  batches: number;
  accepted: number;
  events: number;
  retries: number;
  /** Last error per kind (status or network), for the report. */
  lastErrors: Record<string, string>;
}

/** Splits lines into NDJSON bodies of at most `size` lines. */
export function batchesOf(lines: readonly string[], size: number): string[] {
  if (size < 1) throw new Error('batch size must be ≥ 1');
  const out: string[] = [];
  for (let start = 0; start < lines.length; start += size) out.push(lines.slice(start, start + size).join('\n'));
  return out;
}

/** When batch `index` of `total` may start so that posting spreads over `minSeconds`. */
export function batchStartOffsetMs(index: number, total: number, minSeconds: number): number {
  if (minSeconds <= 0 || total <= 1) return 0;
  return Math.floor((index * minSeconds * 1000) / total);
}

export class Poster {
  readonly progress: LoadProgress;
  private cursor = 0;
  private turn = 0;
  private stopped = false;

  constructor(
    private readonly bodies: readonly string[],
    private readonly target: LoadTarget,
    private readonly options: LoadOptions,
  ) {
    this.progress = { batches: bodies.length, accepted: 0, events: 0, retries: 0, lastErrors: {} };
  }

  /** Share of batches accepted, 0..1. */
  get fraction(): number {
    return this.bodies.length === 0 ? 1 : this.progress.accepted / this.bodies.length;
  }

  /** Stops posting: no request starts after this (a run that timed out must not post into the next one). */
  stop(): void {
    this.stopped = true;
  }

  /** Posts every batch; rejects on a batch that cannot be accepted (4xx) or that times out, or when stopped. */
  async run(): Promise<void> {
    const started = Date.now();
    await Promise.all(
      Array.from({ length: Math.max(1, this.options.concurrency) }, async () => {
        for (let index = this.cursor++; index < this.bodies.length; index = this.cursor++) {
          const wait = started + batchStartOffsetMs(index, this.bodies.length, this.options.minSeconds) - Date.now();
          if (wait > 0) await sleep(wait);
          await this.post(this.bodies[index] as string, index);
        }
      }),
    );
  }

  private nextIntake(): string | undefined {
    const urls = this.target.intakes();
    if (urls.length === 0) return undefined;
    return urls[this.turn++ % urls.length];
  }

  private async post(body: string, index: number): Promise<void> {
    const deadline = Date.now() + this.options.batchDeadlineMs;
    let wait = 250;
    for (;;) {
      if (this.stopped) throw new Error('posting stopped');
      const base = this.nextIntake();
      let retryAfterMs = wait;
      if (base !== undefined) {
        try {
          const answer = await fetch(`${base}/v1/events`, {
            method: 'POST',
            headers: { authorization: `Bearer ${this.target.adminKey}`, 'content-type': 'application/x-ndjson' },
            body,
            signal: AbortSignal.timeout(this.options.requestTimeoutMs),
          });
          const text = await answer.text();
          if (answer.status === 202) {
            this.progress.accepted++;
            this.progress.events += (JSON.parse(text) as { accepted: number }).accepted;
            return;
          }
          this.progress.lastErrors[String(answer.status)] = text.slice(0, 300);
          if (answer.status < 500 && answer.status !== 429) {
            throw new FatalLoadError(
              `batch ${index}: POST ${base}/v1/events answered ${answer.status}: ${text.slice(0, 1000)}`,
            );
          }
          const retryAfter = Number(answer.headers.get('retry-after'));
          if (Number.isFinite(retryAfter) && retryAfter > 0) retryAfterMs = retryAfter * 1000;
        } catch (error) {
          if (error instanceof FatalLoadError) throw error;
          this.progress.lastErrors.network = error instanceof Error ? error.message : String(error);
        }
      }
      this.progress.retries++;
      if (Date.now() + retryAfterMs > deadline) {
        throw new Error(
          `batch ${index} not accepted within ${this.options.batchDeadlineMs / 1000} s; last errors ${JSON.stringify(this.progress.lastErrors)}`,
        );
      }
      await sleep(retryAfterMs);
      wait = Math.min(wait * 2, 4000);
    }
  }
}

class FatalLoadError extends Error {}
