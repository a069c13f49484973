import { z } from 'zod';
import { channelSchema, OUTCOMES } from './dossier-event';

/**
 * Lifecycle facts published by dossier-tracking for on-time-rate and reporting. Each fact carries
 * the dossier's full counting-relevant snapshot and its version, so a consumer can apply "the
 * dossier's contribution changed" idempotently: a fact whose version is not newer than what the
 * consumer holds changes nothing.
 */

const instant = z.string().min(1);

export const DOSSIER_STATUSES = [
  'processing',
  'waiting_supplement',
  'paused',
  'resolved',
  'returned',
  'withdrawn',
  'voided',
] as const;
export type DossierStatus = (typeof DOSSIER_STATUSES)[number];

export const DUE_CHANGE_REASONS = [
  'initial',
  'supplement_restart',
  'pause_extension',
  'rescheduled',
  'calendar_change',
] as const;

export const dueChangeSchema = z.object({
  /** The due instant from now on, or null for "no due date". */
  dueAt: instant.nullable(),
  reason: z.enum(DUE_CHANGE_REASONS),
  /** The instant from which this due date is in force. */
  effectiveAt: instant,
});
export type DueChange = z.infer<typeof dueChangeSchema>;

export const waitingIntervalSchema = z.object({
  kind: z.enum(['supplement', 'pause']),
  from: instant,
  /** Null while still waiting. */
  to: instant.nullable(),
});
export type WaitingInterval = z.infer<typeof waitingIntervalSchema>;

export const dossierSnapshotSchema = z.object({
  dossierCode: z.string().min(1),
  version: z.number().int().positive(),
  status: z.enum(DOSSIER_STATUSES),
  procedureCode: z.string().min(1),
  fieldCode: z.string().min(1),
  /** Latest responsible agency, after transfers. */
  agencyCode: z.string().min(1),
  receivingAgencyCode: z.string().min(1),
  channel: channelSchema,
  receivedAt: instant,
  /** Due date used for counting (null: no due date, counts as on time). */
  dueAt: instant.nullable(),
  dueHistory: z.array(dueChangeSchema),
  /** Recorded apology re-date (Mẫu 04), shown but not used for counting by default. */
  rescheduledDueAt: instant.nullable(),
  /**
   * When the re-date was recorded (the `dossier.rescheduled` event's time); present only when
   * `rescheduledDueAt` is set. Optional (added in v1 without breaking it): facts published before
   * it existed lack it. Used by the `honoured` rescheduled-due policy (docs/counting.md).
   */
  rescheduledAt: instant.optional(),
  waiting: z.array(waitingIntervalSchema),
  finishedAt: instant.nullable(),
  finishKind: z.enum(['resolved', 'returned', 'withdrawn']).nullable(),
  outcome: z.enum(OUTCOMES).nullable(),
});
export type DossierSnapshot = z.infer<typeof dossierSnapshotSchema>;

export const DOSSIER_FACT_KINDS = [
  'received',
  'changed',
  'due_changed',
  'finished',
  /**
   * The timer's notification (same snapshot and version as the fact before it): the published due
   * instant passed while the dossier is open and not waiting. Not "overdue": reports call a
   * dossier overdue from the day after its due date (docs/counting.md).
   */
  'due_instant_reached',
  'voided',
] as const;
export type DossierFactKind = (typeof DOSSIER_FACT_KINDS)[number];

/**
 * Fact kinds renamed since the first version of the schema: the old name, still sent by a
 * not-yet-upgraded dossier-tracking during a rolling upgrade, → the name it is read as.
 * `became_overdue` (until issue 14) is `due_instant_reached`.
 */
export const RENAMED_FACT_KINDS: Readonly<Record<string, DossierFactKind>> = Object.freeze({
  became_overdue: 'due_instant_reached',
});

/** A fact kind: the current names, and the old names of {@link RENAMED_FACT_KINDS} read as the new ones. */
export const dossierFactKindSchema = z.preprocess(
  (kind) => (typeof kind === 'string' && Object.hasOwn(RENAMED_FACT_KINDS, kind) ? RENAMED_FACT_KINDS[kind] : kind),
  z.enum(DOSSIER_FACT_KINDS),
);

export const dossierFactSchema = z.object({
  kind: dossierFactKindSchema,
  dossierCode: z.string().min(1),
  version: z.number().int().positive(),
  emittedAt: instant,
  dossier: dossierSnapshotSchema,
});
export type DossierFact = z.infer<typeof dossierFactSchema>;
