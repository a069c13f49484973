/**
 * The realistic province simulator (docs/simulator.md): a province-year (or several) of one-stop
 * desk events, deterministic for a seed, generated day by day and streamed — only the events of
 * dossiers still in progress (and deliveries held back) are in memory at any time.
 *
 * Pure: no I/O, no Math.random, no clock. Working-time arithmetic comes from `@tthc/calendar` with
 * the shipped holiday table (the same default the services use), so due dates the simulator plans
 * with are the ones the services and the oracle compute.
 */
import {
  addDays,
  dayNumberOf,
  defaultCalendar,
  formatDayNumber,
  formatInstant,
  parseLocalDate,
  startOfLocalDay,
  weekdayOf,
  DAY_MS,
  HOUR_MS,
  MINUTE_MS,
  VN_UTC_OFFSET_MS,
} from '@tthc/calendar';
import {
  CENTRE_NAME,
  CENTRE_SLOT,
  DEPARTMENTS,
  DISTRICTS,
  FIELDS,
  LEVEL_SHARES,
  PROCEDURES,
  REJECT_REASONS,
  SUPPLEMENT_REASONS,
  TET,
  onlineShareOf,
  type CatalogueProcedure,
  type HandlingLevel,
  type ProcessingUnit,
} from './catalogue';
import { seededRandom } from '../../libs/testing/src/generator';

// ---------------------------------------------------------------------------------------------
// Public types
// ---------------------------------------------------------------------------------------------

export type AgencyLevel = 'province' | 'department' | 'district' | 'commune' | 'other';
export type Channel = 'online' | 'in_person' | 'postal';

export interface SimAgency {
  code: string;
  name: string;
  parentCode: string | null;
  level: AgencyLevel;
  validFrom?: string;
  validTo?: string;
  successorCode?: string;
}

export interface SimField {
  code: string;
  name: string;
}

export interface SimProcedure {
  code: string;
  name: string;
  fieldCode: string;
  processingTime: { value: number; unit: ProcessingUnit } | null;
}

export interface SimReference {
  agencies: SimAgency[];
  fields: SimField[];
  procedures: SimProcedure[];
}

/** A docs/api.md §4 event. */
export interface SimEvent {
  eventId: string;
  type: string;
  occurredAt: string;
  dossierCode: string;
  data: Record<string, unknown>;
}

/** An event as posted: by which (logical) desk. */
export interface SimPostedEvent {
  desk: string;
  event: SimEvent;
}

/** Rates of the modelled lifecycle branches, each a share of all dossiers unless said otherwise. */
export interface SimRates {
  /** Late among resolved dossiers with a due date (the headline target). */
  late: number;
  supplement: number;
  /** Share of supplement requests the applicant never answers (the dossier is then withdrawn). */
  supplementUnanswered: number;
  /** Financial-obligation / suspension pauses, on top of the procedures' own pause rates. */
  pause: number;
  transfer: number;
  withdraw: number;
  /** Apology re-dates (Mẫu 04): a share of all dossiers, taken from the late ones. */
  apology: number;
  reject: number;
  void: number;
  /** Share of resolved dossiers whose result is handed back (`returned`) too. */
  returned: number;
}

export const DEFAULT_RATES: SimRates = {
  late: 0.01,
  supplement: 0.1,
  supplementUnanswered: 0.1,
  pause: 0.01,
  transfer: 0.02,
  withdraw: 0.01,
  apology: 0.005,
  reject: 0.002,
  void: 0.001,
  returned: 0.9,
};

export interface SimulatorOptions {
  seed: number;
  /** Calendar years simulated, e.g. [2017] or [2024, 2025]. */
  years: readonly number[];
  /** New dossiers per (full) year. */
  dossiers: number;
  /** Target late rate among resolved dossiers with a due date (default 0.01). */
  lateRate?: number;
  /** Share of events delivered a second time, later (default 0). */
  duplicateRate?: number;
  /** Share of events delivered late (minutes to days), hence out of order (default 0). */
  shuffle?: number;
  /** Province root code (default `000.00.00.H56`, Tiền Giang). */
  provinceCode?: string;
  provinceName?: string;
  /** The province absorbing it on 2025-07-01 (default `000.00.00.H20`, Đồng Tháp; code illustrative). */
  successorProvinceCode?: string;
  successorProvinceName?: string;
  /** First and last receipt dates (default: 1 January of the first year, 31 December of the last). */
  startDate?: string;
  endDate?: string;
  /** Nothing after the end of this date is emitted (default `endDate`): later events stay pending. */
  asOf?: string;
  /** Number of logical desks (`sim-desk-0` …) the events are spread over (default 1). */
  desks?: number;
  /** Overrides of {@link DEFAULT_RATES}. */
  rates?: Partial<SimRates>;
}

