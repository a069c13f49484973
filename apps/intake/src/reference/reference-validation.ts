import { validateYearTable } from '@tthc/calendar';
import {
  agencySchema,
  calendarYearSchema,
  fieldSchema,
  procedureSchema,
  type Agency,
  type CalendarYear,
  type Field,
  type Procedure,
} from '@tthc/contracts';
import { validateAgencyUpload } from '@tthc/reference';
import type { z } from 'zod';
import type { ItemProblem } from '../shared/publish';

export type Validated<T> = { ok: true; items: T[] } | { ok: false; problems: ItemProblem[] };

/** Most entries one `PUT /v1/reference/*` may carry. */
export const MAX_REFERENCE_ENTRIES = 20_000;

function parseArray<S extends z.ZodType>(body: unknown, schema: S): Validated<z.infer<S>> {
  if (!Array.isArray(body)) return { ok: false, problems: [{ path: '', message: 'the body must be a JSON array' }] };
  if (body.length > MAX_REFERENCE_ENTRIES) {
    return {
      ok: false,
      problems: [{ path: '', message: `at most ${MAX_REFERENCE_ENTRIES} entries per upload (got ${body.length})` }],
    };
  }
  const items: z.infer<S>[] = [];
  const problems: ItemProblem[] = [];
  body.forEach((item: unknown, index) => {
    const parsed = schema.safeParse(item);
    if (parsed.success) items.push(parsed.data);
    else {
      for (const issue of parsed.error.issues) {
        problems.push({ index, path: issue.path.map(String).join('.'), message: issue.message });
      }
    }
  });
  return problems.length > 0 ? { ok: false, problems } : { ok: true, items };
}

function duplicateCodes(items: readonly { code: string }[]): ItemProblem[] {
  const seen = new Set<string>();
  const problems: ItemProblem[] = [];
  items.forEach((item, index) => {
    if (seen.has(item.code)) {
      problems.push({ index, path: 'code', message: `${item.code} appears twice in the upload` });
    }
    seen.add(item.code);
  });
  return problems;
}

/** Agencies: the contract schema, then parents, cycles, validity dates and successors against `known`. */
export function validateAgencies(body: unknown, known: Iterable<Agency>): Validated<Agency> {
  const parsed = parseArray(body, agencySchema);
  if (!parsed.ok) return parsed;
  const problems = validateAgencyUpload(parsed.items, known);
  return problems.length > 0 ? { ok: false, problems } : parsed;
}

export function validateFields(body: unknown): Validated<Field> {
  const parsed = parseArray(body, fieldSchema);
  if (!parsed.ok) return parsed;
  const problems = duplicateCodes(parsed.items);
  return problems.length > 0 ? { ok: false, problems } : parsed;
}

/** Procedures: the contract schema, and every `fieldCode` must be a known field. */
export function validateProcedures(body: unknown, hasField: (code: string) => boolean): Validated<Procedure> {
  const parsed = parseArray(body, procedureSchema);
  if (!parsed.ok) return parsed;
  const problems = duplicateCodes(parsed.items);
  parsed.items.forEach((procedure, index) => {
    if (!hasField(procedure.fieldCode)) {
      problems.push({ index, path: 'fieldCode', message: `unknown field ${procedure.fieldCode}` });
    }
  });
  return problems.length > 0 ? { ok: false, problems } : parsed;
}

/** A year's table: `{holidays, workingSaturdays}`, dates within the year, Saturdays only. */
export function validateCalendar(
  yearText: string,
  body: unknown,
): { ok: true; value: CalendarYear } | { ok: false; problems: ItemProblem[] } {
  if (!/^\d{4}$/.test(yearText)) {
    return { ok: false, problems: [{ path: 'year', message: 'the year in the path must be four digits' }] };
  }
  const year = Number(yearText);
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { ok: false, problems: [{ path: '', message: 'the body must be an object {holidays, workingSaturdays}' }] };
  }
  const record = body as Record<string, unknown>;
  if (record.year !== undefined && record.year !== year) {
    return { ok: false, problems: [{ path: 'year', message: `the body's year differs from the path's ${year}` }] };
  }
  const parsed = calendarYearSchema.safeParse({
    year,
    holidays: record.holidays,
    workingSaturdays: record.workingSaturdays,
  });
  if (!parsed.success) {
    return {
      ok: false,
      problems: parsed.error.issues.map((issue) => ({
        path: issue.path.map(String).join('.'),
        message: issue.message,
      })),
    };
  }
  const issues = validateYearTable(year, parsed.data);
  if (issues.length > 0) {
    return {
      ok: false,
      problems: issues.map((issue) => ({
        path: issue.path.replace(/^\//, '').replace(/\//g, '.'),
        message: issue.message,
      })),
    };
  }
  return { ok: true, value: parsed.data };
}
