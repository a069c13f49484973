/**
 * The independent oracle (docs/oracle.md): the docs/counting-rules.md §6 figures computed straight from the raw
 * desk events and the reference data, dossier by dossier, with deliberately plain code.
 *
 * It shares nothing with the services: no imports from apps/ or from libs/ other than
 * `@tthc/calendar` (working-time arithmetic), and its own minimal types. Integration and acceptance
 * tests compare the report API with it, and the `verify` CLI will too. When the two disagree, one of
 * them is wrong: read the rule in docs/oracle.md before "fixing" the oracle to match.
 */
import {
  addDays,
  createWorkingCalendar,
  endOfLocalDay,
  formatInstant,
  localDateOf,
  parseInstant,
  startOfLocalDay,
  type WorkingCalendar,
  type YearTable,
} from '@tthc/calendar';

// ---------------------------------------------------------------------------------------------
// Input types (own, minimal: docs/api.md §3 and §4)
// ---------------------------------------------------------------------------------------------

export type Channel = 'online' | 'in_person' | 'postal';
export const CHANNELS: readonly Channel[] = ['online', 'in_person', 'postal'];

export interface OracleAgency {
  code: string;
  name?: string;
  parentCode: string | null;
  level?: string;
  validFrom?: string | null;
  validTo?: string | null;
  successorCode?: string | null;
}

export interface OracleField {
  code: string;
  name?: string;
}

export interface OracleProcedure {
  code: string;
  name?: string;
  fieldCode: string;
  processingTime: { value: number; unit: 'working_days' | 'working_hours' | 'calendar_days' } | null;
}

export interface OracleCalendarYear {
  year: number;
  holidays: readonly string[];
  workingSaturdays: readonly string[];
}

export interface OracleEvent {
  eventId: string;
  type: string;
  occurredAt: string;
  dossierCode: string;
  data?: Record<string, unknown>;
}

export interface OraclePostedEvent {
  desk: string;
  event: OracleEvent;
}

/**
 * The counting policies (docs/oracle.md §5; the services' `COUNTING_*` variables). Each absent
 * one is the contract's default: `ignored`, `restart`, `date`.
 */
export interface OraclePolicies {
  /** `honoured`: from the (first) apology re-date on, its new due date is the one counted. */
  rescheduledDue?: 'ignored' | 'honoured';
  /** `subtract`: a received supplement does not restart the clock; the wait is added like a pause. */
  supplement?: 'restart' | 'subtract';
  /** `session`: early / on time / late by half-day working session instead of by date. */
  outcomeBy?: 'date' | 'session';
}

export interface OracleInput {
  agencies: readonly OracleAgency[];
  /** Default: every policy at its contract default. */
  policies?: OraclePolicies;
  fields?: readonly OracleField[];
  procedures: readonly OracleProcedure[];
  /** Uploaded years; each replaces the shipped default table of its year. */
  calendars?: readonly OracleCalendarYear[];
  /** In arrival order: for a conflicting (desk, eventId) pair the first copy is kept. Read once. */
  events: Iterable<OraclePostedEvent>;
}

// ---------------------------------------------------------------------------------------------
// Output types (docs/api.md §5)
// ---------------------------------------------------------------------------------------------

export interface Figures {
  received: { total: number; carriedOver: number; new: number; newByChannel: Record<Channel, number> };
  resolved: { total: number; early: number; onTime: number; late: number; withdrawn: number };
  pending: { total: number; withinDeadline: number; overdue: number };
  onTimeRate: { resolved: number | null; due: number | null; all: number | null };
}

export interface Form06aCells {
  received: { total: number; online: number; inPersonOrPostal: number; carriedOver: number };
  resolved: { total: number; early: number; onTime: number; late: number };
  pending: { total: number; withinDeadline: number; overdue: number };
}

export interface Form06a {
  rows: Array<{ key: string } & Form06aCells>;
  total: Form06aCells;
}

export interface OverdueDossier {
  code: string;
  agencyCode: string;
  procedureCode: string;
  /** The due instant in force at the end of `to`, Viet Nam local ISO-8601. */
  dueAt: string;
  /** Its local date. */
  dueDate: string;
}

