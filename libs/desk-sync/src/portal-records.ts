import { z } from 'zod';

/**
 * The national public-service portal's (Cổng DVC quốc gia, DVCQG) dossier-sync records, as one-stop
 * desk systems already send them (docs/desk-sync.md): dossier snapshots (`DongBoHoSoMC`) and
 * processing steps (`CapNhatTienDoHoSoMC`). The portal's own specification is not public: parsing is
 * lenient (numbers for strings, "" for absent, unknown fields ignored) and explicit (every refused
 * value is named with its field).
 */

export const SNAPSHOT_SERVICE = 'DongBoHoSoMC';
export const PROGRESS_SERVICE = 'CapNhatTienDoHoSoMC';
export type PortalService = typeof SNAPSHOT_SERVICE | typeof PROGRESS_SERVICE;

/** Status codes of `TrangThaiHoSo` / `TrangThai`. */
export const PORTAL_STATUSES = {
  1: 'submitted online, not yet accepted',
  2: 'received',
  3: 'refused at the desk',
  4: 'in processing',
  5: 'supplement requested',
  6: 'waiting for a financial obligation',
  7: 'withdrawn',
  8: 'processing stopped',
  9: 'processing finished',
  10: 'result returned',
} as const;
export type PortalStatus = keyof typeof PORTAL_STATUSES;

/** One refused value of a record: the record's index in the request, its MaHoSo, the field, what is wrong. */
export interface RecordProblem {
  index: number;
  MaHoSo: string;
  field: string;
  message: string;
}

const VN_OFFSET = '+07:00';

/**
 * A portal date `yyyyMMddHHmmss` (Vietnam local time, no offset; `yyyyMMdd` is read as 00:00:00)
 * as an ISO instant `2017-03-14T09:12:00+07:00`; `undefined` for "" or absent; `null` when malformed.
 * Vietnam has kept UTC+7 without daylight saving since 1975.
 */
export function parsePortalDate(value: unknown): string | undefined | null {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' && typeof value !== 'number') return null;
  const text = String(value).trim();
  if (text === '') return undefined;
  const match = /^(\d{4})(\d{2})(\d{2})(?:(\d{2})(\d{2})(\d{2}))?$/.exec(text);
  if (match === null) return null;
  const [year, month, day, hour = '00', minute = '00', second = '00'] = match.slice(1);
  const y = Number(year);
  const m = Number(month);
  const d = Number(day);
  const daysInMonth = new Date(Date.UTC(y, m, 0)).getUTCDate();
  if (m < 1 || m > 12 || d < 1 || d > daysInMonth || Number(hour) > 23 || Number(minute) > 59) return null;
  if (Number(second) > 59 || y < 1900) return null;
  return `${year}-${month}-${day}T${hour}:${minute}:${second}${VN_OFFSET}`;
}

/** The portal date of an ISO instant (any offset), in Vietnam local time: `yyyyMMddHHmmss`. */
export function formatPortalDate(instant: string): string {
  const local = new Date(Date.parse(instant) + 7 * 3_600_000).toISOString();
  return local.slice(0, 19).replace(/[-T:]/g, '');
}

/** Folds Vietnamese text for name matching: no diacritics (đ → d), lower case, single spaces. */
export function foldName(name: string): string {
  return name
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[đĐ]/g, 'd')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim();
}

/** A string field of the portal (numbers accepted and turned into text; null, "" and absent are absent). */
const text = (max: number) =>
  z.preprocess(
    (value) => (typeof value === 'number' ? String(value) : value === null ? undefined : value),
    z.string().max(max, `must be at most ${max} characters`).optional(),
  );

const status = z.preprocess(
  (value) => (typeof value === 'string' ? Number(value.trim() === '' ? Number.NaN : value) : value),
  z
    .number({ message: 'must be a status code 1–10' })
    .int('must be a status code 1–10')
    .min(1, 'must be a status code 1–10')
    .max(10, 'must be a status code 1–10'),
);

const supplementEntry = z.looseObject({
  NgayBoSung: text(32),
  NgayTiepNhanBoSung: text(32),
  NgayHenTraTruoc: text(32),
  NgayHenTraMoi: text(32),
});

