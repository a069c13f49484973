import { schema } from '@tthc/http';

/** OpenAPI schema of a rebuild's view (RebuildView). */
const count = () => schema.integer({ minimum: 0 });
export const REBUILD_VIEW = schema.object({
  id: schema.string(),
  state: schema.enumOf(['queued', 'running', 'completed', 'failed']),
  policies: schema.nullable(schema.string()),
  total: count(),
  processed: count(),
  percent: schema.number({ minimum: 0, maximum: 100 }),
  counters: count(),
  differences: schema.object({ count: count(), sample: schema.array(schema.anyObject()) }),
  changedDossiers: count(),
  republished: count(),
  revision: schema.nullable(schema.integer()),
  createdAt: schema.instant(),
  startedAt: schema.nullable(schema.instant()),
  finishedAt: schema.nullable(schema.instant()),
  error: schema.nullable(schema.string()),
});