export interface PeriodQuery {
  /** First day of the period, `YYYY-MM-DD` (local). */
  from: string;
  /** Last day of the period, inclusive. */
  to: string;
  agency?: string;
  field?: string;
  procedure?: string;
  channel?: Channel;
  /** Epoch ms, ISO string or Date; default the real current time. */
  now?: number | string | Date;
  /** Follow `successorCode` links before the agency test (today's structure). */
  restate?: boolean;
}

export interface Form06aQuery extends Omit<PeriodQuery, 'agency'> {
  agency: string;
  rows: 'field' | 'agency' | 'procedure';
}

export interface OverdueQuery {
  /** Pending state judged at the end of this day; default: the local date of `now`. */
  to?: string;
  agency?: string;
  now?: number | string | Date;
  restate?: boolean;
}

export type Outcome = 'early' | 'onTime' | 'late';
export type FinishKind = 'resolved' | 'returned' | 'withdrawn';

/** One counted dossier, folded over all its events. */
export interface OracleDossier {
  code: string;
  /** Latest agency after transfers (as recorded). */
  agencyCode: string;
  fieldCode: string;
  procedureCode: string;
  channel: Channel;
  receivedAt: number;
  /** Due instant in force at the end (at the finish for a finished dossier); null = no due date. */
  due: number | null;
  finishedAt: number | null;
  finishKind: FinishKind | null;
  outcome: Outcome | null;
}

export type ExclusionReason = 'rejected' | 'not_received' | 'voided';

export interface Oracle {
  figures(query: PeriodQuery): Figures;
  form06a(query: Form06aQuery): Form06a;
  overdue(query?: OverdueQuery): OverdueDossier[];
  /** Every counted dossier (sorted by code). */
  dossiers(): OracleDossier[];
  dossier(code: string): OracleDossier | undefined;
  /** Dossiers kept out of all figures, and why. */
  excluded(): Map<string, ExclusionReason>;
  /** (desk, eventId) pairs posted again with different content; the first copy was kept. */
  conflicts(): Array<{ desk: string; eventId: string; dossierCode: string }>;
}

// ---------------------------------------------------------------------------------------------
// Folding one dossier
// ---------------------------------------------------------------------------------------------

/** An accepted, distinct event with its instant parsed. */
interface Step {
  desk: string;
  eventId: string;
  type: string;
  at: number;
  data: Record<string, unknown>;
}

/** Event types in lifecycle order: among events with the same `occurredAt`, the earlier type comes first. */
const LIFECYCLE = [
  'rejected',
  'received',
  'transferred',
  'supplement_requested',
  'supplement_received',
  'paused',
  'resumed',
  'rescheduled',
  'resolved',
  'returned',
  'withdrawn',
  'voided',
].map((name) => `dossier.${name}`);

