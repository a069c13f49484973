import { z } from 'zod';
import { channelSchema, localDateSchema } from '@tthc/contracts';
import { problem, ProblemException } from '@tthc/http';
import { OVERDUE_SORTS } from './overdue';
import { INTERVALS } from './periods';

/** Query parameters of the report endpoints (docs/api.md §5), validated with zod → 400 listing every bad one. */

const code = z.string().min(1).max(128);
const flag = z
  .enum(['true', 'false'])
  .optional()
  .transform((value) => value === 'true');

const filters = {
  agency: code.optional(),
  field: code.optional(),
  procedure: code.optional(),
  channel: channelSchema.optional(),
  restate: flag,
};

export const periodQuerySchema = z.object({ from: localDateSchema, to: localDateSchema, ...filters });
export type PeriodQuery = z.infer<typeof periodQuerySchema>;

export const form06aQuerySchema = z.object({
  from: localDateSchema,
  to: localDateSchema,
  ...filters,
  rows: z.enum(['field', 'agency', 'procedure']).default('field'),
  format: z.enum(['json', 'csv', 'xlsx']).default('json'),
});
export type Form06aQuery = z.infer<typeof form06aQuerySchema>;

export const timeseriesQuerySchema = z.object({
  from: localDateSchema,
  to: localDateSchema,
  ...filters,
  interval: z.enum(INTERVALS).default('month'),
});
export type TimeseriesQuery = z.infer<typeof timeseriesQuerySchema>;

export const overdueQuerySchema = z.object({
  ...filters,
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(500).default(50),
  sort: z.enum(OVERDUE_SORTS).default('daysOverdue'),
  order: z.enum(['asc', 'desc']).default('desc'),
});
export type OverdueQuery = z.infer<typeof overdueQuerySchema>;

export const scopeQuerySchema = z.object({ agency: code.optional(), restate: flag });
export type ScopeQuery = z.infer<typeof scopeQuerySchema>;

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** `to` before `from` (checked beside the schema so it is listed together with every other problem). */
function periodErrors(query: unknown): { path: string; message: string }[] {
  if (typeof query !== 'object' || query === null) return [];
  const { from, to } = query as { from?: unknown; to?: unknown };
  return typeof from === 'string' && typeof to === 'string' && DATE.test(from) && DATE.test(to) && to < from
    ? [{ path: 'to', message: 'must not be before from' }]
    : [];
}

/** Parses a query or answers 400 with `errors: [{path, message}]` naming every bad parameter. */
export function parseQuery<S extends z.ZodType>(schema: S, query: unknown): z.infer<S> {
  const parsed = schema.safeParse(query ?? {});
  const errors = [
    ...(parsed.success ? [] : parsed.error.issues).map((issue) => ({
      path: issue.path.map(String).join('.'),
      message: issue.message,
    })),
    ...periodErrors(query),
  ];
  if (parsed.success && errors.length === 0) return parsed.data;
  throw new ProblemException(
    problem(400, `invalid query parameters: ${errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`, { errors }),
  );
}
