/**
 * CSV cells as every CSV the product writes them (II.06a exports, on demand and scheduled).
 *
 * Formula injection: a spreadsheet opening the file runs a text cell starting with `=`, `+`, `-`,
 * `@`, tab or carriage return as a formula (a hostile agency, field or procedure name such as
 * `=HYPERLINK(…)`). Such a **text** cell gets a leading `'` — spreadsheets show the text as typed
 * and do not evaluate it. Numbers (the figures) are written as numbers, negative ones too: only
 * values of type string are neutralised, so `-3` stays a number and the name `-3` becomes `'-3`.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

/** A text value made inert for spreadsheets (a leading `'` when it could start a formula). */
export function neutraliseText(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}

/** One CSV cell: text neutralised, then quoted when it holds a comma, semicolon, quote or line break. */
export function csvCell(value: string | number): string {
  const text = typeof value === 'number' ? String(value) : neutraliseText(value);
  return /[",;\r\n\t]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A CSV line of cells (no line break). */
export function csvLine(cells: readonly (string | number)[]): string {
  return cells.map(csvCell).join(',');
}
