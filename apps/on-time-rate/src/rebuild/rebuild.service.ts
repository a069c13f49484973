import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { problem, ProblemException } from '@tthc/http';
import { QueueService } from '@tthc/queue';
import { CountingState } from '../persistence/counting-state';
import { OTR_REBUILDS, REBUILD_ATTEMPTS } from './rebuild.queue';
import { RebuildStore, viewOf, type RebuildView } from './rebuild.store';

/** Starts rebuilds (one at a time) and answers their progress. */
@Injectable()
export class RebuildService {
  constructor(
    private readonly store: RebuildStore,
    private readonly state: CountingState,
    private readonly queues: QueueService,
  ) {}

  /** Queues a rebuild; 409 while another one is queued or running. */
  async start(): Promise<RebuildView> {
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
    if (holder !== null) {
      throw new ProblemException(
        problem(409, `rebuild ${holder} is already queued or running; one rebuild at a time`, { rebuild: holder }),
      );
    }
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
      return viewOf(doc);
    } catch (error) {
      await this.state.unlock(id);
      throw error;
    }
  }

  async get(id: string): Promise<RebuildView> {
    const doc = await this.store.get(id);
    if (doc === null) throw new ProblemException(problem(404, `no rebuild ${id}`));
    return viewOf(doc);
  }
}
