import { z } from 'zod';
import { defineQueue } from '@tthc/queue';

/** The portal adapter's outbox sweep, a Job Scheduler (docs/desk-sync.md, "The outbox sweep"). */
export const SYNC_OUTBOX_SWEEP = defineQueue({
  name: 'intake-sync-outbox-sweep',
  description:
    'Publishes the events synced dossiers recorded in their outbox but did not publish (Kafka failed, the sender gave up)',
  data: z.object({}),
});

/** The Job Scheduler id of the sweep: one per deployment, whatever the number of replicas. */
export const OUTBOX_SWEEP_SCHEDULER_ID = 'intake-sync-outbox-sweep';

/** Options of the sweep that are not environment configuration (libs/config); tests shorten them. */
export interface SyncOptions {
  /** Interval of the sweep (default {@link DEFAULT_OUTBOX_SWEEP_EVERY_MS}). */
  outboxSweepEveryMs?: number;
  /** Outboxes changed more recently are left to their request (default {@link DEFAULT_OUTBOX_SWEEP_GRACE_MS}). */
  outboxSweepGraceMs?: number;
}

export const SYNC_OPTIONS = Symbol('SYNC_OPTIONS');

/** Every minute. */
export const DEFAULT_OUTBOX_SWEEP_EVERY_MS = 60_000;
/** Longer than a request takes from recording to publishing (its Kafka transaction is bounded by KAFKA_PRODUCE_TIMEOUT_MS). */
export const DEFAULT_OUTBOX_SWEEP_GRACE_MS = 60_000;