export interface SimulationStats {
  /** Dossiers generated so far (received + rejected). */
  dossiers: number;
  received: number;
  rejected: number;
  voided: number;
  withdrawn: number;
  transferred: number;
  /** Pending dossiers moved to successors by the 2025 merge. */
  mergeTransfers: number;
  supplements: number;
  pauses: number;
  rescheduled: number;
  /** Dossiers planned late. */
  plannedLate: number;
  /** Distinct events emitted. */
  events: number;
  /** Extra copies emitted (re-sent duplicates). */
  duplicates: number;
  /** Events delivered late on purpose. */
  delayed: number;
  /** Most events held at once (in progress or held back for delivery): the streaming footprint. */
  peakQueued: number;
  /** Days of the receipt range generated so far, 0..1. */
  progress: number;
  /** Expected number of dossiers in the receipt range (for ETAs). */
  expectedDossiers: number;
}

export interface Simulation {
  options: Required<Pick<SimulatorOptions, 'seed' | 'dossiers' | 'startDate' | 'endDate' | 'asOf'>> & {
    years: number[];
    mergeDate: string | null;
  };
  reference: SimReference;
  /** Every iteration replays the same events (same seed); `stats` follows the latest one. */
  events: Iterable<SimPostedEvent>;
  stats: SimulationStats;
}

// ---------------------------------------------------------------------------------------------
// Seeded randomness
// ---------------------------------------------------------------------------------------------

/** The seeded PRNG of libs/testing (mulberry32): deterministic for a seed. */
export { seededRandom };

class Weighted<T> {
  private readonly cumulative: number[] = [];
  private readonly total: number;
  constructor(
    readonly items: readonly T[],
    weight: (item: T) => number,
  ) {
    let sum = 0;
    for (const item of items) {
      sum += weight(item);
      this.cumulative.push(sum);
    }
    this.total = sum;
  }
  pick(random: () => number): T {
    const target = random() * this.total;
    let lo = 0;
    let hi = this.cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.cumulative[mid] as number) > target) hi = mid;
      else lo = mid + 1;
    }
    return this.items[lo] as T;
  }
}

// ---------------------------------------------------------------------------------------------
// Reference data
// ---------------------------------------------------------------------------------------------

const MERGE_DATE = '2025-07-01';

function pad2(value: number): string {
  return String(value).padStart(2, '0');
}

/** The province letter-number suffix (`H56`) of a root code `000.00.00.H56`. */
function suffixOf(rootCode: string): string {
  const parts = rootCode.split('.');
  return parts[parts.length - 1] ?? rootCode;
}

interface Unit {
  code: string;
  level: HandlingLevel | 'centre' | 'province';
  /** Relative size (volume weight) within its level. */
  size: number;
  /** For a commune: its district's code. */
  district?: string;
  /** Department slot. */
  slot?: string;
  /** Index of the logical desk. */
  desk: number;
}

interface Structure {
  reference: SimReference;
  root: string;
  centre: string;
  departments: Map<string, Unit>; // by slot
  districts: Unit[];
  communes: Unit[];
  /** Old code → code of its successor after the merge (only when the merge is simulated). */
  successor: Map<string, string>;
  newRoot: string | null;
}

