import type { Form06aFigures } from './report-math';

/**
 * The layout of Biểu II.06a/VPCP/KSTT (Circular 01/2020/TT-VPCP; docs/counting-rules.md §9): its
 * code, title, column numbers, headings (Vietnamese as the form prints them, and English) and which
 * figure each column shows. The one home of the layout: the csv and xlsx exports build their
 * headings and cells from it, and the dashboard reads it from `GET /v1/reports/form-06a/layout`.
 */

/** Where a figure column reads its number in a row's {@link Form06aFigures}. */
export type Form06aFigureKey =
  | 'received.total'
  | 'received.online'
  | 'received.inPersonOrPostal'
  | 'received.carriedOver'
  | 'resolved.total'
  | 'resolved.early'
  | 'resolved.onTime'
  | 'resolved.late'
  | 'pending.total'
  | 'pending.withinDeadline'
  | 'pending.overdue';

export interface Form06aColumn {
  /** The column's number on the printed form (1 = STT, 2 = the row's name, 3–13 the figures). */
  number: number;
  /** The figure shown; null for the row number and the row's name. */
  figure: Form06aFigureKey | null;
  /** The heading without its number. */
  heading: { vi: string; en: string };
}

export interface Form06aGroup {
  heading: { vi: string; en: string };
  /** Numbers of the columns the group spans. */
  columns: number[];
}

export interface Form06aLayout {
  code: string;
  title: { vi: string; en: string };
  totalLabel: { vi: string; en: string };
  columns: Form06aColumn[];
  groups: Form06aGroup[];
}

export const FORM_06A_LAYOUT: Form06aLayout = {
  code: 'Biểu II.06a/VPCP/KSTT',
  title: {
    vi: 'TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH',
    en: 'ADMINISTRATIVE PROCEDURES RECEIVED AND RESOLVED',
  },
  totalLabel: { vi: 'Tổng cộng', en: 'Total' },
  columns: [
    { number: 1, figure: null, heading: { vi: 'STT', en: 'No.' } },
    { number: 2, figure: null, heading: { vi: 'Lĩnh vực/Đơn vị', en: 'Field/Unit' } },
    { number: 3, figure: 'received.total', heading: { vi: 'Tổng số hồ sơ tiếp nhận', en: 'Total received' } },
    { number: 4, figure: 'received.online', heading: { vi: 'Trực tuyến', en: 'Online' } },
    {
      number: 5,
      figure: 'received.inPersonOrPostal',
      heading: { vi: 'Trực tiếp và dịch vụ bưu chính', en: 'In person and postal' },
    },
    { number: 6, figure: 'received.carriedOver', heading: { vi: 'Từ kỳ trước chuyển qua', en: 'Carried over' } },
    { number: 7, figure: 'resolved.total', heading: { vi: 'Tổng số đã giải quyết', en: 'Total resolved' } },
    { number: 8, figure: 'resolved.early', heading: { vi: 'Trước hạn', en: 'Early' } },
    { number: 9, figure: 'resolved.onTime', heading: { vi: 'Đúng hạn', en: 'On time' } },
    { number: 10, figure: 'resolved.late', heading: { vi: 'Quá hạn', en: 'Late' } },
    { number: 11, figure: 'pending.total', heading: { vi: 'Tổng số đang giải quyết', en: 'Total pending' } },
    { number: 12, figure: 'pending.withinDeadline', heading: { vi: 'Trong hạn', en: 'Within deadline' } },
    { number: 13, figure: 'pending.overdue', heading: { vi: 'Quá hạn', en: 'Overdue' } },
  ],
  groups: [
    { heading: { vi: 'Số hồ sơ nhận giải quyết', en: 'Dossiers to handle' }, columns: [3, 4, 5, 6] },
    { heading: { vi: 'Kết quả giải quyết — đã giải quyết', en: 'Results — resolved' }, columns: [7, 8, 9, 10] },
    { heading: { vi: 'Đang giải quyết', en: 'Pending' }, columns: [11, 12, 13] },
  ],
};

/** A column's heading as printed on the form: the text, then `(n)` for the figure columns. */
export function columnHeading(column: Form06aColumn, language: 'vi' | 'en' = 'vi'): string {
  const text = column.heading[language];
  return column.figure === null ? text : `${text} (${column.number})`;
}

/** The 13 official column headings, in order, as the exports carry them. */
export const FORM_06A_HEADINGS: readonly string[] = FORM_06A_LAYOUT.columns.map((column) => columnHeading(column));

/** The figure columns (3–13) of one row, in order. */
export function form06aNumbers(figures: Form06aFigures): number[] {
  return FORM_06A_LAYOUT.columns.flatMap((column) =>
    column.figure === null ? [] : [figureOf(figures, column.figure)],
  );
}

const FIGURES: Record<Form06aFigureKey, (figures: Form06aFigures) => number> = {
  'received.total': (f) => f.received.total,
  'received.online': (f) => f.received.online,
  'received.inPersonOrPostal': (f) => f.received.inPersonOrPostal,
  'received.carriedOver': (f) => f.received.carriedOver,
  'resolved.total': (f) => f.resolved.total,
  'resolved.early': (f) => f.resolved.early,
  'resolved.onTime': (f) => f.resolved.onTime,
  'resolved.late': (f) => f.resolved.late,
  'pending.total': (f) => f.pending.total,
  'pending.withinDeadline': (f) => f.pending.withinDeadline,
  'pending.overdue': (f) => f.pending.overdue,
};

function figureOf(figures: Form06aFigures, key: Form06aFigureKey): number {
  return FIGURES[key](figures);
}
