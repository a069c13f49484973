import { dossierEventSchema, dossierSnapshotSchema } from '@tthc/contracts';
import { schema, schemaOfZod } from '@tthc/http';

/** OpenAPI schemas of dossier-tracking's answers (shapes from the contracts where they exist). */

/** The README's example dossier: the example of dossier-code path parameters. */
export const EXAMPLE_DOSSIER_CODE = '000.00.12.H56-170314-0001';

export const DOSSIER = schema.object({
  dossierCode: schema.string(),
  kind: schema.enumOf(['awaiting_receipt', 'rejected', 'dossier']),
  version: schema.integer({ minimum: 0 }),
  state: schema.nullable(schemaOfZod(dossierSnapshotSchema.omit({ version: true }), 'output')),
  timeline: schema.array({
    allOf: [
      schemaOfZod(dossierEventSchema, 'output'),
      schema.object({
        deskId: schema.string(),
        acceptedAt: schema.instant(),
        correlationId: {
          ...schema.nullable(schema.string()),
          description:
            'correlation id of the desk request that delivered the event (its X-Request-Id or traceparent trace id, or one intake created; Kafka header x-correlation-id); null for events stored before correlation ids were kept',
        },
      }),
    ],
  }),
});

export const DATA_QUALITY = schema.object({
  total: schema.integer({ minimum: 0 }),
  items: schema.array(
    schema.object({
      id: schema.string(),
      kind: schema.string(),
      dossierCode: schema.string(),
      deskId: schema.string(),
      eventId: schema.string(),
      detail: schema.string(),
      firstSeenAt: schema.instant(),
    }),
  ),
});
