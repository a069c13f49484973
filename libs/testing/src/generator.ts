import type { DossierEvent } from '@tthc/contracts';

/** A small deterministic PRNG (mulberry32), so generated data is the same for the same seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface GeneratedReference {
  agencies: { code: string; name: string; parentCode: string | null; level: 'province' | 'district' | 'commune' }[];
  fields: { code: string; name: string }[];
  procedures: {
    code: string;
    name: string;
    fieldCode: string;
    processingTime: { value: number; unit: 'working_days' } | null;
  }[];
}

/** A tiny province: one root, two districts, four communes; two fields; three procedures. */
export function generatedReference(): GeneratedReference {
  const root = '000.00.00.H99';
  const districts = ['000.00.01.H99', '000.00.02.H99'];
  const communes = ['000.01.01.H99', '000.01.02.H99', '000.02.01.H99', '000.02.02.H99'];
  return {
    agencies: [
      { code: root, name: 'Tỉnh Thử nghiệm', parentCode: null, level: 'province' },
      ...districts.map((code, index) => ({
        code,
        name: `Huyện ${index + 1}`,
        parentCode: root,
        level: 'district' as const,
      })),
      ...communes.map((code, index) => ({
        code,
        name: `Xã ${index + 1}`,
        parentCode: districts[index < 2 ? 0 : 1] ?? root,
        level: 'commune' as const,
      })),
    ],
    fields: [
      { code: 'G01-TP', name: 'Tư pháp' },
      { code: 'G02-DD', name: 'Đất đai' },
    ],
    procedures: [
      { code: '1.000001', name: 'Chứng thực', fieldCode: 'G01-TP', processingTime: { value: 1, unit: 'working_days' } },
      {
        code: '1.000002',
        name: 'Đăng ký đất đai',
        fieldCode: 'G02-DD',
        processingTime: { value: 10, unit: 'working_days' },
      },
      { code: '1.000003', name: 'Hộ tịch', fieldCode: 'G01-TP', processingTime: null },
    ],
  };
}

const HOUR = 3_600_000;

function isoLocal(ms: number): string {
  return new Date(ms + 7 * HOUR).toISOString().replace(/\.\d{3}Z$/, '+07:00');
}

/**
 * Realistic-enough lifecycles for `count` dossiers (received, transfers, supplements, pauses,
 * reschedules, resolution and return, withdrawals, voids, some still pending), deterministic for
 * a seed. Events of a dossier are in occurrence order.
 */
export function generateDossierEvents(seed: number, count: number, prefix = 'GEN'): DossierEvent[] {
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const reference = generatedReference();
  const communes = reference.agencies.filter((agency) => agency.level === 'commune').map((agency) => agency.code);
  const events: DossierEvent[] = [];
  const start = Date.parse('2017-03-01T01:00:00Z');
  for (let index = 0; index < count; index++) {
    const dossierCode = `${prefix}-${String(index).padStart(6, '0')}`;
    let at = start + Math.floor(random() * 90 * 24) * HOUR + Math.floor(random() * 60) * 60_000;
    let serial = 0;
    const push = (type: DossierEvent['type'], data: Record<string, unknown>) => {
      events.push({
        eventId: `${dossierCode}:${serial++}`,
        type,
        occurredAt: isoLocal(at),
        dossierCode,
        data,
      } as DossierEvent);
    };
    const later = (maxHours: number) => {
      at += (1 + Math.floor(random() * maxHours)) * HOUR;
    };
    const agency = pick(communes);
    push('dossier.received', {
      procedureCode: pick(reference.procedures).code,
      agencyCode: agency,
      channel: pick(['online', 'in_person', 'postal'] as const),
    });
    if (random() < 0.1) {
      later(24);
      push('dossier.transferred', { toAgencyCode: pick(communes.filter((code) => code !== agency)) });
    }
    if (random() < 0.15) {
      later(48);
      push('dossier.supplement_requested', { reason: 'thiếu giấy tờ' });
      later(120);
      push('dossier.supplement_received', {});
    }
    if (random() < 0.1) {
      later(48);
      push('dossier.paused', { reason: pick(['financial_obligation', 'suspended', 'other'] as const) });
      later(72);
      push('dossier.resumed', {});
    }
    if (random() < 0.05) {
      later(100);
      push('dossier.rescheduled', { newDueAt: isoLocal(at + 10 * 24 * HOUR), reason: 'xin lỗi' });
    }
    const ending = random();
    if (ending < 0.75) {
      later(300);
      push('dossier.resolved', { outcome: random() < 0.95 ? 'approved' : 'refused' });
      if (random() < 0.8) {
        later(48);
        push('dossier.returned', {});
      }
    } else if (ending < 0.82) {
      later(100);
      push('dossier.withdrawn', {});
    } else if (ending < 0.85) {
      later(10);
      push('dossier.voided', { reason: 'nhập sai' });
    }
  }
  return events;
}

/** Fisher–Yates shuffle with the seeded generator. */
export function shuffled<T>(items: readonly T[], seed: number): T[] {
  const random = seededRandom(seed);
  const copy = [...items];
  for (let index = copy.length - 1; index > 0; index--) {
    const other = Math.floor(random() * (index + 1));
    [copy[index], copy[other]] = [copy[other] as T, copy[index] as T];
  }
  return copy;
}