function buildStructure(
  random: () => number,
  rootCode: string,
  rootName: string,
  merge: { code: string; name: string } | null,
  desks: number,
): Structure {
  const suffix = suffixOf(rootCode);
  const agencies: SimAgency[] = [];
  const successor = new Map<string, string>();
  const departments = new Map<string, Unit>();
  const districts: Unit[] = [];
  const communes: Unit[] = [];
  const validTo = merge === null ? {} : { validTo: '2025-06-30' };
  const centre = `000.00.${CENTRE_SLOT}.${suffix}`;
  agencies.push({ code: rootCode, name: `UBND ${rootName}`, parentCode: null, level: 'province', ...validTo });
  agencies.push({ code: centre, name: CENTRE_NAME, parentCode: rootCode, level: 'other', ...validTo });
  let deskIndex = 0;
  for (const department of DEPARTMENTS) {
    const code = `000.00.${department.slot}.${suffix}`;
    agencies.push({ code, name: department.name, parentCode: rootCode, level: 'department', ...validTo });
    departments.set(department.slot, { code, level: 'department', size: 1, slot: department.slot, desk: 0 });
  }
  for (const district of DISTRICTS) {
    const code = `000.00.${district.slot}.${suffix}`;
    const desk = deskIndex++ % Math.max(1, desks);
    agencies.push({ code, name: `UBND ${district.name}`, parentCode: rootCode, level: 'district', ...validTo });
    districts.push({ code, level: 'district', size: district.communes * (district.urban ? 1.6 : 1), desk });
    for (let index = 1; index <= district.communes; index++) {
      const communeCode = `000.${pad2(index)}.${district.slot}.${suffix}`;
      const ward = district.urban && index <= Math.ceil(district.communes * 0.7);
      agencies.push({
        code: communeCode,
        name: `UBND ${ward ? 'Phường' : 'Xã'} ${index} (${district.name.replace(/^(Huyện|Thị xã|Thành phố) /, '')})`,
        parentCode: code,
        level: 'commune',
        ...validTo,
      });
      communes.push({
        code: communeCode,
        level: 'commune',
        size: (0.4 + random() * 1.2) * (ward ? 1.8 : 1),
        district: code,
        desk,
      });
    }
  }
  let newRoot: string | null = null;
  if (merge !== null) {
    // The absorbing province: its root, its departments and centre, and the new two-level
    // communes (district level abolished; about three old communes form one new commune).
    newRoot = merge.code;
    const newSuffix = suffixOf(merge.code);
    const from = { validFrom: MERGE_DATE };
    const newCentre = `000.00.${CENTRE_SLOT}.${newSuffix}`;
    agencies.push({ code: newRoot, name: `UBND ${merge.name}`, parentCode: null, level: 'province' });
    agencies.push({ code: newCentre, name: CENTRE_NAME, parentCode: newRoot, level: 'other' });
    successor.set(rootCode, newRoot);
    successor.set(centre, newCentre);
    for (const department of DEPARTMENTS) {
      const code = `000.00.${department.slot}.${newSuffix}`;
      agencies.push({ code, name: department.name, parentCode: newRoot, level: 'department' });
      successor.set(`000.00.${department.slot}.${suffix}`, code);
    }
    let newIndex = 0;
    for (const district of DISTRICTS) {
      const districtCode = `000.00.${district.slot}.${suffix}`;
      const groups = Math.max(1, Math.round(district.communes / 3));
      const groupCodes: string[] = [];
      for (let group = 0; group < groups; group++) {
        newIndex++;
        const code = `000.${pad2(newIndex)}.00.${newSuffix}`;
        groupCodes.push(code);
        const name = district.name.replace(/^(Huyện|Thị xã|Thành phố) /, '');
        agencies.push({
          code,
          name: `UBND ${district.urban ? 'Phường' : 'Xã'} ${name} ${group + 1}`,
          parentCode: newRoot,
          level: 'commune',
          ...from,
        });
      }
      // The district's tasks go to the commune holding its seat (the first one).
      successor.set(districtCode, groupCodes[0] as string);
      for (let index = 1; index <= district.communes; index++) {
        const group = Math.min(groups - 1, Math.floor(((index - 1) * groups) / district.communes));
        successor.set(`000.${pad2(index)}.${district.slot}.${suffix}`, groupCodes[group] as string);
      }
    }
    for (const agency of agencies) {
      const next = successor.get(agency.code);
      if (next !== undefined) agency.successorCode = next;
    }
  }
  const fields = FIELDS.map((field) => ({ ...field }));
  const procedures = PROCEDURES.map(({ code, name, fieldCode, processingTime }) => ({
    code,
    name,
    fieldCode,
    processingTime: processingTime === null ? null : { ...processingTime },
  }));
  return {
    reference: { agencies, fields, procedures },
    root: rootCode,
    centre,
    departments,
    districts,
    communes,
    successor,
    newRoot,
  };
}

// ---------------------------------------------------------------------------------------------
// Volume: which days, how many dossiers
// ---------------------------------------------------------------------------------------------

const calendar = defaultCalendar;

interface DayWeights {
  counter: number; // in person + postal
  online: number;
}

/** Relative volume of one local day (docs/counting-rules.md §2 calendar; seasonal assumptions in docs/simulator.md). */
function dayWeights(day: number): DayWeights {
  const date = formatDayNumber(day);
  const year = Number(date.slice(0, 4));
  const month = Number(date.slice(5, 7));
  const tet = TET[year] !== undefined ? parseLocalDate(TET[year]) : null;
  // Tết of the next year can fall in late January: check it too for the pre-Tết lull.
  const working = calendar.isWorkingDay(day);
  let factor = 1;
  if (tet !== null) {
    const offset = day - tet;
    if (offset >= -10 && offset < -3) factor *= 0.8; // winding down before the holiday
    if (offset >= -3 && offset <= 6) factor *= 0.3; // the holiday block (working days in it are few)
    if (offset > 6 && offset <= 16) factor *= 0.55 + ((offset - 6) / 10) * 0.4; // slow restart
  }
  if (month === 12) factor *= 1.12; // year-end push
  if (month === 8 || month === 9) factor *= 1.05; // school year: certified copies
  if (working) {
    // Month-end peak: the last three working days of the month.
    let ahead = 0;
    let probe = day + 1;
    let counted = 0;
    while (counted < 3 && ahead < 10) {
      if (formatDayNumber(probe).slice(5, 7) !== date.slice(5, 7)) break;
      if (calendar.isWorkingDay(probe)) counted++;
      probe++;
      ahead++;
    }
    if (counted < 3) factor *= 1.3;
    if (weekdayOf(day) === 1) factor *= 1.1; // Monday queues
    return { counter: factor, online: factor };
  }
  return { counter: 0, online: 0.3 * factor };
}