/** Rank of a type in {@link LIFECYCLE}; unknown types last. */
function tieRank(type: string): number {
  const rank = LIFECYCLE.indexOf(type);
  return rank === -1 ? 99 : rank;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareSteps(a: Step, b: Step): number {
  if (a.at !== b.at) return a.at - b.at;
  const rank = tieRank(a.type) - tieRank(b.type);
  if (rank !== 0) return rank;
  return compareText(a.desk, b.desk) || compareText(a.eventId, b.eventId);
}

/** A dossier's state after the events it has seen so far. */
interface State {
  agencyCode: string;
  fieldCode: string;
  procedureCode: string;
  channel: Channel;
  receivedAt: number;
  due: number | null;
  /** The open wait (a pause, or a supplement request not yet answered), if any. */
  waiting: { kind: 'pause' | 'supplement'; since: number } | null;
  finishedAt: number | null;
  finishKind: FinishKind | null;
  voided: boolean;
  /** An apology re-date was seen (only the first one counts). */
  reDated: boolean;
}

interface Context {
  calendar: WorkingCalendar;
  procedures: Map<string, OracleProcedure>;
  policies: Required<OraclePolicies>;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** Due from the clock (re)starting at `at`: the given `dueAt`, else the processing time, else none. */
function dueFrom(at: number, givenDueAt: unknown, procedure: OracleProcedure | undefined, context: Context) {
  const given = text(givenDueAt);
  if (given !== undefined) return parseInstant(given);
  if (procedure === undefined || procedure.processingTime === null) return null;
  return context.calendar.dueAt(at, procedure.processingTime);
}

/**
 * Folds the sorted distinct events of one dossier that occurred before `until` (exclusive;
 * `Infinity` for all of them). Returns null when no `received` is among them.
 *
 * Rules (docs/oracle.md §3): the first `received` is the receipt and everything sorted before it is
 * ignored; later `received` / `rejected` are ignored; after a finish only `voided` still matters;
 * after `voided` nothing does.
 */
function fold(steps: readonly Step[], until: number, context: Context): State | null {
  let state: State | null = null;
  for (const step of steps) {
    if (step.at >= until) break;
    if (state === null) {
      if (step.type === 'dossier.received') {
        const procedureCode = text(step.data.procedureCode) ?? '';
        const procedure = context.procedures.get(procedureCode);
        state = {
          agencyCode: text(step.data.agencyCode) ?? '',
          fieldCode: text(step.data.fieldCode) ?? procedure?.fieldCode ?? 'unknown',
          procedureCode,
          channel: (text(step.data.channel) ?? 'in_person') as Channel,
          receivedAt: step.at,
          due: dueFrom(step.at, step.data.dueAt, procedure, context),
          waiting: null,
          finishedAt: null,
          finishKind: null,
          voided: false,
          reDated: false,
        };
      }
      continue;
    }
    if (state.voided) continue;
    if (state.finishedAt !== null) {
      if (step.type === 'dossier.voided') state.voided = true;
      continue;
    }
    switch (step.type) {
      case 'dossier.transferred': {
        const to = text(step.data.toAgencyCode);
        if (to !== undefined) state.agencyCode = to;
        break;
      }
      case 'dossier.supplement_requested':
        state.waiting = { kind: 'supplement', since: step.at };
        break;
      case 'dossier.supplement_received': {
        const wait = state.waiting;
        state.waiting = null;
        if (context.policies.supplement === 'restart') {
          state.due = dueFrom(step.at, step.data.dueAt, context.procedures.get(state.procedureCode), context);
        } else if (wait !== null && wait.kind === 'supplement' && state.due !== null) {
          // subtract: the time spent waiting for the supplement is added, as for a pause.
          const waited = context.calendar.workingMillisBetween(wait.since, step.at);
          state.due = context.calendar.extendByWorkingTime(state.due, waited);
        }
        break;
      }
      case 'dossier.rescheduled': {
        if (state.reDated) break;
        state.reDated = true;
        const newDue = text(step.data.newDueAt);
        if (context.policies.rescheduledDue === 'honoured' && newDue !== undefined) state.due = parseInstant(newDue);
        break;
      }
      case 'dossier.paused':
        state.waiting = { kind: 'pause', since: step.at };
        break;
      case 'dossier.resumed':
        if (state.waiting?.kind === 'pause') {
          if (state.due !== null) {
            const paused = context.calendar.workingMillisBetween(state.waiting.since, step.at);
            state.due = context.calendar.extendByWorkingTime(state.due, paused);
          }
          state.waiting = null;
        }
        break;
      case 'dossier.resolved':
      case 'dossier.returned':
      case 'dossier.withdrawn':
        state.finishedAt = step.at;
        state.finishKind = step.type.slice('dossier.'.length) as FinishKind;
        break;
      case 'dossier.voided':
        state.voided = true;
        break;
      default:
        // received / rejected again, unknown types: no effect.
        break;
    }
  }
  return state;
}

/**
 * The half-day working session an instant falls in, as `YYYY-MM-DD#i` (sorts in time order): the
 * first session of its day or a later day whose end is not before it (sessions are closed
 * intervals; an instant between sessions or on a day off belongs to the next session).
 */
function sessionOf(instant: number, calendar: WorkingCalendar): string {
  const firstDay = localDateOf(instant);
  for (let offset = 0; offset <= 400; offset++) {
    const day = addDays(firstDay, offset);
    const sessions = calendar.sessionsOn(day);
    for (let index = 0; index < sessions.length; index++) {
      const session = sessions[index] as readonly [number, number];
      if (instant <= session[1]) return `${day}#${index}`;
    }
  }
  throw new Error(`oracle: no working session within 400 days of ${formatInstant(instant)}`);
}

function outcomeOf(state: State, context: Context): Outcome | null {
  if (state.finishedAt === null) return null;
  if (state.finishKind === 'withdrawn' || state.due === null) return 'onTime';
  const bySession = context.policies.outcomeBy === 'session';
  const finished = bySession ? sessionOf(state.finishedAt, context.calendar) : localDateOf(state.finishedAt);
  const due = bySession ? sessionOf(state.due, context.calendar) : localDateOf(state.due);
  return finished < due ? 'early' : finished === due ? 'onTime' : 'late';
}

// ---------------------------------------------------------------------------------------------
// Building the oracle
// ---------------------------------------------------------------------------------------------

/** JSON with object keys sorted, so key order does not make two copies differ. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record)
      .filter((key) => record[key] !== undefined)
      .sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonical(record[key])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

function toMillis(value: number | string | Date | undefined): number {
  if (value === undefined) return Date.now();
  if (typeof value === 'number') return value;
  if (typeof value === 'string') return parseInstant(value);
  return value.getTime();
}

function emptyFigures(): Figures {
  return {
    received: { total: 0, carriedOver: 0, new: 0, newByChannel: { online: 0, in_person: 0, postal: 0 } },
    resolved: { total: 0, early: 0, onTime: 0, late: 0, withdrawn: 0 },
    pending: { total: 0, withinDeadline: 0, overdue: 0 },
    onTimeRate: { resolved: null, due: null, all: null },
  };
}

function ratio(numerator: number, denominator: number): number | null {
  return denominator === 0 ? null : numerator / denominator;
}

/** Where one dossier falls in a period. */
interface Placement {
  received: 'carriedOver' | 'new';
  resolved: Outcome | null;
  withdrawn: boolean;
  pending: 'withinDeadline' | 'overdue' | null;
  /** For a pending-overdue dossier: the due in force at the end of the period. */
  due: number | null;
}

/** A period [from, to] as instants, and the local date of its asOf. */
interface Period {
  to: string;
  periodStart: number;
  periodEnd: number;
  asOfDate: string;
}

interface Counted extends OracleDossier {
  steps: Step[];
}

export function buildOracle(input: OracleInput): Oracle {
  const years: Record<number, YearTable> = {};
  for (const year of input.calendars ?? []) {
    years[year.year] = { holidays: [...year.holidays], workingSaturdays: [...year.workingSaturdays] };
  }
  const context: Context = {
    calendar: createWorkingCalendar({ years }),
    procedures: new Map(input.procedures.map((procedure) => [procedure.code, procedure])),
    policies: {
      rescheduledDue: input.policies?.rescheduledDue ?? 'ignored',
      supplement: input.policies?.supplement ?? 'restart',
      outcomeBy: input.policies?.outcomeBy ?? 'date',
    },
  };
  const agencies = new Map(input.agencies.map((agency) => [agency.code, agency]));

  // 1. Distinct events: (desk, eventId) once; a differing later copy is ignored.
  const seen = new Map<string, OracleEvent>(); // the first copy of each pair
  const conflicts: Array<{ desk: string; eventId: string; dossierCode: string }> = [];
  const byDossier = new Map<string, Step[]>();
  for (const { desk, event } of input.events) {
    const key = `${desk}\u0000${event.eventId}`;
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      if (canonical(earlier) !== canonical(event)) {
        conflicts.push({ desk, eventId: event.eventId, dossierCode: event.dossierCode });
      }
      continue;
    }
    seen.set(key, event);
    const step: Step = {
      desk,
      eventId: event.eventId,
      type: event.type,
      at: parseInstant(event.occurredAt),
      data: event.data ?? {},
    };
    const list = byDossier.get(event.dossierCode);
    if (list === undefined) byDossier.set(event.dossierCode, [step]);
    else list.push(step);
  }

  // 2. Fold every dossier once over all its events.
  const counted = new Map<string, Counted>();
  const excluded = new Map<string, ExclusionReason>();
  for (const [code, steps] of byDossier) {
    steps.sort(compareSteps);
    const state = fold(steps, Infinity, context);
    if (state === null) {
      excluded.set(code, steps.some((step) => step.type === 'dossier.rejected') ? 'rejected' : 'not_received');
      continue;
    }
    if (state.voided) {
      excluded.set(code, 'voided');
      continue;
    }
    counted.set(code, {
      code,
      agencyCode: state.agencyCode,
      fieldCode: state.fieldCode,
      procedureCode: state.procedureCode,
      channel: state.channel,
      receivedAt: state.receivedAt,
      due: state.due,
      finishedAt: state.finishedAt,
      finishKind: state.finishKind,
      outcome: outcomeOf(state, context),
      steps,
    });
  }
  const sortedCodes = [...counted.keys()].sort(compareText);

  // 3. Agency structure.
  /** The agency itself, its parent, grandparent, … (stops on a cycle or an unknown parent). */
  const ancestries = new Map<string, string[]>();
  const ancestry = (code: string): string[] => {
    const known = ancestries.get(code);
    if (known !== undefined) return known;
    const chain = [code];
    ancestries.set(code, chain);
    let current = agencies.get(code)?.parentCode ?? null;
    while (current !== null && !chain.includes(current)) {
      chain.push(current);
      current = agencies.get(current)?.parentCode ?? null;
    }
    return chain;
  };
  /** Follows successorCode links to an agency without one (stops on a cycle). */
  const restated = (code: string): string => {
    const visited = [code];
    let current = code;
    for (;;) {
      const next = agencies.get(current)?.successorCode;
      if (next === undefined || next === null || next === '' || visited.includes(next)) return current;
      visited.push(next);
      current = next;
    }
  };
  const agencyOf = (dossier: Counted, restate: boolean | undefined) =>
    restate === true ? restated(dossier.agencyCode) : dossier.agencyCode;

  // 4. One dossier in one period.
  const place = (dossier: Counted, period: Period): Placement | null => {
    const { periodStart, periodEnd, to, asOfDate } = period;
    if (dossier.receivedAt >= periodEnd) return null; // received after the period
    const finished = dossier.finishedAt;
    if (dossier.receivedAt < periodStart && finished !== null && finished < periodStart) return null;
    const placement: Placement = {
      received: dossier.receivedAt < periodStart ? 'carriedOver' : 'new',
      resolved: null,
      withdrawn: false,
      pending: null,
      due: null,
    };
    if (finished !== null && finished < periodEnd) {
      placement.resolved = dossier.outcome;
      placement.withdrawn = dossier.finishKind === 'withdrawn';
      return placement;
    }
    // Pending at the end of `to`: judged on the state then (events after `to` do not count).
    const then = fold(dossier.steps, periodEnd, context);
    if (then === null) throw new Error(`oracle: ${dossier.code} not received by ${to} on refold`);
    const overdue = then.due !== null && localDateOf(then.due) < asOfDate && then.waiting === null;
    placement.pending = overdue ? 'overdue' : 'withinDeadline';
    placement.due = then.due;
    return placement;
  };

  const periodOf = (from: string, to: string, now: number | string | Date | undefined): Period => {
    const periodEnd = endOfLocalDay(to); // the instant right after `to`
    return {
      to,
      periodStart: startOfLocalDay(from),
      periodEnd,
      asOfDate: localDateOf(Math.min(periodEnd, toMillis(now))),
    };
  };

  /** Dossiers passing the filters, each with the agency it is attributed to. */
  const selected = (query: Omit<PeriodQuery, 'from' | 'to' | 'now'>) => {
    const out: Array<{ dossier: Counted; agency: string }> = [];
    for (const code of sortedCodes) {
      const dossier = counted.get(code) as Counted;
      if (query.field !== undefined && dossier.fieldCode !== query.field) continue;
      if (query.procedure !== undefined && dossier.procedureCode !== query.procedure) continue;
      if (query.channel !== undefined && dossier.channel !== query.channel) continue;
      const agency = agencyOf(dossier, query.restate);
      if (query.agency !== undefined && !ancestry(agency).includes(query.agency)) continue;
      out.push({ dossier, agency });
    }
    return out;
  };

  const addTo = (figures: Figures, dossier: Counted, placement: Placement) => {
    figures.received.total++;
    if (placement.received === 'carriedOver') figures.received.carriedOver++;
    else {
      figures.received.new++;
      figures.received.newByChannel[dossier.channel]++;
    }
    if (placement.resolved !== null) {
      figures.resolved.total++;
      figures.resolved[placement.resolved]++;
      if (placement.withdrawn) figures.resolved.withdrawn++;
    }
    if (placement.pending !== null) {
      figures.pending.total++;
      figures.pending[placement.pending]++;
    }
  };

  const withRates = (figures: Figures): Figures => {
    const good = figures.resolved.early + figures.resolved.onTime;
    figures.onTimeRate = {
      resolved: ratio(good, figures.resolved.total),
      due: ratio(good, figures.resolved.total + figures.pending.overdue),
      all: ratio(good + figures.pending.withinDeadline, figures.received.carriedOver + figures.received.new),
    };
    return figures;
  };

  const toCells = (figures: Figures): Form06aCells => ({
    received: {
      total: figures.received.carriedOver + figures.received.new,
      online: figures.received.newByChannel.online,
      inPersonOrPostal: figures.received.newByChannel.in_person + figures.received.newByChannel.postal,
      carriedOver: figures.received.carriedOver,
    },
    resolved: {
      total: figures.resolved.total,
      early: figures.resolved.early,
      onTime: figures.resolved.onTime,
      late: figures.resolved.late,
    },
    pending: { ...figures.pending },
  });

  const publicDossier = (dossier: Counted): OracleDossier => {
    const { steps: _steps, ...rest } = dossier;
    return rest;
  };

  return {
    figures(query) {
      const period = periodOf(query.from, query.to, query.now);
      const figures = emptyFigures();
      for (const { dossier } of selected(query)) {
        const placement = place(dossier, period);
        if (placement !== null) addTo(figures, dossier, placement);
      }
      return withRates(figures);
    },

    form06a(query) {
      const period = periodOf(query.from, query.to, query.now);
      const rows = new Map<string, Figures>();
      const total = emptyFigures();
      for (const { dossier, agency } of selected(query)) {
        const placement = place(dossier, period);
        if (placement === null) continue;
        let key: string;
        if (query.rows === 'field') key = dossier.fieldCode;
        else if (query.rows === 'procedure') key = dossier.procedureCode;
        else {
          // The direct child of `agency` on the dossier agency's chain, or `agency` itself.
          const chain = ancestry(agency);
          const index = chain.indexOf(query.agency);
          key = index <= 0 ? query.agency : (chain[index - 1] as string);
        }
        let row = rows.get(key);
        if (row === undefined) {
          row = emptyFigures();
          rows.set(key, row);
        }
        addTo(row, dossier, placement);
        addTo(total, dossier, placement);
      }
      return {
        rows: [...rows.keys()]
          .sort(compareText)
          .map((key) => ({ key, ...toCells(rows.get(key) as Figures) }))
          .filter((row) => row.received.total + row.resolved.total + row.pending.total > 0),
        total: toCells(total),
      };
    },

    overdue(query = {}) {
      const now = toMillis(query.now);
      const to = query.to ?? localDateOf(now);
      const period = periodOf(to, to, now);
      const out: OverdueDossier[] = [];
      for (const { dossier, agency } of selected({ agency: query.agency, restate: query.restate })) {
        const placement = place(dossier, period);
        if (placement?.pending !== 'overdue' || placement.due === null) continue;
        out.push({
          code: dossier.code,
          agencyCode: agency,
          procedureCode: dossier.procedureCode,
          dueAt: formatInstant(placement.due),
          dueDate: localDateOf(placement.due),
        });
      }
      return out;
    },

    dossiers: () => sortedCodes.map((code) => publicDossier(counted.get(code) as Counted)),
    dossier(code) {
      const dossier = counted.get(code);
      return dossier === undefined ? undefined : publicDossier(dossier);
    },
    excluded: () => new Map(excluded),
    conflicts: () => [...conflicts],
  };
}
