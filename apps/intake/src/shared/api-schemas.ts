import { agencySchema, calendarYearSchema, dossierEventSchema, fieldSchema, procedureSchema } from '@tthc/contracts';
import { schema, schemaOfZod, type SchemaObject } from '@tthc/http';
import { createDeskSchema, createViewerSchema } from '../keys/keys.service';

/** OpenAPI schemas of intake's requests and answers; the request shapes come from the contracts. */

const EVENT = schemaOfZod(dossierEventSchema);
export const EVENTS_BODY: SchemaObject = {
  oneOf: [EVENT, schema.array(EVENT, { minItems: 1, maxItems: 1000 })],
};
export const ACCEPTED = schema.object({ accepted: schema.integer({ minimum: 0 }) });

export const AGENCIES_BODY = schema.array(schemaOfZod(agencySchema));
export const FIELDS_BODY = schema.array(schemaOfZod(fieldSchema));
export const PROCEDURES_BODY = schema.array(schemaOfZod(procedureSchema));
export const CALENDAR_BODY = schema.object(
  {
    holidays: schema.array(schema.date()),
    workingSaturdays: schema.array(schema.date()),
    year: schema.integer({ description: "optional; when given, must equal the path's year" }),
  },
  ['year'],
);
export const UPSERTED = schema.object({ upserted: schema.integer({ minimum: 0 }) });

export const AGENCIES = schema.array(schemaOfZod(agencySchema, 'output'));
export const FIELDS = schema.array(schemaOfZod(fieldSchema, 'output'));
export const PROCEDURES = schema.array(schemaOfZod(procedureSchema, 'output'));
export const CALENDAR = schema.object({
  year: schemaOfZod(calendarYearSchema.shape.year, 'output'),
  holidays: schema.array(schema.date()),
  workingSaturdays: schema.array(schema.date()),
  source: schema.enumOf(['uploaded', 'default', 'none']),
  confidence: schema.nullable(schema.enumOf(['CONFIRMED', 'INFERRED', 'UPLOADED'])),
});

export const DESK_BODY = schemaOfZod(createDeskSchema);
export const VIEWER_BODY = schemaOfZod(createViewerSchema);
export const CREATED_KEY = schema.object({ id: schema.string(), key: schema.string() });
const LISTED_KEY_COMMON = {
  id: schema.string(),
  name: schema.string(),
  createdAt: schema.instant(),
  revokedAt: schema.nullable(schema.instant()),
};
export const DESKS = schema.array(schema.object({ ...LISTED_KEY_COMMON, agencyCodes: schema.array(schema.string()) }));
export const VIEWERS = schema.array(schema.object({ ...LISTED_KEY_COMMON, agencyCode: schema.string() }));

const IMPORT_VIEW_PROPERTIES = {
  id: schema.string(),
  desk: schema.string(),
  format: schema.enumOf(['csv', 'ndjson']),
  sha256: schema.string({ pattern: '^[0-9a-f]{64}$' }),
  bytes: schema.integer({ minimum: 0 }),
  state: schema.enumOf(['queued', 'running', 'completed', 'failed']),
  total: schema.integer({ minimum: 0 }),
  processed: schema.integer({ minimum: 0 }),
  accepted: schema.integer({ minimum: 0 }),
  rejected: schema.integer({ minimum: 0 }),
  percent: schema.number({ minimum: 0, maximum: 100 }),
  rejections: schema.array(schema.object({ line: schema.integer({ minimum: 1 }), reason: schema.string() })),
  createdAt: schema.instant(),
  startedAt: schema.nullable(schema.instant()),
  finishedAt: schema.nullable(schema.instant()),
  error: schema.nullable(schema.string()),
};
export const IMPORT_VIEW = schema.object(IMPORT_VIEW_PROPERTIES);
export const IMPORT_LIST = schema.array(schema.object(IMPORT_VIEW_PROPERTIES, ['rejections']));

/** The portal (DVCQG) sync routes (docs/desk-sync.md): records are lenient objects of strings. */
const PORTAL_RECORD = schema.object({ MaHoSo: schema.string() }, []);
export const SYNC_BODY: SchemaObject = {
  oneOf: [
    schema.array(PORTAL_RECORD, { minItems: 1, maxItems: 1000 }),
    schema.object(
      {
        service: schema.enumOf(['DongBoHoSoMC', 'CapNhatTienDoHoSoMC']),
        isUpdating: schema.string(),
        data: schema.array(PORTAL_RECORD, { minItems: 1, maxItems: 1000 }),
      },
      ['isUpdating'],
    ),
  ],
};
export const SYNC_ANSWER = schema.object({
  error_code: schema.enumOf(['0']),
  message: schema.string({ description: 'Vietnamese, contains "thành công"' }),
  accepted: schema.integer({ minimum: 0 }),
  events: schema.integer({ minimum: 0 }),
});
export const SYNC_FINDINGS = schema.array(
  schema.object({
    deskId: schema.string(),
    maHoSo: schema.string(),
    findings: schema.array(schema.object({ kind: schema.string(), detail: schema.string() })),
    updatedAt: schema.instant(),
  }),
);