const snapshotSchema = z.looseObject({
  MaHoSo: text(128),
  MaTTHC: text(128),
  MaLinhVuc: text(128),
  KenhThucHien: text(8),
  NgayTiepNhan: text(32),
  NgayHenTra: text(32),
  NgayKetThucXuLy: text(32),
  NgayTra: text(32),
  NgayTuChoi: text(32),
  TrangThaiHoSo: status,
  DonViXuLy: text(500),
  DanhSachHoSoBoSung: z.preprocess(
    (value) => (value === null || value === '' ? undefined : value),
    z.array(supplementEntry).max(100).optional(),
  ),
});

const progressSchema = z.looseObject({
  MaHoSo: text(128),
  NguoiXuLy: text(500),
  ChucDanh: text(500),
  PhongBanXuLy: text(500),
  DonViXuLy: text(500),
  ThoiDiemXuLy: text(32),
  NoiDungXuLy: text(4000),
  TrangThai: status,
  NgayBatDau: text(32),
  NgayKetThucTheoQuyDinh: text(32),
  NgayHenTra: text(32),
});

export const CHANNEL_OF_KENH = { '1': 'in_person', '2': 'online', '3': 'postal' } as const;
export type PortalChannel = (typeof CHANNEL_OF_KENH)[keyof typeof CHANNEL_OF_KENH];

/** A supplement of `DanhSachHoSoBoSung`, dates as ISO instants. */
export interface SupplementDates {
  requestedAt?: string;
  receivedAt?: string;
  dueBefore?: string;
  dueAfter?: string;
}

/** A dossier snapshot (`DongBoHoSoMC` record), checked and with ISO dates; the unit not yet resolved. */
export interface PortalSnapshot {
  maHoSo: string;
  procedureCode: string;
  fieldCode?: string;
  /** Undefined when `KenhThucHien` is missing (counted in person, flagged). */
  channel?: PortalChannel;
  receivedAt?: string;
  dueAt?: string;
  finishedAt?: string;
  returnedAt?: string;
  refusedAt?: string;
  status: PortalStatus;
  /** `DonViXuLy` as sent: an agency name (or, from some senders, its code). */
  unit?: string;
  supplements: SupplementDates[];
}

/** A processing step (`CapNhatTienDoHoSoMC` record), checked and with ISO dates. */
export interface PortalProgress {
  maHoSo: string;
  at: string;
  status: PortalStatus;
  unit?: string;
  content?: string;
  handler?: string;
  title?: string;
  department?: string;
  startedAt?: string;
  /** The step's own deadline (`NgayKetThucTheoQuyDinh`), kept for the timeline. */
  stepDeadline?: string;
  /** Extension: the dossier's due date as of this step (an apology letter's new date). */
  dueAt?: string;
}

type Parsed<T> = { ok: true; record: T } | { ok: false; problems: RecordProblem[] };

function zodProblems(index: number, maHoSo: string, error: z.ZodError): RecordProblem[] {
  return error.issues.map((issue) => ({
    index,
    MaHoSo: maHoSo,
    field: issue.path.map(String).join('.') || '(record)',
    message: issue.code === 'invalid_type' && issue.path.length === 0 ? 'must be a JSON object' : issue.message,
  }));
}

function maHoSoOf(raw: unknown): string {
  if (typeof raw !== 'object' || raw === null) return '';
  const value = (raw as Record<string, unknown>).MaHoSo;
  return typeof value === 'string' || typeof value === 'number' ? String(value) : '';
}

class DateReader {
  readonly problems: RecordProblem[] = [];
  constructor(
    private readonly index: number,
    private readonly maHoSo: string,
  ) {}
  read(field: string, value: string | undefined): string | undefined {
    const parsed = parsePortalDate(value);
    if (parsed === null) {
      this.problems.push({
        index: this.index,
        MaHoSo: this.maHoSo,
        field,
        message: `must be a date yyyyMMddHHmmss (Vietnam local time), got "${value ?? ''}"`,
      });
      return undefined;
    }
    return parsed;
  }
}

