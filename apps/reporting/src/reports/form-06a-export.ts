import { Workbook } from 'exceljs';
import { csvLine } from './csv';
import { FORM_06A_HEADINGS, FORM_06A_LAYOUT, form06aNumbers } from './form-06a-layout';
import type { Form06aFigures, Form06aRow } from './report-math';

/** A II.06a report as the JSON endpoint answers it (the input of the csv and xlsx builders). */
export interface Form06aReport {
  period: { from: string; to: string };
  agency: { code: string; name: string };
  rows: Form06aRow[];
  total: Form06aFigures;
}

const FORM_06A_CODE = FORM_06A_LAYOUT.code;
const FORM_06A_TITLE = FORM_06A_LAYOUT.title.vi;
const TOTAL_LABEL = FORM_06A_LAYOUT.totalLabel.vi;

const vnDate = (date: string) => date.split('-').reverse().join('/');

/** The title lines: the form and, second, the agency and period. */
export function form06aTitle(report: Form06aReport): [string, string] {
  const agency = report.agency.code === '*' ? report.agency.name : `${report.agency.name} (${report.agency.code})`;
  return [
    `${FORM_06A_CODE} – ${FORM_06A_TITLE}`,
    `Đơn vị: ${agency}; Kỳ báo cáo: từ ngày ${vnDate(report.period.from)} đến ngày ${vnDate(report.period.to)}`,
  ];
}

/** The table body: one line per row (STT 1…n), then "Tổng cộng". */
export function form06aTable(report: Form06aReport): (string | number)[][] {
  return [
    ...report.rows.map((row, index) => [index + 1, row.name, ...form06aNumbers(row)]),
    ['', TOTAL_LABEL, ...form06aNumbers(report.total)],
  ];
}

/**
 * CSV, UTF-8 with a byte-order mark (Excel opens it with the right characters), CRLF lines; text
 * cells neutralised against formula injection (./csv.ts).
 */
export function form06aCsv(report: Form06aReport): string {
  const lines = [...form06aTitle(report).map((title) => [title]), [...FORM_06A_HEADINGS], ...form06aTable(report)];
  return `\uFEFF${lines.map(csvLine).join('\r\n')}\r\n`;
}

/**
 * XLSX: a title row, the agency/period row, the heading row, the rows and "Tổng cộng". Names are
 * string cells (shared strings, never formulas: exceljs makes a formula only of `{formula}`
 * values), so a name such as `=1+2` is shown as text and not evaluated.
 */
export async function form06aXlsx(report: Form06aReport): Promise<Buffer> {
  const workbook = new Workbook();
  workbook.creator = 'tthc-stats';
  const sheet = workbook.addWorksheet('II.06a');
  const [title, subtitle] = form06aTitle(report);
  const width = FORM_06A_HEADINGS.length;
  sheet.addRow([title]);
  sheet.mergeCells(1, 1, 1, width);
  sheet.addRow([subtitle]);
  sheet.mergeCells(2, 1, 2, width);
  sheet.getRow(1).font = { bold: true, size: 13 };
  sheet.getRow(1).alignment = { horizontal: 'center' };
  sheet.getRow(2).alignment = { horizontal: 'center' };
  const headings = sheet.addRow([...FORM_06A_HEADINGS]);
  headings.font = { bold: true };
  headings.alignment = { wrapText: true, vertical: 'middle', horizontal: 'center' };
  const lines = form06aTable(report).map((line) => sheet.addRow(line));
  const total = lines[lines.length - 1];
  if (total !== undefined) total.font = { bold: true };
  sheet.columns.forEach((column, index) => {
    column.width = index === 0 ? 6 : index === 1 ? 40 : 14;
  });
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

/** `bieu-II.06a_<agency>_<from>_<to>.<ext>` (agency `*` → `tat-ca`). */
export function form06aFilename(report: Form06aReport, extension: 'csv' | 'xlsx'): string {
  const agency = report.agency.code === '*' ? 'tat-ca' : report.agency.code.replace(/[^A-Za-z0-9._-]/g, '_');
  return `bieu-II.06a_${agency}_${report.period.from}_${report.period.to}.${extension}`;
}
