import { z } from 'zod';
import { defineQueue } from '@tthc/queue';

/**
 * Queues of dossier-tracking (internal to the service; nothing else reads them).
 * See docs/dossier-tracking.md for the timer and reconciliation design.
 */

/** One delayed job per pending dossier version, due at its due instant (id `due:<code>:<version>`). */
export const OVERDUE_TIMERS = defineQueue({
  name: 'tracking-overdue-timers',
  description:
    'Fires at the due instant of a pending dossier: publishes due_instant_reached if the dossier is still open and not waiting',
  data: z.object({
    dossierCode: z.string().min(1),
    version: z.number().int().positive(),
    dueAt: z.string().min(1),
  }),
});

/** Periodic reconciliation (a Job Scheduler) and refolds after a calendar change. */
export const TRACKING_MAINTENANCE = defineQueue({
  name: 'tracking-maintenance',
  description: 'Reconciliation sweep (missing timers, owed facts) and due-date recomputation after calendar changes',
  data: z.discriminatedUnion('task', [
    z.object({ task: z.literal('reconcile') }),
    z.object({ task: z.literal('calendar_refold'), years: z.array(z.string()) }),
  ]),
});

/** The Job Scheduler id of the reconciliation sweep. */
export const RECONCILE_SCHEDULER_ID = 'tracking-reconcile';