function required(value: string | undefined, index: number, maHoSo: string, field: string, problems: RecordProblem[]) {
  if (value === undefined || value.trim() === '') {
    problems.push({ index, MaHoSo: maHoSo, field, message: 'is required' });
    return '';
  }
  return value.trim();
}

/** Checks one `DongBoHoSoMC` record; `knownProcedure` refuses an unknown MaTTHC like an unknown procedure code. */
export function parseSnapshot(
  raw: unknown,
  index: number,
  knownProcedure: (code: string) => boolean = () => true,
): Parsed<PortalSnapshot> {
  const maHoSo = maHoSoOf(raw);
  const parsed = snapshotSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, problems: zodProblems(index, maHoSo, parsed.error) };
  const value = parsed.data;
  const problems: RecordProblem[] = [];
  const code = required(value.MaHoSo, index, maHoSo, 'MaHoSo', problems);
  // A dossier refused at the desk (3) never enters the statistics: its procedure may be absent.
  const procedureCode =
    value.TrangThaiHoSo === 3 && (value.MaTTHC ?? '').trim() === ''
      ? ''
      : required(value.MaTTHC, index, maHoSo, 'MaTTHC', problems);
  if (procedureCode !== '' && !knownProcedure(procedureCode)) {
    problems.push({ index, MaHoSo: maHoSo, field: 'MaTTHC', message: `unknown procedure ${procedureCode}` });
  }
  const dates = new DateReader(index, maHoSo);
  let channel: PortalChannel | undefined;
  const kenh = value.KenhThucHien?.trim() ?? '';
  if (kenh !== '') {
    channel = CHANNEL_OF_KENH[kenh as keyof typeof CHANNEL_OF_KENH];
    if (channel === undefined) {
      problems.push({ index, MaHoSo: maHoSo, field: 'KenhThucHien', message: `must be 1, 2 or 3, got "${kenh}"` });
    }
  }
  const snapshot: PortalSnapshot = {
    maHoSo: code,
    procedureCode,
    status: value.TrangThaiHoSo as PortalStatus,
    supplements: [],
  };
  const fieldCode = value.MaLinhVuc?.trim();
  if (fieldCode) snapshot.fieldCode = fieldCode;
  if (channel !== undefined) snapshot.channel = channel;
  const unit = value.DonViXuLy?.trim();
  if (unit) snapshot.unit = unit;
  const assign = (
    key: 'receivedAt' | 'dueAt' | 'finishedAt' | 'returnedAt' | 'refusedAt',
    field: string,
    raw?: string,
  ) => {
    const date = dates.read(field, raw);
    if (date !== undefined) snapshot[key] = date;
  };
  assign('receivedAt', 'NgayTiepNhan', value.NgayTiepNhan);
  assign('dueAt', 'NgayHenTra', value.NgayHenTra);
  assign('finishedAt', 'NgayKetThucXuLy', value.NgayKetThucXuLy);
  assign('returnedAt', 'NgayTra', value.NgayTra);
  assign('refusedAt', 'NgayTuChoi', value.NgayTuChoi);
  (value.DanhSachHoSoBoSung ?? []).forEach((entry, n) => {
    const supplement: SupplementDates = {};
    const at = (key: keyof SupplementDates, field: keyof typeof entry) => {
      const date = dates.read(`DanhSachHoSoBoSung.${n}.${String(field)}`, entry[field] as string | undefined);
      if (date !== undefined) supplement[key] = date;
    };
    at('requestedAt', 'NgayBoSung');
    at('receivedAt', 'NgayTiepNhanBoSung');
    at('dueBefore', 'NgayHenTraTruoc');
    at('dueAfter', 'NgayHenTraMoi');
    snapshot.supplements.push(supplement);
  });
  problems.push(...dates.problems);
  if (snapshot.status === 3 && snapshot.refusedAt === undefined && snapshot.receivedAt === undefined) {
    problems.push({ index, MaHoSo: maHoSo, field: 'NgayTuChoi', message: 'is required with TrangThaiHoSo 3' });
  }
  const badReceipt = dates.problems.some((p) => p.field === 'NgayTiepNhan');
  if (snapshot.status >= 2 && snapshot.status !== 3 && snapshot.receivedAt === undefined && !badReceipt) {
    problems.push({
      index,
      MaHoSo: maHoSo,
      field: 'NgayTiepNhan',
      message: `is required with TrangThaiHoSo ${snapshot.status}`,
    });
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, record: snapshot };
}

