import { StringDecoder } from 'node:string_decoder';

/** The formats of a bulk import (docs/intake.md, "Bulk import of history"). */
export const IMPORT_FORMATS = { 'text/csv': 'csv', 'application/x-ndjson': 'ndjson' } as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[keyof typeof IMPORT_FORMATS];

/** Envelope columns of a CSV import; all four are required in the header. */
export const CSV_ENVELOPE_COLUMNS = ['eventId', 'type', 'occurredAt', 'dossierCode'] as const;
/** `data` columns of a CSV import (docs/api.md §4); each is optional in the header. */
export const CSV_DATA_COLUMNS = [
  'procedureCode',
  'agencyCode',
  'receivingAgencyCode',
  'fieldCode',
  'channel',
  'submittedAt',
  'dueAt',
  'reason',
  'toAgencyCode',
  'newDueAt',
  'outcome',
] as const;

/** One record of an import: its 1-based physical line number (where it starts) and its text. */
export interface ImportRecord {
  line: number;
  text: string;
}

/**
 * Splits a text stream into records: NDJSON one per line, CSV one per row (a quoted cell may span
 * lines, RFC 4180). Accepts LF and CRLF, drops a leading byte-order mark, skips blank lines (they
 * still count for line numbers). Feed bytes with `push`, then call `end`.
 */
export class RecordSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private pending = '';
  /** CSV: text of a row whose quoted cell is still open, and the line it started on. */
  private open: ImportRecord | null = null;
  private lineNumber = 0;
  private bomChecked = false;

  constructor(private readonly format: ImportFormat) {}

  push(chunk: Buffer | string): ImportRecord[] {
    return this.take(typeof chunk === 'string' ? chunk : this.decoder.write(chunk), false);
  }

  end(): ImportRecord[] {
    return this.take(this.decoder.end(), true);
  }

  private take(text: string, last: boolean): ImportRecord[] {
    if (!this.bomChecked && text.length > 0) {
      this.bomChecked = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    this.pending += text;
    const records: ImportRecord[] = [];
    let start = 0;
    for (;;) {
      const newline = this.pending.indexOf('\n', start);
      if (newline < 0) break;
      this.line(this.pending.slice(start, newline), records);
      start = newline + 1;
    }
    this.pending = this.pending.slice(start);
    if (last) {
      if (this.pending.length > 0) this.line(this.pending, records);
      this.pending = '';
      if (this.open !== null) {
        // An unterminated quoted cell: hand the row over, the CSV parser reports it.
        records.push(this.open);
        this.open = null;
      }
    }
    return records;
  }

  private line(raw: string, records: ImportRecord[]): void {
    this.lineNumber += 1;
    const text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (this.format === 'ndjson') {
      if (text.trim() !== '') records.push({ line: this.lineNumber, text });
      return;
    }
    if (this.open !== null) {
      this.open.text += `\n${text}`;
      if (quoteCount(this.open.text) % 2 === 0) {
        records.push(this.open);
        this.open = null;
      }
      return;
    }
    if (text.trim() === '') return;
    const record = { line: this.lineNumber, text };
    if (quoteCount(text) % 2 === 0) records.push(record);
    else this.open = record;
  }
}

function quoteCount(text: string): number {
  let count = 0;
  for (let i = text.indexOf('"'); i >= 0; i = text.indexOf('"', i + 1)) count += 1;
  return count;
}

/** The cells of one CSV row (RFC 4180: quoted cells may hold commas, newlines and `""`). */
export function parseCsvRow(text: string): { ok: true; cells: string[] } | { ok: false; reason: string } {
  const cells: string[] = [];
  let i = 0;
  for (;;) {
    if (text[i] === '"') {
      let cell = '';
      i += 1;
      for (;;) {
        const quote = text.indexOf('"', i);
        if (quote < 0) return { ok: false, reason: 'unterminated quoted cell' };
        cell += text.slice(i, quote);
        if (text[quote + 1] === '"') {
          cell += '"';
          i = quote + 2;
          continue;
        }
        i = quote + 1;
        break;
      }
      cells.push(cell);
      if (i === text.length) return { ok: true, cells };
      if (text[i] !== ',') return { ok: false, reason: `unexpected character after quoted cell ${cells.length}` };
      i += 1;
      continue;
    }
    const comma = text.indexOf(',', i);
    const cell = comma < 0 ? text.slice(i) : text.slice(i, comma);
    if (cell.includes('"')) return { ok: false, reason: `quote inside unquoted cell ${cells.length + 1}` };
    cells.push(cell);
    if (comma < 0) return { ok: true, cells };
    i = comma + 1;
  }
}

/** A CSV header: the column of each cell, checked against the known columns. */
export function parseCsvHeader(text: string): { ok: true; columns: string[] } | { ok: false; reason: string } {
  const parsed = parseCsvRow(text);
  if (!parsed.ok) return parsed;
  const columns = parsed.cells.map((cell) => cell.trim());
  const known = new Set<string>([...CSV_ENVELOPE_COLUMNS, ...CSV_DATA_COLUMNS]);
  const problems: string[] = [];
  const unknown = columns.filter((column) => !known.has(column));
  if (unknown.length > 0) problems.push(`unknown column(s) ${unknown.map((c) => JSON.stringify(c)).join(', ')}`);
  const missing = CSV_ENVELOPE_COLUMNS.filter((column) => !columns.includes(column));
  if (missing.length > 0) problems.push(`missing column(s) ${missing.join(', ')}`);
  const repeated = columns.filter((column, index) => columns.indexOf(column) !== index);
  if (repeated.length > 0) problems.push(`repeated column(s) ${[...new Set(repeated)].join(', ')}`);
  return problems.length > 0 ? { ok: false, reason: `CSV header: ${problems.join('; ')}` } : { ok: true, columns };
}

const ENVELOPE = new Set<string>(CSV_ENVELOPE_COLUMNS);

/**
 * One record as the raw event object it describes (validated afterwards like `POST /v1/events`),
 * or why it is not one. CSV: an empty cell is an absent field; NDJSON: the line is one JSON value.
 */
export function recordToItem(
  format: ImportFormat,
  text: string,
  columns: readonly string[] = [],
): { ok: true; item: unknown } | { ok: false; reason: string } {
  if (format === 'ndjson') {
    try {
      return { ok: true, item: JSON.parse(text) as unknown };
    } catch (error) {
      return { ok: false, reason: `not valid JSON: ${(error as Error).message}` };
    }
  }
  const parsed = parseCsvRow(text);
  if (!parsed.ok) return parsed;
  if (parsed.cells.length !== columns.length) {
    return { ok: false, reason: `expected ${columns.length} cells, found ${parsed.cells.length}` };
  }
  const item: Record<string, unknown> = {};
  const data: Record<string, string> = {};
  columns.forEach((column, index) => {
    const cell = parsed.cells[index]!;
    if (cell === '') return;
    if (ENVELOPE.has(column)) item[column] = cell;
    else data[column] = cell;
  });
  item.data = data;
  return { ok: true, item };
}
