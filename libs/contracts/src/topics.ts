import { z } from 'zod';
import { accessKeySchema } from './access-key';
import { agencyAncestrySchema, deskScopeSchema, dossierEventSchema } from './dossier-event';
import { dossierFactSchema } from './dossier-fact';
import { dossierOutcomeSchema } from './dossier-outcome';
import { agencySchema, calendarYearSchema, fieldSchema, procedureSchema } from './reference';
import { defineTopic, type TopicDefinition } from './topic';

const dossierCodeKey = z.string().min(1).max(128);
const referenceCodeKey = z.string().min(1).max(128);
const FOREVER = -1;

/** Accepted desk events (docs/api.md §4), keyed by dossier so one dossier's events keep their order. */
export const DOSSIER_EVENTS = defineTopic({
  baseName: 'tthc.dossier-events',
  version: 1,
  description: 'Every event accepted by intake, with the desk that posted it',
  key: dossierCodeKey,
  value: z.object({
    deskId: z.string().min(1),
    acceptedAt: z.string().min(1),
    event: dossierEventSchema,
    /** Optional (added later; absent on older messages): the accepting key's scope. */
    scope: deskScopeSchema.optional(),
    /** Optional (added later; absent on older messages): the ancestry of each agency the event names. */
    agencyAncestry: agencyAncestrySchema.optional(),
  }),
  cleanupPolicy: 'delete',
  retentionMs: FOREVER,
  partitions: 'events',
  tombstones: false,
});

/** Dossier lifecycle facts with the dossier's snapshot and version, from dossier-tracking. */
export const DOSSIER_FACTS = defineTopic({
  baseName: 'tthc.dossier-facts',
  version: 1,
  description: 'Lifecycle facts of each dossier (received, due changed, finished, overdue, voided)',
  key: dossierCodeKey,
  value: dossierFactSchema,
  cleanupPolicy: 'delete',
  retentionMs: FOREVER,
  partitions: 'events',
  tombstones: false,
});

/** Each dossier's classification and counter contribution, from on-time-rate, for reporting. */
export const DOSSIER_OUTCOMES = defineTopic({
  baseName: 'tthc.dossier-outcomes',
  version: 1,
  description: 'Classified dossiers with their contribution to the report counters (on-time-rate)',
  key: dossierCodeKey,
  value: dossierOutcomeSchema,
  cleanupPolicy: 'delete',
  retentionMs: FOREVER,
  partitions: 'events',
  tombstones: false,
});

export const REFERENCE_AGENCIES = defineTopic({
  baseName: 'tthc.reference.agencies',
  version: 1,
  description: 'Agencies (docs/api.md §3), latest per code',
  key: referenceCodeKey,
  value: agencySchema,
  cleanupPolicy: 'compact',
  retentionMs: FOREVER,
  partitions: 1,
  tombstones: true,
});

export const REFERENCE_FIELDS = defineTopic({
  baseName: 'tthc.reference.fields',
  version: 1,
  description: 'Fields of procedures (lĩnh vực), latest per code',
  key: referenceCodeKey,
  value: fieldSchema,
  cleanupPolicy: 'compact',
  retentionMs: FOREVER,
  partitions: 1,
  tombstones: true,
});

export const REFERENCE_PROCEDURES = defineTopic({
  baseName: 'tthc.reference.procedures',
  version: 1,
  description: 'Procedures with processing time, latest per code',
  key: referenceCodeKey,
  value: procedureSchema,
  cleanupPolicy: 'compact',
  retentionMs: FOREVER,
  partitions: 1,
  tombstones: true,
});

export const REFERENCE_CALENDARS = defineTopic({
  baseName: 'tthc.reference.calendars',
  version: 1,
  description: 'Uploaded working calendars per year (holidays, working Saturdays)',
  key: z.string().regex(/^\d{4}$/),
  value: calendarYearSchema,
  cleanupPolicy: 'compact',
  retentionMs: FOREVER,
  partitions: 1,
  tombstones: true,
});

export const ACCESS_KEYS = defineTopic({
  baseName: 'tthc.access-keys',
  version: 1,
  description: 'Desk and viewer keys (hashed) and their revocation',
  key: z.string().min(1).max(64),
  value: accessKeySchema,
  cleanupPolicy: 'compact',
  retentionMs: FOREVER,
  partitions: 1,
  tombstones: true,
});

/** Value of every dead-letter topic: the original message, untouched, and why it failed. */
export const deadLetterSchema = z.object({
  sourceTopic: z.string(),
  partition: z.number().int(),
  offset: z.string(),
  consumerGroup: z.string(),
  key: z.string().nullable(),
  /** The original value as UTF-8 text (null for a tombstone). */
  value: z.string().nullable(),
  error: z.string(),
  attempts: z.number().int(),
  failedAt: z.string(),
});
export type DeadLetter = z.infer<typeof deadLetterSchema>;

/** The dead-letter topic of a topic: same key, a {@link deadLetterSchema} value. */
export function deadLetterTopicOf(topic: TopicDefinition): TopicDefinition {
  return {
    name: `${topic.name}.dlt`,
    version: 1,
    description: `Messages of ${topic.name} that failed after capped retries`,
    key: z.string().nullable(),
    value: deadLetterSchema,
    cleanupPolicy: 'delete',
    retentionMs: FOREVER,
    partitions: 1,
    tombstones: false,
  };
}

/** Every topic of the system (dead-letter topics are derived per consumed topic). */
export const ALL_TOPICS: readonly TopicDefinition[] = [
  DOSSIER_EVENTS,
  DOSSIER_FACTS,
  DOSSIER_OUTCOMES,
  REFERENCE_AGENCIES,
  REFERENCE_FIELDS,
  REFERENCE_PROCEDURES,
  REFERENCE_CALENDARS,
  ACCESS_KEYS,
];