/** Checks one `CapNhatTienDoHoSoMC` record. */
export function parseProgress(raw: unknown, index: number): Parsed<PortalProgress> {
  const maHoSo = maHoSoOf(raw);
  const parsed = progressSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, problems: zodProblems(index, maHoSo, parsed.error) };
  const value = parsed.data;
  const problems: RecordProblem[] = [];
  const code = required(value.MaHoSo, index, maHoSo, 'MaHoSo', problems);
  const dates = new DateReader(index, maHoSo);
  const at = dates.read('ThoiDiemXuLy', value.ThoiDiemXuLy);
  if (at === undefined && dates.problems.length === 0) {
    problems.push({ index, MaHoSo: maHoSo, field: 'ThoiDiemXuLy', message: 'is required' });
  }
  const progress: PortalProgress = { maHoSo: code, at: at ?? '', status: value.TrangThai as PortalStatus };
  const optional = (key: 'unit' | 'content' | 'handler' | 'title' | 'department', raw?: string) => {
    const trimmed = raw?.trim();
    if (trimmed) progress[key] = trimmed;
  };
  optional('unit', value.DonViXuLy);
  optional('content', value.NoiDungXuLy);
  optional('handler', value.NguoiXuLy);
  optional('title', value.ChucDanh);
  optional('department', value.PhongBanXuLy);
  const startedAt = dates.read('NgayBatDau', value.NgayBatDau);
  if (startedAt !== undefined) progress.startedAt = startedAt;
  const stepDeadline = dates.read('NgayKetThucTheoQuyDinh', value.NgayKetThucTheoQuyDinh);
  if (stepDeadline !== undefined) progress.stepDeadline = stepDeadline;
  const dueAt = dates.read('NgayHenTra', value.NgayHenTra);
  if (dueAt !== undefined) progress.dueAt = dueAt;
  problems.push(...dates.problems.filter((p) => p.field !== 'ThoiDiemXuLy' || at === undefined));
  return problems.length > 0 ? { ok: false, problems } : { ok: true, record: progress };
}

/**
 * The records of a request body: a bare array, or the wrapped form `{"service", "isUpdating"?, "data": [...]}`.
 * `expected` is the service of the route (undefined: `POST /v1/sync/dvcqg`, where `service` decides).
 */
export function unwrapBody(
  body: unknown,
  expected: PortalService | undefined,
): { ok: true; service: PortalService; records: unknown[] } | { ok: false; message: string } {
  if (Array.isArray(body)) {
    if (expected === undefined) {
      return {
        ok: false,
        message: `a bare array needs the route of its service; wrap it as {"service": "${SNAPSHOT_SERVICE}" | "${PROGRESS_SERVICE}", "data": [...]}`,
      };
    }
    return { ok: true, service: expected, records: body };
  }
  if (typeof body !== 'object' || body === null) {
    return { ok: false, message: 'the body must be a JSON array of records or {"service", "data": [...]}' };
  }
  const wrapped = body as Record<string, unknown>;
  const service = wrapped.service;
  if (service !== SNAPSHOT_SERVICE && service !== PROGRESS_SERVICE) {
    if (service === undefined && expected !== undefined && Array.isArray(wrapped.data)) {
      return { ok: true, service: expected, records: wrapped.data as unknown[] };
    }
    return {
      ok: false,
      message: `service must be "${SNAPSHOT_SERVICE}" or "${PROGRESS_SERVICE}", got ${JSON.stringify(service ?? null)}`,
    };
  }
  if (expected !== undefined && service !== expected) {
    return { ok: false, message: `this route takes service "${expected}", got "${service}"` };
  }
  if (!Array.isArray(wrapped.data)) return { ok: false, message: 'data must be a JSON array of records' };
  return { ok: true, service, records: wrapped.data as unknown[] };
}
