/**
 * The simulated events as a one-stop desk system would send them to the national portal (DVCQG):
 * dossier snapshots (`DongBoHoSoMC`) and processing steps (`CapNhatTienDoHoSoMC`), for the
 * portal adapter of intake (docs/desk-sync.md). `simulate --format dvcqg` posts them; the
 * end-to-end test compares what they give with the oracle folded from the same events.
 *
 * Each event of a dossier is one step: a progress record (always) and the dossier's snapshot after
 * it (for 70 % of the steps, always for the last one). Steps are delivered in time order, some
 * held back (out of order) and some sent twice, like `--shuffle` / `--duplicates` of the events.
 * The portal has no "voided": those events are returned apart, for `POST /v1/events`.
 *
 * The portal's dates have whole seconds: `secondsOnly` gives the events with the same precision
 * (what the oracle must fold to compare).
 */
import { foldName, formatPortalDate } from '../../libs/desk-sync/src/portal-records';
import { lifecycleRank } from '../../libs/counting/src/event-order';
import { seededRandom } from '../../libs/testing/src/generator';
import type { SimEvent, SimPostedEvent, SimReference } from './province';

export type PortalRecord = Record<string, unknown>;

/** One request's worth of records of one service for one desk. */
export interface PortalDelivery {
  desk: string;
  service: 'DongBoHoSoMC' | 'CapNhatTienDoHoSoMC';
  record: PortalRecord;
}

export interface PortalConversion {
  /** In delivery order. */
  deliveries: PortalDelivery[];
  /** `dossier.voided` events (no portal status says it), in time order. */
  voided: SimPostedEvent[];
  stats: { dossiers: number; steps: number; snapshots: number; progress: number; delayed: number; repeated: number };
}

export interface PortalOptions {
  seed?: number;
  /** Share of steps held back 10 minutes to 3 days. */
  shuffle?: number;
  /** Share of steps sent a second time. */
  repeat?: number;
  /** Share of non-final steps sent without a snapshot (progress record only). */
  progressOnly?: number;
}

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

function truncate(instant: string): string {
  return instant.replace(/\.\d+(?=Z|[+-]\d{2}:\d{2}$)/, '');
}

/** The events with every instant cut to whole seconds (the portal's precision). */
export function secondsOnly(items: readonly SimPostedEvent[]): SimPostedEvent[] {
  return items.map(({ desk, event }) => {
    const data: Record<string, unknown> = { ...event.data };
    for (const key of ['submittedAt', 'dueAt', 'newDueAt']) {
      if (typeof data[key] === 'string') data[key] = truncate(data[key]);
    }
    return { desk, event: { ...event, occurredAt: truncate(event.occurredAt), data } };
  });
}

const CONTENT: Record<string, string> = {
  'dossier.received': 'Tiếp nhận hồ sơ',
  'dossier.rejected': 'Từ chối tiếp nhận hồ sơ',
  'dossier.transferred': 'Chuyển hồ sơ đến cơ quan có thẩm quyền',
  'dossier.supplement_requested': 'Yêu cầu bổ sung hồ sơ',
  'dossier.supplement_received': 'Hoàn thành bổ sung hồ sơ',
  'dossier.paused': 'Tạm dừng xử lý hồ sơ',
  'dossier.resumed': 'Tiếp tục xử lý hồ sơ',
  'dossier.rescheduled': 'Xin lỗi, hẹn lại ngày trả kết quả',
  'dossier.resolved': 'Hoàn thành xử lý hồ sơ',
  'dossier.returned': 'Trả kết quả',
  'dossier.withdrawn': 'Công dân rút hồ sơ',
};