interface YearPlan {
  /** Dossiers received on each day of the year (index = day - first day of the year). */
  counter: Int32Array;
  online: Int32Array;
  first: number;
}

/** Splits a year's dossiers over its days by the day weights (largest-remainder by cumulation). */
function planYear(year: number, dossiers: number): YearPlan {
  const first = parseLocalDate(`${year}-01-01`);
  const last = parseLocalDate(`${year}-12-31`);
  const days = last - first + 1;
  const weights: DayWeights[] = [];
  let counterTotal = 0;
  let onlineTotal = 0;
  for (let day = first; day <= last; day++) {
    const weight = dayWeights(day);
    weights.push(weight);
    counterTotal += weight.counter;
    onlineTotal += weight.online;
  }
  const share = onlineShareOf(year);
  const spread = (total: number, weightOf: (w: DayWeights) => number, sum: number): Int32Array => {
    const out = new Int32Array(days);
    let cumulative = 0;
    let given = 0;
    for (let index = 0; index < days; index++) {
      cumulative += weightOf(weights[index] as DayWeights);
      const target = Math.round((total * cumulative) / sum);
      out[index] = target - given;
      given = target;
    }
    return out;
  };
  const onlineCount = Math.round(dossiers * share);
  return {
    first,
    counter: spread(dossiers - onlineCount, (w) => w.counter, counterTotal),
    online: spread(onlineCount, (w) => w.online, onlineTotal),
  };
}

// ---------------------------------------------------------------------------------------------
// Delivery queue (min-heap by delivery time, then sequence)
// ---------------------------------------------------------------------------------------------

interface Delivery {
  at: number;
  seq: number;
  item: SimPostedEvent;
}

class DeliveryQueue {
  private readonly heap: Delivery[] = [];
  get size(): number {
    return this.heap.length;
  }
  push(entry: Delivery): void {
    const heap = this.heap;
    heap.push(entry);
    let index = heap.length - 1;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (!DeliveryQueue.before(entry, heap[parent] as Delivery)) break;
      heap[index] = heap[parent] as Delivery;
      index = parent;
    }
    heap[index] = entry;
  }
  peek(): Delivery | undefined {
    return this.heap[0];
  }
  pop(): Delivery | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (top === undefined || last === undefined || heap.length === 0) return top;
    let index = 0;
    const length = heap.length;
    for (;;) {
      const left = 2 * index + 1;
      if (left >= length) break;
      const right = left + 1;
      const child =
        right < length && DeliveryQueue.before(heap[right] as Delivery, heap[left] as Delivery) ? right : left;
      if (!DeliveryQueue.before(heap[child] as Delivery, last)) break;
      heap[index] = heap[child] as Delivery;
      index = child;
    }
    heap[index] = last;
    return top;
  }
  private static before(a: Delivery, b: Delivery): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }
}

// ---------------------------------------------------------------------------------------------
// The simulation
// ---------------------------------------------------------------------------------------------

const SECOND_MS = 1000;
/** Event types after which a dossier is no longer pending (the 2025 merge leaves it alone). */
const FINISHING = new Set(['dossier.resolved', 'dossier.returned', 'dossier.withdrawn', 'dossier.voided']);
const WORKING_DAY_MS = 8 * HOUR_MS;

interface Planned {
  at: number;
  type: string;
  data: Record<string, unknown>;
}

function resolveOptions(options: SimulatorOptions) {
  const years = [...options.years].sort((a, b) => a - b);
  if (years.length === 0) throw new RangeError('simulateProvince: no year');
  for (const year of years) {
    if (!Number.isInteger(year) || year < 2000 || year > 2100) throw new RangeError(`bad year ${year}`);
  }
  if (!(options.dossiers >= 0)) throw new RangeError('simulateProvince: dossiers must be ≥ 0');
  const startDate = options.startDate ?? `${years[0]}-01-01`;
  const endDate = options.endDate ?? `${years[years.length - 1]}-12-31`;
  const asOf = options.asOf ?? endDate;
  if (endDate < startDate) throw new RangeError('simulateProvince: endDate before startDate');
  if (asOf < endDate) throw new RangeError('simulateProvince: asOf before endDate');
  const mergeDate = startDate <= MERGE_DATE && asOf >= MERGE_DATE && years.includes(2025) ? MERGE_DATE : null;
  return { years, startDate, endDate, asOf, mergeDate };
}

