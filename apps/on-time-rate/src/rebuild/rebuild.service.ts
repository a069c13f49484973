import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { QueueService } from '@tthc/queue';
import { CountingState } from '../persistence/counting-state';
import { OTR_REBUILDS, REBUILD_ATTEMPTS } from './rebuild.queue';
import { RebuildStore, viewOf, type RebuildView } from './rebuild.store';

/** What starting a rebuild gave: the queued rebuild, or the one already queued or running. */
export type RebuildStart = { started: RebuildView } | { busy: string };

/** Starts rebuilds (one at a time) and answers their progress (domain results; HTTP in the controller). */
@Injectable()
export class RebuildService {
  constructor(
    private readonly store: RebuildStore,
    private readonly state: CountingState,
    private readonly queues: QueueService,
  ) {}

  /** Queues a rebuild, unless another one is queued or running (`busy`: its id). */
  async start(): Promise<RebuildStart> {
    const id = randomUUID();
    let holder = await this.state.lock(id);
    if (holder !== null) {
      // A lock left by a rebuild that has finished (a crash between its end and the unlock) is stale.
      const held = holder === '' ? null : await this.store.get(holder);
      if (held === null || held.state === 'completed' || held.state === 'failed') {
        await this.state.unlock(holder);
        holder = await this.state.lock(id);
      }
    }
    if (holder !== null) return { busy: holder };
    try {
      const doc = await this.store.create(id);
      await this.queues.add(
        OTR_REBUILDS,
        'rebuild',
        { rebuildId: id },
        {
          id,
          attempts: REBUILD_ATTEMPTS,
          backoff: { type: 'exponential', delay: 5000 },
          removeOnComplete: 100,
          removeOnFail: 100,
        },
      );
      return { started: viewOf(doc) };
    } catch (error) {
      await this.state.unlock(id);
      throw error;
    }
  }

  /** The rebuild `id`, or null when there is none. */
  async get(id: string): Promise<RebuildView | null> {
    const doc = await this.store.get(id);
    return doc === null ? null : viewOf(doc);
  }
}
