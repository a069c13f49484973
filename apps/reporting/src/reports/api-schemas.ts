import { AGENCY_LEVELS, contributionSchema, dossierSnapshotSchema, FINISH_OUTCOMES, ROLES } from '@tthc/contracts';
import { schema, schemaOfZod, type SchemaObject } from '@tthc/http';

/** OpenAPI schemas of reporting's answers (docs/reporting.md; shapes from the contracts where they exist). */

/** The README's example dossier: the example of dossier-code path parameters. */
export const EXAMPLE_DOSSIER_CODE = '000.00.12.H56-170314-0001';

const count = () => schema.integer({ minimum: 0 });
const rate = () => schema.nullable(schema.number({ minimum: 0, maximum: 1 }));
const period = schema.object({ from: schema.date(), to: schema.date() });
const named = schema.object({ code: schema.string(), name: schema.string() });
const dataAsOf = schema.nullable(schema.instant());

/** The figures of a period (docs/api.md §5 summary). */
const FIGURES: Record<string, SchemaObject> = {
  received: schema.object({
    total: count(),
    carriedOver: count(),
    new: count(),
    newByChannel: schema.object({ online: count(), in_person: count(), postal: count() }),
  }),
  resolved: schema.object({ total: count(), early: count(), onTime: count(), late: count(), withdrawn: count() }),
  pending: schema.object({ total: count(), withinDeadline: count(), overdue: count() }),
  onTimeRate: schema.object({ resolved: rate(), due: rate(), all: rate() }),
};

export const SUMMARY = schema.object({
  period,
  agency: named,
  ...FIGURES,
  dataAsOf,
  previousPeriod: schema.object({ period, ...FIGURES }),
});

const FORM_06A_FIGURES = {
  received: schema.object({ total: count(), online: count(), inPersonOrPostal: count(), carriedOver: count() }),
  resolved: schema.object({ total: count(), early: count(), onTime: count(), late: count() }),
  pending: schema.object({ total: count(), withinDeadline: count(), overdue: count() }),
};
export const FORM_06A = schema.object({
  period,
  agency: named,
  rows: schema.array(schema.object({ key: schema.string(), name: schema.string(), ...FORM_06A_FIGURES })),
  total: schema.object(FORM_06A_FIGURES),
  dataAsOf,
});

export const TIMESERIES = schema.object({
  period,
  agency: named,
  interval: schema.enumOf(['day', 'week', 'month', 'quarter', 'year']),
  points: schema.array(schema.object({ period, ...FIGURES }), { maxItems: 1000 }),
  dataAsOf,
});

export const OVERDUE = schema.object({
  items: schema.array(
    schema.object({
      code: schema.string(),
      agency: named,
      procedure: named,
      dueAt: schema.instant(),
      daysOverdue: schema.integer({ minimum: 1 }),
    }),
  ),
  page: schema.integer({ minimum: 1 }),
  pageSize: schema.integer({ minimum: 1, maximum: 500 }),
  total: count(),
  dataAsOf,
});

const snapshot = schemaOfZod(dossierSnapshotSchema, 'output');
export const REPORT_DOSSIER = schema.object({
  code: schema.string(),
  dossierVersion: schema.integer({ minimum: 1 }),
  revision: schema.integer({ minimum: 0 }),
  emittedAt: schema.instant(),
  agency: named,
  procedure: named,
  field: named,
  status: snapshot.properties?.status as SchemaObject,
  outcome: schema.nullable(schema.enumOf(FINISH_OUTCOMES)),
  withdrawn: schema.boolean(),
  dueAt: schema.nullable(schema.instant()),
  dueHistory: snapshot.properties?.dueHistory as SchemaObject,
  waiting: snapshot.properties?.waiting as SchemaObject,
  contribution: schema.nullable(schemaOfZod(contributionSchema, 'output')),
  snapshot,
});

export const INDICATORS = schema.object({
  period,
  agency: named,
  rows: schema.array(
    schema.object({
      agency: named,
      part: schema.string(),
      received: count(),
      new: count(),
      onlineNew: count(),
      onTimeRate: FIGURES.onTimeRate as SchemaObject,
      indicators: schema.object({ processingProgress: schema.anyObject(), onlineShare: schema.anyObject() }),
    }),
  ),
  dataAsOf,
});

export const REFERENCE_LISTS = schema.object({
  agencies: schema.array(
    schema.object({
      code: schema.string(),
      name: schema.string(),
      parentCode: schema.nullable(schema.string()),
      level: schema.enumOf(AGENCY_LEVELS),
    }),
  ),
  fields: schema.array(named),
  procedures: schema.array(schema.object({ code: schema.string(), name: schema.string(), fieldCode: schema.string() })),
});

export const ME = schema.object({ role: schema.enumOf(ROLES), name: schema.string(), agencyCode: schema.string() }, [
  'agencyCode',
]);

export const SCHEDULED_LIST = schema.object({
  items: schema.array(
    schema.object({
      id: schema.string(),
      agency: named,
      period,
      kind: schema.enumOf(['month', 'quarter']),
      rows: schema.enumOf(['field', 'agency']),
      format: schema.enumOf(['xlsx', 'csv']),
      bytes: count(),
      createdAt: schema.instant(),
      dataAsOf,
    }),
  ),
});

export const RUN_QUEUED = schema.object({
  jobId: schema.string(),
  month: schema.string({ pattern: '^\\d{4}-\\d{2}$' }),
});
export const RUN_BODY = schema.object(
  { month: schema.string({ pattern: '^\\d{4}-(0[1-9]|1[0-2])$', example: '2017-03' }) },
  ['month'],
);
export const RUN = schema.object({
  id: schema.string(),
  trigger: schema.enumOf(['schedule', 'manual']),
  month: schema.nullable(schema.string()),
  state: schema.string(),
  produced: count(),
  total: schema.nullable(count()),
  attemptsMade: count(),
  createdAt: schema.instant(),
  finishedAt: schema.nullable(schema.instant()),
  failedReason: schema.nullable(schema.string()),
});

const CSV = { schema: schema.string() };
const XLSX = { schema: schema.string({ format: 'binary' }) };
export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const bilingual = schema.object({ vi: schema.string(), en: schema.string() });
/** The II.06a layout (form-06a-layout.ts). */
export const FORM_06A_LAYOUT_SCHEMA = schema.object({
  code: schema.string(),
  title: bilingual,
  totalLabel: bilingual,
  columns: schema.array(
    schema.object({
      number: schema.integer({ minimum: 1 }),
      figure: schema.nullable(schema.string()),
      heading: bilingual,
    }),
  ),
  groups: schema.array(schema.object({ heading: bilingual, columns: schema.array(schema.integer({ minimum: 1 })) })),
});

/** The content of an II.06a answer: JSON, or a CSV or xlsx file. */
export const FORM_06A_CONTENT = {
  'application/json': { schema: FORM_06A },
  'text/csv': CSV,
  [XLSX_TYPE]: XLSX,
};
/** The content of a stored scheduled file. */
export const FILE_CONTENT = { 'text/csv': CSV, [XLSX_TYPE]: XLSX };