export function simulateProvince(options: SimulatorOptions): Simulation {
  const { years, startDate, endDate, asOf, mergeDate } = resolveOptions(options);
  const rates: SimRates = { ...DEFAULT_RATES, ...options.rates };
  if (options.lateRate !== undefined) rates.late = options.lateRate;
  const duplicateRate = options.duplicateRate ?? 0;
  const shuffleRate = options.shuffle ?? 0;
  const desks = Math.max(1, Math.floor(options.desks ?? 1));
  const rootCode = options.provinceCode ?? '000.00.00.H56';
  const rootName = options.provinceName ?? 'tỉnh Tiền Giang';
  const merge =
    mergeDate === null
      ? null
      : {
          code: options.successorProvinceCode ?? '000.00.00.H20',
          name: options.successorProvinceName ?? 'tỉnh Đồng Tháp',
        };
  if (merge !== null && suffixOf(merge.code) === suffixOf(rootCode)) {
    throw new RangeError('simulateProvince: the successor province needs another code suffix');
  }
  const structure = buildStructure(seededRandom(options.seed ^ 0x5eed), rootCode, rootName, merge, desks);

  const firstDay = parseLocalDate(startDate);
  const lastDay = parseLocalDate(endDate);
  const asOfEnd = startOfLocalDay(asOf) + DAY_MS;
  const mergeAt = mergeDate === null ? null : startOfLocalDay(mergeDate);
  let expectedDossiers = 0;
  for (let day = firstDay; day <= lastDay;) {
    const year = Number(formatDayNumber(day).slice(0, 4));
    const yearEnd = Math.min(lastDay, parseLocalDate(`${year}-12-31`));
    const yearDays = parseLocalDate(`${year}-12-31`) - parseLocalDate(`${year}-01-01`) + 1;
    expectedDossiers += (options.dossiers * (yearEnd - day + 1)) / yearDays;
    day = yearEnd + 1;
  }

  const stats: SimulationStats = emptyStats(Math.round(expectedDossiers));
  const simulation: Simulation = {
    options: { seed: options.seed, dossiers: options.dossiers, startDate, endDate, asOf, years, mergeDate },
    reference: structure.reference,
    events: {
      [Symbol.iterator]: () => {
        Object.assign(stats, emptyStats(Math.round(expectedDossiers)));
        return run();
      },
    },
    stats,
  };

  // Share of dossiers with a due date, to aim the late rate at those that can be late.
  const levelPickers = new Map<HandlingLevel, Weighted<CatalogueProcedure>>();
  let dueShare = 0;
  for (const level of ['commune', 'district', 'department'] as const) {
    const list = PROCEDURES.filter((procedure) => procedure.level === level);
    levelPickers.set(level, new Weighted(list, (procedure) => procedure.weight));
    const total = list.reduce((sum, procedure) => sum + procedure.weight, 0);
    const withDue = list.filter((p) => p.processingTime !== null).reduce((sum, p) => sum + p.weight, 0);
    dueShare += LEVEL_SHARES[level] * (withDue / total);
  }
  const levelPicker = new Weighted(['commune', 'district', 'department'] as const, (level) => LEVEL_SHARES[level]);
  const communePicker = new Weighted(structure.communes, (unit) => unit.size);
  const districtPicker = new Weighted(structure.districts, (unit) => unit.size);
  const departmentList = [...structure.departments.values()];
  const agencyLevel = new Map(structure.reference.agencies.map((agency) => [agency.code, agency]));

  function* run(): Generator<SimPostedEvent> {
    const random = seededRandom(options.seed);
    const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
    const queue = new DeliveryQueue();
    let seq = 0;
    const plans = new Map<number, YearPlan>();
    const planOf = (year: number): YearPlan => {
      let plan = plans.get(year);
      if (plan === undefined) {
        plan = planYear(year, options.dossiers);
        plans.set(year, plan);
      }
      return plan;
    };

    /** An instant `ms` working time after `from` (inside a session), rounded up to a second. */
    const after = (from: number, ms: number): number => {
      const at = calendar.addWorkingMillis(from, Math.max(SECOND_MS, ms));
      return Math.ceil(at / SECOND_MS) * SECOND_MS;
    };
    const sessionStart = (day: number) => day * DAY_MS - VN_UTC_OFFSET_MS + 7 * HOUR_MS;
    const dayEnd = (day: number) => day * DAY_MS - VN_UTC_OFFSET_MS + 17 * HOUR_MS;
    /** A random in-session instant on working day `day`, after `notBefore`; null when none is left. */
    const instantOn = (day: number, notBefore: number): number | null => {
      const from = Math.max(notBefore + SECOND_MS, sessionStart(day));
      const available = calendar.workingMillisBetween(from, dayEnd(day));
      if (available < MINUTE_MS) return null;
      return after(from, random() * (available - SECOND_MS));
    };
    const workingDayOnOrAfter = (day: number) => calendar.workingDayOnOrAfter(day);
    const nextWorkingDay = (day: number) => calendar.nextWorkingDay(day);
    const previousWorkingDay = (day: number) => {
      let probe = day - 1;
      while (!calendar.isWorkingDay(probe)) probe--;
      return probe;
    };
    const successorAt = (code: string, at: number) =>
      mergeAt !== null && at >= mergeAt ? (structure.successor.get(code) ?? code) : code;
    const pLate = Math.min(1, rates.late / Math.max(0.01, dueShare));
    const apologyShareOfLate = rates.late > 0 ? Math.min(1, rates.apology / rates.late) : 0;

    /** When a resolved dossier finishes, aiming at early / on time / late. */
    const finishAfter = (lastAt: number, due: number | null, late: boolean): number => {
      let day = dayNumberOf(lastAt);
      if (!calendar.isWorkingDay(day) || dayEnd(day) - lastAt < 2 * MINUTE_MS) day = nextWorkingDay(day);
      if (due === null) {
        const steps = Math.floor(random() ** 2 * 15);
        for (let step = 0; step < steps; step++) day = nextWorkingDay(day);
      } else {
        const dueDay = dayNumberOf(due);
        if (late) {
          let target = nextWorkingDay(Math.max(dueDay, day - 1));
          const extra = Math.floor(random() ** 3 * 8);
          for (let step = 0; step < extra; step++) target = nextWorkingDay(target);
          day = Math.max(day, target);
        } else if (day < dueDay) {
          if (random() < 0.22) day = workingDayOnOrAfter(dueDay) === dueDay ? dueDay : day;
          else {
            const candidates: number[] = [];
            for (let probe = day; probe < dueDay; probe = nextWorkingDay(probe)) candidates.push(probe);
            day = candidates[Math.floor(random() ** 1.6 * candidates.length)] ?? day;
          }
        }
      }
      for (;;) {
        const at = instantOn(day, lastAt);
        if (at !== null) return at;
        day = nextWorkingDay(day);
      }
    };

    const emit = (desk: string, dossierCode: string, events: Planned[]) => {
      let index = 0;
      for (const planned of events) {
        if (planned.at >= asOfEnd) break;
        const event: SimEvent = {
          eventId: `${dossierCode}:${index++}`,
          type: planned.type,
          occurredAt: formatInstant(planned.at),
          dossierCode,
          data: planned.data,
        };
        const item: SimPostedEvent = { desk, event };
        let deliverAt = planned.at;
        if (shuffleRate > 0 && random() < shuffleRate) {
          // Held back: 10 minutes to 3 days (a desk batch job, a network outage).
          deliverAt += 10 * MINUTE_MS + Math.floor(random() ** 2 * 3 * DAY_MS);
          stats.delayed++;
        }
        queue.push({ at: deliverAt, seq: seq++, item });
        if (duplicateRate > 0 && random() < duplicateRate) {
          queue.push({ at: deliverAt + MINUTE_MS + Math.floor(random() * DAY_MS), seq: seq++, item });
          stats.duplicates++;
        }
        stats.events++;
      }
    };

    const simulateDossier = (receivedAt: number, channel: Channel, counters: Map<string, number>, dayTag: string) => {
      stats.dossiers++;
      const level = levelPicker.pick(random);
      const procedure = (levelPickers.get(level) as Weighted<CatalogueProcedure>).pick(random);
      let unit: Unit;
      if (level === 'commune') unit = communePicker.pick(random);
      else if (level === 'district') unit = districtPicker.pick(random);
      else unit = structure.departments.get(procedure.department ?? '') ?? pick(departmentList);
      const agency = successorAt(unit.code, receivedAt);
      const receiving =
        level === 'department' && channel !== 'online' ? successorAt(structure.centre, receivedAt) : agency;

      const serial = (counters.get(receiving) ?? 0) + 1;
      counters.set(receiving, serial);
      const dossierCode = `${receiving}-${dayTag}-${String(serial).padStart(4, '0')}`;
      const desk = `sim-desk-${unit.desk % desks}`;
      const events: Planned[] = [];

      if (random() < rates.reject) {
        stats.rejected++;
        events.push({ at: receivedAt, type: 'dossier.rejected', data: { reason: pick(REJECT_REASONS) } });
        emit(desk, dossierCode, events);
        return;
      }
      stats.received++;
      const received: Record<string, unknown> = { procedureCode: procedure.code, agencyCode: agency, channel };
      if (receiving !== agency) received.receivingAgencyCode = receiving;
      if (channel === 'online') received.submittedAt = formatInstant(receivedAt - int(1, 240) * MINUTE_MS);
      events.push({ at: receivedAt, type: 'dossier.received', data: received });
      const pt = procedure.processingTime;
      let due = pt === null ? null : calendar.dueAt(receivedAt, pt);
      let at = receivedAt;
      let current = agency;

      if (random() < rates.void) {
        stats.voided++;
        at = after(at, int(10, 240) * MINUTE_MS);
        events.push({ at, type: 'dossier.voided', data: { reason: 'Nhập sai thông tin hồ sơ' } });
        return finishDossier(desk, dossierCode, events);
      }
      if (random() < rates.transfer) {
        stats.transferred++;
        at = after(at, int(30, 8 * 60) * MINUTE_MS);
        let target: string;
        if (unit.level === 'commune') target = unit.district as string;
        else if (unit.level === 'district') target = pick(departmentList).code;
        else target = pick(departmentList.filter((d) => d.code !== unit.code)).code;
        target = successorAt(target, at);
        if (target === current) target = successorAt(pick(departmentList).code, at);
        if (target !== current) {
          events.push({ at, type: 'dossier.transferred', data: { toAgencyCode: target } });
          current = target;
        }
      }
      if (random() < rates.supplement) {
        stats.supplements++;
        const limit = due === null ? 3 * WORKING_DAY_MS : Math.min(3 * WORKING_DAY_MS, (due - at) * 0.5);
        at = after(at, Math.max(10 * MINUTE_MS, random() * limit));
        events.push({ at, type: 'dossier.supplement_requested', data: { reason: pick(SUPPLEMENT_REASONS) } });
        if (random() < rates.supplementUnanswered) {
          stats.withdrawn++;
          at = after(at, int(10, 30) * WORKING_DAY_MS);
          events.push({ at, type: 'dossier.withdrawn', data: {} });
          return finishDossier(desk, dossierCode, events);
        }
        at = after(at, (0.2 + random() ** 2 * 10) * WORKING_DAY_MS);
        events.push({ at, type: 'dossier.supplement_received', data: {} });
        due = pt === null ? null : calendar.dueAt(at, pt);
      }
      if (random() < rates.pause + (procedure.pauseRate ?? 0)) {
        stats.pauses++;
        const span = due === null ? 2 * WORKING_DAY_MS : Math.max(MINUTE_MS, (due - at) * 0.6);
        at = after(at, Math.max(10 * MINUTE_MS, random() * Math.min(span, 5 * WORKING_DAY_MS)));
        const reason = procedure.pauseRate !== undefined ? 'financial_obligation' : pick(['suspended', 'other']);
        events.push({ at, type: 'dossier.paused', data: { reason } });
        const resumedAt = after(at, (0.5 + random() ** 2 * 7) * WORKING_DAY_MS);
        if (due !== null) due = calendar.extendByWorkingTime(due, calendar.workingMillisBetween(at, resumedAt));
        at = resumedAt;
        events.push({ at, type: 'dossier.resumed', data: {} });
      }
      if (random() < rates.withdraw) {
        stats.withdrawn++;
        at = after(at, (0.1 + random() * 3) * WORKING_DAY_MS);
        events.push({ at, type: 'dossier.withdrawn', data: {} });
        return finishDossier(desk, dossierCode, events);
      }
      const late = due !== null && random() < pLate;
      if (late) stats.plannedLate++;
      const finish = finishAfter(at, due, late);
      if (late && due !== null && random() < apologyShareOfLate) {
        // Mẫu 04 at least one working day before the due date, with the new date (art.19(9)).
        const letterDay = previousWorkingDay(dayNumberOf(due));
        const letterAt = instantOn(letterDay, at) ?? at + MINUTE_MS;
        if (letterAt < finish) {
          stats.rescheduled++;
          const newDue = dayEnd(workingDayOnOrAfter(dayNumberOf(finish)));
          events.push({
            at: letterAt,
            type: 'dossier.rescheduled',
            data: { newDueAt: formatInstant(newDue), reason: 'Xin lỗi, hẹn lại ngày trả kết quả' },
          });
        }
      }
      events.push({
        at: finish,
        type: 'dossier.resolved',
        data: { outcome: random() < 0.97 ? 'approved' : 'refused' },
      });
      if (random() < rates.returned) {
        const returnedAt =
          channel === 'online' ? finish + int(1, 120) * MINUTE_MS : after(finish, random() ** 2 * 3 * WORKING_DAY_MS);
        events.push({ at: returnedAt, type: 'dossier.returned', data: {} });
      }
      return finishDossier(desk, dossierCode, events);
    };

    /** The 2025 merge: pending dossiers of abolished units move to the successors; then emit. */
    const finishDossier = (desk: string, dossierCode: string, events: Planned[]) => {
      if (mergeAt !== null && (events[0] as Planned).at < mergeAt) {
        let agency = (events[0] as Planned).data.agencyCode as string;
        let finished = false;
        let index = 0;
        for (; index < events.length; index++) {
          const planned = events[index] as Planned;
          if (planned.at >= mergeAt) break;
          if (planned.type === 'dossier.transferred') agency = planned.data.toAgencyCode as string;
          if (FINISHING.has(planned.type)) {
            finished = true;
          }
        }
        const target = structure.successor.get(agency);
        if (!finished && target !== undefined && agencyLevel.get(agency)?.validTo !== undefined) {
          const transferAt = mergeAt + 7 * HOUR_MS + int(0, 120) * MINUTE_MS;
          const later = events.slice(index);
          const firstLater = later[0]?.at ?? Infinity;
          events.length = index;
          events.push({
            at: Math.min(transferAt, Math.max(mergeAt, firstLater - SECOND_MS)),
            type: 'dossier.transferred',
            data: { toAgencyCode: target },
          });
          stats.mergeTransfers++;
          for (const planned of later) {
            if (planned.type === 'dossier.transferred') {
              const to = planned.data.toAgencyCode as string;
              planned.data = { toAgencyCode: structure.successor.get(to) ?? to };
            }
            events.push(planned);
          }
        }
      }
      emit(desk, dossierCode, events);
    };

    // Day by day: generate the day's receipts, then deliver everything due by the end of the day.
    const onlineHours = new Weighted(
      Array.from({ length: 24 }, (_, hour) => hour),
      (hour) => (hour < 6 ? 0.2 : hour < 8 ? 1 : hour < 17 ? 4 : hour < 22 ? 2 : 0.6),
    );
    const totalDays = lastDay - firstDay + 1;
    for (let day = firstDay; day <= lastDay; day++) {
      const date = formatDayNumber(day);
      const plan = planOf(Number(date.slice(0, 4)));
      const counterCount = plan.counter[day - plan.first] ?? 0;
      const onlineCount = plan.online[day - plan.first] ?? 0;
      const receipts: Array<{ at: number; channel: Channel }> = [];
      const dayStart = startOfLocalDay(day);
      for (let index = 0; index < counterCount; index++) {
        // 07:00–11:30 and 13:30–17:00, mornings busier.
        const morning = random() < 0.62;
        const minute = morning ? random() * 270 : 390 + random() * 210;
        const at = dayStart + 7 * HOUR_MS + Math.floor(minute * 60) * SECOND_MS;
        receipts.push({ at, channel: random() < 0.025 ? 'postal' : 'in_person' });
      }
      for (let index = 0; index < onlineCount; index++) {
        const hour = onlineHours.pick(random);
        receipts.push({ at: dayStart + hour * HOUR_MS + Math.floor(random() * 3600) * SECOND_MS, channel: 'online' });
      }
      receipts.sort((a, b) => a.at - b.at);
      const counters = new Map<string, number>();
      const dayTag = date.slice(2).replace(/-/g, '');
      for (const receipt of receipts) simulateDossier(receipt.at, receipt.channel, counters, dayTag);
      stats.progress = (day - firstDay + 1) / totalDays;
      if (queue.size > stats.peakQueued) stats.peakQueued = queue.size;
      const deliverBy = startOfLocalDay(addDays(date, 1));
      for (let next = queue.peek(); next !== undefined && next.at < deliverBy; next = queue.peek()) {
        yield (queue.pop() as Delivery).item;
      }
    }
    for (let next = queue.pop(); next !== undefined; next = queue.pop()) yield next.item;
  }

  return simulation;
}

function emptyStats(expectedDossiers: number): SimulationStats {
  return {
    dossiers: 0,
    received: 0,
    rejected: 0,
    voided: 0,
    withdrawn: 0,
    transferred: 0,
    mergeTransfers: 0,
    supplements: 0,
    pauses: 0,
    rescheduled: 0,
    plannedLate: 0,
    events: 0,
    duplicates: 0,
    delayed: 0,
    peakQueued: 0,
    progress: 0,
    expectedDossiers,
  };
}

/** Parses `2017`, `2017,2019` or `2024-2025` into a list of years. */
export function parseYears(text: string): number[] {
  const years = new Set<number>();
  for (const part of text.split(',')) {
    const range = /^\s*(\d{4})\s*(?:-\s*(\d{4}))?\s*$/.exec(part);
    if (range === null) throw new RangeError(`not a year or year range: ${JSON.stringify(part)}`);
    const from = Number(range[1]);
    const to = range[2] === undefined ? from : Number(range[2]);
    if (to < from) throw new RangeError(`empty year range ${part}`);
    for (let year = from; year <= to; year++) years.add(year);
  }
  return [...years].sort((a, b) => a - b);
}
