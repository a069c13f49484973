import type { Agency } from '@tthc/contracts';

/**
 * Pure planning of scheduled II.06a reports: which periods a run produces, for which provinces,
 * and the deterministic id of each file (docs/reporting.md, "Scheduled reports").
 */

export const REPORT_ROWS = ['field', 'agency'] as const;
export type ScheduledRows = (typeof REPORT_ROWS)[number];
export const REPORT_FORMATS = ['xlsx', 'csv'] as const;
export type ScheduledFormat = (typeof REPORT_FORMATS)[number];
export type PeriodKind = 'month' | 'quarter';

/** A calendar month `YYYY-MM`. */
export const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

export interface PlannedPeriod {
  kind: PeriodKind;
  /** `2017-03` for a month, `2017-Q1` for a quarter: part of the report id. */
  label: string;
  from: string;
  to: string;
}

export interface PlannedReport {
  id: string;
  agency: { code: string; name: string };
  period: PlannedPeriod;
  rows: ScheduledRows;
  format: ScheduledFormat;
}

const pad = (value: number) => String(value).padStart(2, '0');

function parseMonth(month: string): { year: number; month: number } {
  const match = MONTH.exec(month);
  if (match === null) throw new Error(`not a month YYYY-MM: ${month}`);
  return { year: Number(match[1]), month: Number(match[2]) };
}

/** Days in a month (1–12) of the proleptic Gregorian calendar. */
function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** The calendar month before the one containing the local date `YYYY-MM-DD`. */
export function previousMonth(localDate: string): string {
  const year = Number(localDate.slice(0, 4));
  const month = Number(localDate.slice(5, 7));
  return month === 1 ? `${year - 1}-12` : `${year}-${pad(month - 1)}`;
}

/**
 * The periods a run for `month` produces: the month itself and, when the month ends a calendar
 * quarter (March, June, September, December), that quarter.
 */
export function periodsOfMonth(month: string): PlannedPeriod[] {
  const { year, month: m } = parseMonth(month);
  const periods: PlannedPeriod[] = [
    { kind: 'month', label: month, from: `${year}-${pad(m)}-01`, to: `${year}-${pad(m)}-${pad(daysIn(year, m))}` },
  ];
  if (m % 3 === 0) {
    periods.push({
      kind: 'quarter',
      label: `${year}-Q${m / 3}`,
      from: `${year}-${pad(m - 2)}-01`,
      to: `${year}-${pad(m)}-${pad(daysIn(year, m))}`,
    });
  }
  return periods;
}

/** Whether an agency is valid on a local date (validFrom and validTo inclusive, absent = open). */
export function validOn(agency: Pick<Agency, 'validFrom' | 'validTo'>, date: string): boolean {
  return (
    (agency.validFrom === undefined || agency.validFrom <= date) &&
    (agency.validTo === undefined || date <= agency.validTo)
  );
}

/** The provinces a run reports on: root agencies (no parent) of level `province` valid on `date`, by code. */
export function provincesOf(agencies: readonly Agency[], date: string): Agency[] {
  return agencies
    .filter((agency) => agency.parentCode === null && agency.level === 'province' && validOn(agency, date))
    .sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
}

/**
 * The id of a scheduled report: `<agency>:<period label>:<rows>:<format>`, the agency code
 * percent-encoded (`encodeURIComponent`, which also encodes `:`), so the id is unambiguous and
 * the same on every run and replica — re-running replaces the file, never duplicates it.
 */
export function reportIdOf(agency: string, period: string, rows: ScheduledRows, format: ScheduledFormat): string {
  return [encodeURIComponent(agency), period, rows, format].join(':');
}

/** Every file a run for `month` produces for these provinces, by province, period, rows, format. */
export function planReports(provinces: readonly Pick<Agency, 'code' | 'name'>[], month: string): PlannedReport[] {
  const periods = periodsOfMonth(month);
  return provinces.flatMap((province) =>
    periods.flatMap((period) =>
      REPORT_ROWS.flatMap((rows) =>
        REPORT_FORMATS.map((format) => ({
          id: reportIdOf(province.code, period.label, rows, format),
          agency: { code: province.code, name: province.name },
          period,
          rows,
          format,
        })),
      ),
    ),
  );
}

/** The month a run reports on when none is asked: the month before the run's local date. */
export function monthOfRun(runLocalDate: string): string {
  return previousMonth(runLocalDate);
}

/** A month is reportable once it has ended: strictly before the month of `today`. */
export function monthEnded(month: string, today: string): boolean {
  return month < today.slice(0, 7);
}

interface Sortable {
  period: { from: string; to: string };
  agency: { code: string };
  rows: string;
  format: string;
}

/** Newest first: by period end, then start (a month before the quarter ending with it), then agency, rows, format. */
export function compareNewestFirst(a: Sortable, b: Sortable): number {
  const order: [string, string, 1 | -1][] = [
    [a.period.to, b.period.to, -1],
    [a.period.from, b.period.from, -1],
    [a.agency.code, b.agency.code, 1],
    [a.rows, b.rows, 1],
    [a.format, b.format, 1],
  ];
  for (const [x, y, sign] of order) if (x !== y) return (x < y ? -1 : 1) * sign;
  return 0;
}
