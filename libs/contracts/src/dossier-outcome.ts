import { z } from 'zod';
import { channelSchema } from './dossier-event';
import { dossierSnapshotSchema } from './dossier-fact';
import { localDateSchema } from './reference';

/**
 * Classified dossiers published by on-time-rate for reporting: each dossier's docs/counting-rules.md §5 outcome
 * and its contribution to the counters as dated deltas (docs/counting.md), with the snapshot it
 * was computed from. Keyed by dossier; ordered by (revision, version): `version` is the dossier
 * version of the fact, `revision` the counting revision (it grows when a rebuild under changed
 * counting policies republishes every dossier).
 */

export const FINISH_OUTCOMES = ['early', 'on_time', 'late'] as const;

export const contributionSchema = z.object({
  receivedOn: localDateSchema,
  channel: channelSchema,
  finishedOn: localDateSchema.nullable(),
  outcome: z.enum(FINISH_OUTCOMES).nullable(),
  withdrawn: z.boolean(),
  /** +1 on the first day the dossier is pending-overdue at the day's end, −1 on the first day it is not again. */
  overdueDeltas: z.array(z.object({ on: localDateSchema, delta: z.union([z.literal(1), z.literal(-1)]) })),
  /** Days at whose end the dossier is pending, not waiting, and due that very day. */
  dueSameDayOn: z.array(localDateSchema),
});

export const counterDimensionsSchema = z.object({
  agency: z.string().min(1),
  field: z.string().min(1),
  procedure: z.string().min(1),
  channel: channelSchema,
});

/** One step of the due history used for counting: the due (null: none) in force from `effectiveAt` on. */
export const countingDueStepSchema = z.object({
  dueAt: z.string().min(1).nullable(),
  effectiveAt: z.string().min(1),
});
export type CountingDueStep = z.infer<typeof countingDueStepSchema>;

export const dossierOutcomeSchema = z.object({
  dossierCode: z.string().min(1),
  version: z.number().int().positive(),
  revision: z.number().int().min(0),
  emittedAt: z.string().min(1),
  /** Null: the dossier counts nowhere (voided). */
  applied: z.object({ dimensions: counterDimensionsSchema, contribution: contributionSchema }).nullable(),
  outcome: z.enum(FINISH_OUTCOMES).nullable(),
  withdrawn: z.boolean(),
  dossier: dossierSnapshotSchema,
  /**
   * The due history the outcome and the contribution were computed with: the snapshot's
   * `dueHistory` under on-time-rate's counting policies (`effectiveDueHistory`, libs/counting).
   * reporting's overdue list judges with it, so it agrees with `pending.overdue`. Optional (added
   * in v1 without breaking it): outcomes published before it existed lack it and are read with
   * the published `dueHistory`.
   */
  countingDue: z.array(countingDueStepSchema).optional(),
});
export type DossierOutcome = z.infer<typeof dossierOutcomeSchema>;
