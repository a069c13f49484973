import { z } from 'zod';
import { isRealDateTime } from './dossier-event';

/** Reference data of docs/api.md §3. */

const code = z.string().min(1).max(128);
const localDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD')
  .refine(isRealDateTime, 'is not a real date');

export const AGENCY_LEVELS = ['province', 'department', 'district', 'commune', 'other'] as const;

export const agencySchema = z.object({
  code,
  name: z.string().min(1).max(500),
  parentCode: code.nullable(),
  level: z.enum(AGENCY_LEVELS),
  validFrom: localDate.optional(),
  validTo: localDate.optional(),
  successorCode: code.optional(),
});
export type Agency = z.infer<typeof agencySchema>;

export const fieldSchema = z.object({ code, name: z.string().min(1).max(500) });
export type Field = z.infer<typeof fieldSchema>;

export const PROCESSING_TIME_UNITS = ['working_days', 'working_hours', 'calendar_days'] as const;
export const processingTimeSchema = z.object({
  value: z.number().positive().max(3650),
  unit: z.enum(PROCESSING_TIME_UNITS),
});
export type ProcessingTime = z.infer<typeof processingTimeSchema>;

export const procedureSchema = z.object({
  code,
  name: z.string().min(1).max(1000),
  fieldCode: code,
  processingTime: processingTimeSchema.nullable(),
});
export type Procedure = z.infer<typeof procedureSchema>;

export const calendarYearSchema = z.object({
  year: z.number().int().min(2000).max(2100),
  holidays: z.array(localDate),
  workingSaturdays: z.array(localDate),
});
export type CalendarYear = z.infer<typeof calendarYearSchema>;

export const localDateSchema = localDate;
