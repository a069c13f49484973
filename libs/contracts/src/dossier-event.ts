import { z } from 'zod';

/**
 * The desk-facing event of docs/api.md §4, version 1. The schema is the contract: intake validates
 * every posted event with it, and every consumer of the event stream validates again.
 */

export const EVENT_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;
/** ISO 8601 instant with an explicit offset (`Z` or `±HH:MM`), as in `2017-03-14T09:12:00+07:00`. */
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/** True when the calendar fields of an ISO date-time exist (no 30 February, no 25:00). */
export function isRealDateTime(value: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2}))?)?/.exec(value);
  if (match === null) return false;
  const [year, month, day, hour = 0, minute = 0, second = 0] = match.slice(1).map((part) => Number(part ?? 0));
  if (year === undefined || month === undefined || day === undefined) return false;
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return (
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysInMonth &&
    hour <= 23 &&
    minute <= 59 &&
    second <= 59 &&
    !Number.isNaN(Date.parse(value))
  );
}

export const instantSchema = z
  .string()
  .regex(ISO_INSTANT, 'must be an ISO 8601 date-time with an offset, e.g. 2017-03-14T09:12:00+07:00')
  .refine(isRealDateTime, 'is not a real date-time');

const code = z.string().min(1, 'must not be empty').max(128, 'must be at most 128 characters');

export const CHANNELS = ['in_person', 'online', 'postal'] as const;
export type Channel = (typeof CHANNELS)[number];
export const channelSchema = z.enum(CHANNELS);

export const PAUSE_REASONS = ['financial_obligation', 'suspended', 'other'] as const;
export const OUTCOMES = ['approved', 'refused'] as const;

const empty = z.object({}).default({});

/** `data` per event type (docs/api.md §4 table). */
export const eventDataSchemas = {
  'dossier.received': z.object({
    procedureCode: code,
    agencyCode: code,
    receivingAgencyCode: code.optional(),
    fieldCode: code.optional(),
    channel: channelSchema,
    submittedAt: instantSchema.optional(),
    dueAt: instantSchema.optional(),
  }),
  'dossier.rejected': z.object({ reason: z.string().max(2000).optional() }).default({}),
  'dossier.supplement_requested': z.object({ reason: z.string().max(2000).optional() }).default({}),
  'dossier.supplement_received': z.object({ dueAt: instantSchema.optional() }).default({}),
  'dossier.transferred': z.object({ toAgencyCode: code }),
  'dossier.paused': z.object({ reason: z.enum(PAUSE_REASONS) }),
  'dossier.resumed': empty,
  'dossier.rescheduled': z.object({ newDueAt: instantSchema, reason: z.string().max(2000).optional() }),
  'dossier.resolved': z.object({ outcome: z.enum(OUTCOMES) }),
  'dossier.returned': empty,
  'dossier.withdrawn': empty,
  'dossier.voided': z.object({ reason: z.string().min(1, 'is required').max(2000) }),
} as const;

export type DossierEventType = keyof typeof eventDataSchemas;
export const DOSSIER_EVENT_TYPES = Object.keys(eventDataSchemas) as DossierEventType[];

const envelope = {
  eventId: z.string().regex(EVENT_ID_PATTERN, 'must be 1-128 characters of [A-Za-z0-9._:-]'),
  occurredAt: instantSchema,
  dossierCode: code,
};

function variant<T extends DossierEventType>(type: T) {
  return z.object({ ...envelope, type: z.literal(type), data: eventDataSchemas[type] });
}

export const dossierEventSchema = z.discriminatedUnion('type', [
  variant('dossier.received'),
  variant('dossier.rejected'),
  variant('dossier.supplement_requested'),
  variant('dossier.supplement_received'),
  variant('dossier.transferred'),
  variant('dossier.paused'),
  variant('dossier.resumed'),
  variant('dossier.rescheduled'),
  variant('dossier.resolved'),
  variant('dossier.returned'),
  variant('dossier.withdrawn'),
  variant('dossier.voided'),
]);
export type DossierEvent = z.infer<typeof dossierEventSchema>;
export type DossierEventOf<T extends DossierEventType> = Extract<DossierEvent, { type: T }>;

/**
 * What intake stamps on each accepted event's envelope (`tthc.dossier-events.v1`), fixed at
 * acceptance so that dossier-tracking decides desk scope the same way at every refold (issue 11).
 * Both are optional: envelopes accepted before they existed carry neither.
 */
/** The accepting key's scope: `admin` (the admin key, bulk imports) or the desk key's agency codes (subtree roots). */
export const deskScopeSchema = z.union([z.literal('admin'), z.array(code).min(1).max(100)]);
export type DeskScope = z.infer<typeof deskScopeSchema>;

/** For each agency code the event names: its chain up to the root in the agency tree at acceptance, itself first. */
export const agencyAncestrySchema = z.record(code, z.array(code).min(1).max(64));
export type AgencyAncestry = z.infer<typeof agencyAncestrySchema>;

export interface EventProblem {
  /** Index of the event in the request (0-based). */
  index: number;
  /** Field path such as `data.channel`. */
  path: string;
  message: string;
}

/** Validates a list of raw events and returns every problem, or the parsed events. */
export function validateDossierEvents(
  raw: readonly unknown[],
): { ok: true; events: DossierEvent[] } | { ok: false; problems: EventProblem[] } {
  const events: DossierEvent[] = [];
  const problems: EventProblem[] = [];
  raw.forEach((item, index) => {
    const parsed = dossierEventSchema.safeParse(item);
    if (parsed.success) {
      events.push(parsed.data);
      return;
    }
    for (const issue of parsed.error.issues) {
      problems.push({ index, path: issue.path.map(String).join('.'), message: describeIssue(issue) });
    }
  });
  return problems.length === 0 ? { ok: true, events } : { ok: false, problems };
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_union' && issue.path.join('.') === 'type') {
    return `type must be one of ${DOSSIER_EVENT_TYPES.join(', ')}`;
  }
  return issue.message;
}
