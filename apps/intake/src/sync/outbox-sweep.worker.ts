import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { ProcessesQueue, QueueService, type QueueJobHandler } from '@tthc/queue';
import { DeskSyncService, type OutboxSweepReport } from './desk-sync.service';
import {
  DEFAULT_OUTBOX_SWEEP_EVERY_MS,
  DEFAULT_OUTBOX_SWEEP_GRACE_MS,
  OUTBOX_SWEEP_SCHEDULER_ID,
  SYNC_OPTIONS,
  SYNC_OUTBOX_SWEEP,
  type SyncOptions,
} from './outbox-sweep.queue';

/**
 * Runs the outbox sweep of the portal adapter (`DeskSyncService.sweepOutboxes`) as a BullMQ Job
 * Scheduler, installed at boot (idempotent across replicas: one scheduler id, one job per run).
 */
@ProcessesQueue(SYNC_OUTBOX_SWEEP)
@Injectable()
export class OutboxSweepWorker implements QueueJobHandler<typeof SYNC_OUTBOX_SWEEP>, OnApplicationBootstrap {
  private readonly logger = new Logger(OutboxSweepWorker.name);

  constructor(
    private readonly sync: DeskSyncService,
    private readonly queues: QueueService,
    @Inject(SYNC_OPTIONS) private readonly options: SyncOptions,
  ) {}

  process(): Promise<OutboxSweepReport> {
    return this.sync.sweepOutboxes(this.options.outboxSweepGraceMs ?? DEFAULT_OUTBOX_SWEEP_GRACE_MS);
  }

  async onApplicationBootstrap(): Promise<void> {
    const every = this.options.outboxSweepEveryMs ?? DEFAULT_OUTBOX_SWEEP_EVERY_MS;
    await this.queues.schedule(
      SYNC_OUTBOX_SWEEP,
      OUTBOX_SWEEP_SCHEDULER_ID,
      { every },
      { name: 'sweep', data: {}, options: { removeOnComplete: 100, removeOnFail: 100 } },
    );
    this.logger.log(`dvcqg outbox sweep every ${every} ms`);
  }
}