/** Converts the simulated events (duplicates are dropped) into portal records. */
export function toPortalRecords(
  items: Iterable<SimPostedEvent>,
  reference: SimReference,
  options: PortalOptions = {},
): PortalConversion {
  const random = seededRandom((options.seed ?? 1) ^ 0xdc9);
  const shuffle = options.shuffle ?? 0;
  const repeat = options.repeat ?? 0;
  const progressOnly = options.progressOnly ?? 0.3;
  const procedures = new Map(reference.procedures.map((p) => [p.code, p]));
  const nameCount = new Map<string, number>();
  for (const agency of reference.agencies) {
    const folded = foldName(agency.name);
    nameCount.set(folded, (nameCount.get(folded) ?? 0) + 1);
  }
  const names = new Map(reference.agencies.map((a) => [a.code, a.name]));
  // The unit as senders write it: its name when that names one agency, else its code.
  const unitOf = (code: string) => {
    const name = names.get(code);
    return name !== undefined && nameCount.get(foldName(name)) === 1 ? name : code;
  };

  const byDossier = new Map<string, { desk: string; events: SimEvent[] }>();
  const seen = new Set<string>();
  for (const { desk, event } of items) {
    const key = `${desk}\n${event.eventId}`;
    if (seen.has(key)) continue;
    seen.add(key);
    let dossier = byDossier.get(event.dossierCode);
    if (dossier === undefined) {
      dossier = { desk, events: [] };
      byDossier.set(event.dossierCode, dossier);
    }
    dossier.events.push(event);
  }

  const stats = { dossiers: byDossier.size, steps: 0, snapshots: 0, progress: 0, delayed: 0, repeated: 0 };
  const queue: { at: number; seq: number; delivery: PortalDelivery }[] = [];
  const voided: SimPostedEvent[] = [];
  let seq = 0;
  for (const [code, { desk, events }] of byDossier) {
    events.sort(
      (a, b) => Date.parse(a.occurredAt) - Date.parse(b.occurredAt) || lifecycleRank(a.type) - lifecycleRank(b.type),
    );
    const snapshot: PortalRecord = {
      MaHoSo: code,
      MaTTHC: '',
      MaLinhVuc: '',
      KenhThucHien: '',
      NgayTiepNhan: '',
      NgayHenTra: '',
      NgayKetThucXuLy: '',
      NgayTra: '',
      NgayTuChoi: '',
      TrangThaiHoSo: '1',
      DonViXuLy: unitOf(code.split('-')[0] ?? ''),
      DanhSachHoSoBoSung: [] as PortalRecord[],
    };
    const supplements = snapshot.DanhSachHoSoBoSung as PortalRecord[];
    const portable = events.filter((event) => event.type !== 'dossier.voided');
    for (const event of events) if (event.type === 'dossier.voided') voided.push({ desk, event });
    portable.forEach((event, index) => {
      const at = formatPortalDate(event.occurredAt);
      const data = event.data;
      const step: PortalRecord = {};
      switch (event.type) {
        case 'dossier.received': {
          const procedure = procedures.get(String(data.procedureCode));
          snapshot.MaTTHC = String(data.procedureCode);
          snapshot.MaLinhVuc = typeof data.fieldCode === 'string' ? data.fieldCode : (procedure?.fieldCode ?? '');
          snapshot.KenhThucHien = { in_person: '1', online: '2', postal: '3' }[String(data.channel)] ?? '';
          snapshot.NgayTiepNhan = at;
          if (typeof data.dueAt === 'string') snapshot.NgayHenTra = formatPortalDate(data.dueAt);
          snapshot.DonViXuLy = unitOf(String(data.agencyCode));
          snapshot.TrangThaiHoSo = '2';
          break;
        }
        case 'dossier.rejected':
          snapshot.NgayTuChoi = at;
          snapshot.TrangThaiHoSo = '3';
          break;
        case 'dossier.transferred':
          snapshot.DonViXuLy = unitOf(String(data.toAgencyCode));
          if (snapshot.TrangThaiHoSo === '2') snapshot.TrangThaiHoSo = '4';
          break;
        case 'dossier.supplement_requested':
          supplements.push({ NgayBoSung: at, NgayTiepNhanBoSung: '', NgayHenTraTruoc: '', NgayHenTraMoi: '' });
          snapshot.TrangThaiHoSo = '5';
          break;
        case 'dossier.supplement_received': {
          const last = supplements[supplements.length - 1];
          if (last !== undefined) {
            last.NgayTiepNhanBoSung = at;
            if (typeof data.dueAt === 'string') last.NgayHenTraMoi = formatPortalDate(data.dueAt);
          }
          snapshot.TrangThaiHoSo = '4';
          break;
        }
        case 'dossier.paused':
          snapshot.TrangThaiHoSo = data.reason === 'financial_obligation' ? '6' : '8';
          break;
        case 'dossier.resumed':
          snapshot.TrangThaiHoSo = '4';
          break;
        case 'dossier.rescheduled':
          snapshot.NgayHenTra = formatPortalDate(String(data.newDueAt));
          if (snapshot.TrangThaiHoSo === '2') snapshot.TrangThaiHoSo = '4';
          step.NgayHenTra = snapshot.NgayHenTra;
          break;
        case 'dossier.resolved':
          snapshot.NgayKetThucXuLy = at;
          snapshot.TrangThaiHoSo = '9';
          break;
        case 'dossier.returned':
          snapshot.NgayTra = at;
          snapshot.TrangThaiHoSo = '10';
          break;
        case 'dossier.withdrawn':
          snapshot.NgayKetThucXuLy = at;
          snapshot.TrangThaiHoSo = '7';
          break;
      }
      stats.steps++;
      const progress: PortalRecord = {
        MaHoSo: code,
        NguoiXuLy: 'Cán bộ một cửa',
        ChucDanh: 'Chuyên viên',
        PhongBanXuLy: 'Bộ phận Một cửa',
        DonViXuLy: snapshot.DonViXuLy,
        ThoiDiemXuLy: at,
        NoiDungXuLy: CONTENT[event.type] ?? event.type,
        TrangThai: snapshot.TrangThaiHoSo,
        NgayBatDau: at,
        NgayKetThucTheoQuyDinh: '',
        ...step,
      };
      const records: PortalDelivery[] = [{ desk, service: 'CapNhatTienDoHoSoMC', record: progress }];
      const last = index === portable.length - 1;
      if (last || random() >= progressOnly) {
        records.push({ desk, service: 'DongBoHoSoMC', record: structuredClone(snapshot) });
      }
      const base = Date.parse(event.occurredAt);
      let deliverAt = base;
      if (shuffle > 0 && random() < shuffle) {
        deliverAt += 10 * MINUTE_MS + Math.floor(random() ** 2 * 3 * DAY_MS);
        stats.delayed++;
      }
      for (const delivery of records) queue.push({ at: deliverAt, seq: seq++, delivery });
      if (repeat > 0 && random() < repeat) {
        const again = deliverAt + MINUTE_MS + Math.floor(random() * DAY_MS);
        for (const delivery of records) queue.push({ at: again, seq: seq++, delivery });
        stats.repeated++;
      }
    });
  }
  queue.sort((a, b) => a.at - b.at || a.seq - b.seq);
  const deliveries = queue.map((entry) => entry.delivery);
  for (const { service } of deliveries) {
    if (service === 'DongBoHoSoMC') stats.snapshots++;
    else stats.progress++;
  }
  voided.sort((a, b) => Date.parse(a.event.occurredAt) - Date.parse(b.event.occurredAt));
  return { deliveries, voided, stats };
}

export interface PortalRequest {
  desk: string;
  service: PortalDelivery['service'];
  data: PortalRecord[];
}

/**
 * The deliveries as requests, in delivery order: windows of `batch` deliveries, each posted per
 * desk as its processing steps, then its snapshots — a sender pushes a step's progress record
 * before the dossier's new snapshot (a held-back step is late as a whole). Post the requests of a
 * window one after the other; windows may go in parallel.
 */
export function portalWindows(deliveries: readonly PortalDelivery[], batch = 500): PortalRequest[][] {
  const windows: PortalRequest[][] = [];
  for (let start = 0; start < deliveries.length; start += batch) {
    const window = deliveries.slice(start, start + batch);
    const requests: PortalRequest[] = [];
    for (const desk of new Set(window.map((d) => d.desk))) {
      for (const service of ['CapNhatTienDoHoSoMC', 'DongBoHoSoMC'] as const) {
        const data = window.filter((d) => d.desk === desk && d.service === service).map((d) => d.record);
        if (data.length > 0) requests.push({ desk, service, data });
      }
    }
    windows.push(requests);
  }
  return windows;
}
