import { parseInstant } from '@tthc/calendar';
import { generateDossierEvents, shuffled } from '@tthc/testing';
import {
  buildOracle,
  type Figures,
  type OracleAgency,
  type OracleInput,
  type OraclePostedEvent,
  type OracleProcedure,
} from './oracle';

/**
 * Hand-worked scenarios: every expected figure below is worked out from the docs/counting-rules.md text (the
 * reasoning is in the comments), not from running any code. 2017 calendar: 2017-03 has no holiday;
 * Thu 2017-04-06 (Giỗ Tổ), Mon 2017-05-01 and Tue 2017-05-02 are days off.
 */

const ROOT = '000.00.00.H99';
const D1 = '000.00.01.H99';
const D2 = '000.00.02.H99';
const C11 = '000.01.01.H99';
const C12 = '000.01.02.H99';
const C21 = '000.02.01.H99';
const C22 = '000.02.02.H99';
/** Ceased commune of district 2, merged into C11 of district 1. */
const OLD = '000.02.03.H99';
/** Ceased earlier, merged into OLD: restating follows both links. */
const OLDER = '000.02.04.H99';

const agencies: OracleAgency[] = [
  { code: ROOT, name: 'Tỉnh', parentCode: null, level: 'province' },
  { code: D1, name: 'Huyện 1', parentCode: ROOT, level: 'district' },
  { code: D2, name: 'Huyện 2', parentCode: ROOT, level: 'district' },
  { code: C11, name: 'Xã 1', parentCode: D1, level: 'commune' },
  { code: C12, name: 'Xã 2', parentCode: D1, level: 'commune' },
  { code: C21, name: 'Xã 3', parentCode: D2, level: 'commune' },
  { code: C22, name: 'Xã 4', parentCode: D2, level: 'commune' },
  { code: OLD, name: 'Xã cũ', parentCode: D2, level: 'commune', validTo: '2025-06-30', successorCode: C11 },
  { code: OLDER, name: 'Xã cũ hơn', parentCode: D2, level: 'commune', validTo: '2020-12-31', successorCode: OLD },
];

const procedures: OracleProcedure[] = [
  { code: '1.000001', name: 'Chứng thực', fieldCode: 'G01-TP', processingTime: { value: 1, unit: 'working_days' } },
  { code: '1.000002', name: 'Đất đai', fieldCode: 'G02-DD', processingTime: { value: 10, unit: 'working_days' } },
  { code: '1.000003', name: 'Hộ tịch', fieldCode: 'G01-TP', processingTime: null },
  { code: '1.000004', name: 'Trong ngày', fieldCode: 'G01-TP', processingTime: { value: 4, unit: 'working_hours' } },
  { code: '1.000005', name: 'Lịch', fieldCode: 'G02-DD', processingTime: { value: 10, unit: 'calendar_days' } },
];
const P1 = '1.000001'; // 1 working day
const P10 = '1.000002'; // 10 working days
const PNONE = '1.000003'; // no processing time
const P4H = '1.000004'; // 4 working hours
const P10C = '1.000005'; // 10 calendar days

const fields = [
  { code: 'G01-TP', name: 'Tư pháp' },
  { code: 'G02-DD', name: 'Đất đai' },
];

const NOW = '2018-01-01T00:00:00+07:00';

/** Builds the events of one dossier with ids `<code>:<n>` from the desk `desk-1`. */
function dossier(code: string, ...steps: Array<[type: string, at: string, data?: Record<string, unknown>]>) {
  return steps.map(([type, at, data], index): OraclePostedEvent => ({
    desk: 'desk-1',
    event: { eventId: `${code}:${index}`, type, occurredAt: `${at}:00+07:00`, dossierCode: code, data: data ?? {} },
  }));
}

function received(procedureCode: string, agencyCode = C11, channel = 'in_person', extra: Record<string, unknown> = {}) {
  return { procedureCode, agencyCode, channel, ...extra };
}

function oracleOf(...events: OraclePostedEvent[][]) {
  return buildOracle({ agencies, fields, procedures, events: events.flat() });
}

const MARCH = { from: '2017-03-01', to: '2017-03-31', now: NOW };
const APRIL = { from: '2017-04-01', to: '2017-04-30', now: NOW };

/** Expected figures from the counts only (rates computed by the formulas of docs/counting-rules.md §7). */
function expected(counts: {
  carriedOver?: number;
  online?: number;
  in_person?: number;
  postal?: number;
  early?: number;
  onTime?: number;
  late?: number;
  withdrawn?: number;
  withinDeadline?: number;
  overdue?: number;
}): Figures {
  const c = {
    carriedOver: 0,
    online: 0,
    in_person: 0,
    postal: 0,
    early: 0,
    onTime: 0,
    late: 0,
    withdrawn: 0,
    withinDeadline: 0,
    overdue: 0,
    ...counts,
  };
  const fresh = c.online + c.in_person + c.postal;
  const resolved = c.early + c.onTime + c.late;
  const rate = (n: number, d: number) => (d === 0 ? null : n / d);
  return {
    received: {
      total: c.carriedOver + fresh,
      carriedOver: c.carriedOver,
      new: fresh,
      newByChannel: { online: c.online, in_person: c.in_person, postal: c.postal },
    },
    resolved: { total: resolved, early: c.early, onTime: c.onTime, late: c.late, withdrawn: c.withdrawn },
    pending: { total: c.withinDeadline + c.overdue, withinDeadline: c.withinDeadline, overdue: c.overdue },
    onTimeRate: {
      resolved: rate(c.early + c.onTime, resolved),
      due: rate(c.early + c.onTime, resolved + c.overdue),
      all: rate(c.early + c.onTime + c.withinDeadline, c.carriedOver + fresh),
    },
  };
}

describe('oracle: outcomes', () => {
  // Received Tue 2017-03-14 09:00, 10 working days: the clock starts at 09:00 (inside a session,
  // before 15:00); 10 × 8 h later is Tue 2017-03-28 09:00 (14→28 is 10 working days, no holiday).
  const A = dossier(
    'A',
    ['dossier.received', '2017-03-14T09:00', received(P10, C11, 'online')],
    ['dossier.resolved', '2017-03-27T10:00', { outcome: 'approved' }],
  );
  const B = dossier(
    'B',
    ['dossier.received', '2017-03-14T09:00', received(P10, C11, 'in_person')],
    ['dossier.resolved', '2017-03-28T16:00', { outcome: 'approved' }],
  );
  const C = dossier(
    'C',
    ['dossier.received', '2017-03-14T09:00', received(P10, C11, 'postal')],
    ['dossier.returned', '2017-03-29T08:00'],
  );

  it('computes the due date and classifies early / on time / late by local dates', () => {
    const oracle = oracleOf(A, B, C);
    expect(oracle.dossier('A')?.due).toBe(parseInstant('2017-03-28T09:00:00+07:00'));
    expect(oracle.dossier('A')?.outcome).toBe('early');
    expect(oracle.dossier('B')?.outcome).toBe('onTime'); // 16:00 on the due date is still the due date
    expect(oracle.dossier('C')?.outcome).toBe('late');
    expect(oracle.figures(MARCH)).toEqual(
      expected({ online: 1, in_person: 1, postal: 1, early: 1, onTime: 1, late: 1 }),
    );
  });

  it('takes the earliest of resolved / returned / withdrawn as the finish', () => {
    // returned 03-27 then resolved 03-29 (and withdrawn later): finish 03-27 → early.
    const events = dossier(
      'F',
      ['dossier.received', '2017-03-14T09:00', received(P10)],
      ['dossier.resolved', '2017-03-29T09:00', { outcome: 'approved' }],
      ['dossier.returned', '2017-03-27T09:00'],
      ['dossier.withdrawn', '2017-03-30T09:00'],
    );
    const oracle = oracleOf(events);
    expect(oracle.dossier('F')?.finishKind).toBe('returned');
    expect(oracle.figures(MARCH)).toEqual(expected({ in_person: 1, early: 1 }));
  });

  it('counts a withdrawal as on time and as withdrawn, whatever the due date', () => {
    // Due 03-28; withdrawn 04-20 (would be late), counted on time in April.
    const W = dossier(
      'W',
      ['dossier.received', '2017-03-14T09:00', received(P10)],
      ['dossier.withdrawn', '2017-04-20T10:00'],
    );
    const oracle = oracleOf(W);
    expect(oracle.figures(APRIL)).toEqual(expected({ carriedOver: 1, onTime: 1, withdrawn: 1 }));
  });

  it('counts a procedure without processing time as on time and never overdue', () => {
    const N = dossier(
      'N',
      ['dossier.received', '2017-03-01T09:00', received(PNONE)],
      ['dossier.resolved', '2017-12-01T09:00', { outcome: 'approved' }],
    );
    const oracle = oracleOf(N);
    expect(oracle.dossier('N')?.due).toBeNull();
    // Pending at the end of March with no due date: within deadline.
    expect(oracle.figures(MARCH)).toEqual(expected({ in_person: 1, withinDeadline: 1 }));
    expect(oracle.figures({ from: '2017-12-01', to: '2017-12-31', now: NOW })).toEqual(
      expected({ carriedOver: 1, onTime: 1 }),
    );
  });

  it('uses the dueAt printed on the receipt instead of the processing time', () => {
    const G = dossier(
      'G',
      ['dossier.received', '2017-03-14T09:00', received(P10, C11, 'in_person', { dueAt: '2017-03-16T17:00:00+07:00' })],
      ['dossier.resolved', '2017-03-17T09:00', { outcome: 'approved' }],
    );
    expect(oracleOf(G).dossier('G')?.outcome).toBe('late');
  });

  it('applies the session and 15:00 cut-off rules (4 working hours)', () => {
    // Wed 03-01 10:00 → 1.5 h to 11:30, 2.5 h from 13:30 → due 03-01 16:00; resolved 03-01 17:30 → on time.
    const H1 = dossier(
      'H1',
      ['dossier.received', '2017-03-01T10:00', received(P4H)],
      ['dossier.resolved', '2017-03-01T17:30', { outcome: 'approved' }],
    );
    // Wed 03-01 15:00 (cut-off) → clock Thu 03-02 07:00 → due Thu 11:00; resolved Wed 17:30 → early.
    const H2 = dossier(
      'H2',
      ['dossier.received', '2017-03-01T15:00', received(P4H)],
      ['dossier.resolved', '2017-03-01T17:30', { outcome: 'approved' }],
    );
    // Fri 03-03 16:00 → clock Mon 03-06 07:00 → due Mon 11:00; resolved Mon 03-06 16:00 → on time.
    const H3 = dossier(
      'H3',
      ['dossier.received', '2017-03-03T16:00', received(P4H)],
      ['dossier.resolved', '2017-03-06T16:00', { outcome: 'approved' }],
    );
    // Received during lunch Wed 12:00 → clock 13:30; 3.5 h to 17:00, 0.5 h more → Thu 03-02 07:30; resolved Wed → early.
    const H4 = dossier(
      'H4',
      ['dossier.received', '2017-03-01T12:00', received(P4H)],
      ['dossier.resolved', '2017-03-01T17:30', { outcome: 'approved' }],
    );
    const oracle = oracleOf(H1, H2, H3, H4);
    expect(oracle.dossier('H1')?.due).toBe(parseInstant('2017-03-01T16:00:00+07:00'));
    expect(oracle.dossier('H2')?.due).toBe(parseInstant('2017-03-02T11:00:00+07:00'));
    expect(oracle.dossier('H3')?.due).toBe(parseInstant('2017-03-06T11:00:00+07:00'));
    expect(oracle.dossier('H4')?.due).toBe(parseInstant('2017-03-02T07:30:00+07:00'));
    expect(oracle.figures(MARCH)).toEqual(expected({ in_person: 4, early: 2, onTime: 2 }));
  });

  it('applies the calendar_days rule, moving a day off to the next working day', () => {
    // Fri 2017-04-21 09:00 + 10 days = Mon 05-01 (holiday), 05-02 (holiday) → Wed 05-03 17:00.
    const K1 = dossier(
      'K1',
      ['dossier.received', '2017-04-21T09:00', received(P10C)],
      ['dossier.resolved', '2017-05-03T16:00', { outcome: 'approved' }],
    );
    const K2 = dossier(
      'K2',
      ['dossier.received', '2017-04-21T09:00', received(P10C)],
      ['dossier.resolved', '2017-05-04T08:00', { outcome: 'approved' }],
    );
    const oracle = oracleOf(K1, K2);
    expect(oracle.dossier('K1')?.due).toBe(parseInstant('2017-05-03T17:00:00+07:00'));
    expect(oracle.figures({ from: '2017-05-01', to: '2017-05-31', now: NOW })).toEqual(
      expected({ carriedOver: 2, onTime: 1, late: 1 }),
    );
  });

  it('uses an uploaded calendar year instead of the default table', () => {
    // With 2017-03-20 … 03-24 declared holidays, the due of A-like dossier moves a week: 2017-04-04 09:00.
    const A2 = dossier(
      'A2',
      ['dossier.received', '2017-03-14T09:00', received(P10)],
      ['dossier.resolved', '2017-03-30T10:00', { outcome: 'approved' }],
    );
    const holidays = ['2017-03-20', '2017-03-21', '2017-03-22', '2017-03-23', '2017-03-24'];
    const oracle = buildOracle({
      agencies,
      fields,
      procedures,
      calendars: [{ year: 2017, holidays, workingSaturdays: [] }],
      events: A2,
    });
    expect(oracle.dossier('A2')?.due).toBe(parseInstant('2017-04-04T09:00:00+07:00'));
    expect(oracle.dossier('A2')?.outcome).toBe('early');
    // The upload replaces the default table: 04-06 is a working day now, which does not matter here.
  });
});

describe('oracle: periods', () => {
  it('carries a dossier over a period boundary', () => {
    // Thu 03-30 10:00 + 10 working days: 31, 3, 4, 5, (Thu 04-06 off), 7, 10, 11, 12, 13, 14 → Fri 04-14 10:00;
    // resolved 04-05 → early.
    const X = dossier(
      'X',
      ['dossier.received', '2017-03-30T10:00', received(P10, C11, 'online')],
      ['dossier.resolved', '2017-04-05T10:00', { outcome: 'approved' }],
    );
    const oracle = oracleOf(X);
    expect(oracle.dossier('X')?.due).toBe(parseInstant('2017-04-14T10:00:00+07:00'));
    expect(oracle.figures(MARCH)).toEqual(expected({ online: 1, withinDeadline: 1 }));
    expect(oracle.figures(APRIL)).toEqual(expected({ carriedOver: 1, early: 1 }));
    expect(oracle.figures({ from: '2017-05-01', to: '2017-05-31', now: NOW })).toEqual(expected({}));
    // A period before the receipt sees nothing.
    expect(oracle.figures({ from: '2017-02-01', to: '2017-02-28', now: NOW })).toEqual(expected({}));
  });

  it('judges a past period on the due date in force at its end, whatever happened later', () => {
    // 1 working day from Wed 03-01 09:00 → due Thu 03-02 09:00; resolved late on 04-10.
    const L = dossier(
      'L',
      ['dossier.received', '2017-03-01T09:00', received(P1)],
      ['dossier.resolved', '2017-04-10T09:00', { outcome: 'approved' }],
    );
    const oracle = oracleOf(L);
    expect(oracle.figures(MARCH)).toEqual(expected({ in_person: 1, overdue: 1 }));
    expect(oracle.figures(APRIL)).toEqual(expected({ carriedOver: 1, late: 1 }));
    // Period ending 03-01: asOf 03-02, due 03-02 is not before it → within deadline.
    expect(oracle.figures({ from: '2017-03-01', to: '2017-03-01', now: NOW })).toEqual(
      expected({ in_person: 1, withinDeadline: 1 }),
    );
    // Ending 03-02: asOf 03-03 → overdue.
    expect(oracle.figures({ from: '2017-03-01', to: '2017-03-02', now: NOW })).toEqual(
      expected({ in_person: 1, overdue: 1 }),
    );
    // A period reaching "now" (Thu 03-02 12:00): asOf = now, its date 03-02 → not yet overdue.
    expect(oracle.figures({ ...MARCH, now: '2017-03-02T12:00:00+07:00' })).toEqual(
      expected({ in_person: 1, withinDeadline: 1 }),
    );
  });

  it('ignores a pause or a supplement request that came after the period end', () => {
    const M = dossier(
      'M',
      ['dossier.received', '2017-03-01T09:00', received(P1)],
      ['dossier.paused', '2017-04-03T09:00', { reason: 'other' }],
      ['dossier.resumed', '2017-04-20T09:00'],
    );
    expect(oracleOf(M).figures(MARCH)).toEqual(expected({ in_person: 1, overdue: 1 }));
  });

  it('counts a dossier paused at the period end within deadline', () => {
    // Due Thu 03-02 09:00, paused Mon 03-20 10:00, resumed Wed 04-05 10:00.
    // Pause: Mon 03-20 5 h + Tue 21 … Fri 31 (9 days) 72 h + Mon 04-03, Tue 04-04 16 h + Wed 04-05 3 h = 96 h
    // = 12 working days → due Mon 03-20 09:00 (02 + 12 working days), still overdue at the end of April.
    const P = dossier(
      'P',
      ['dossier.received', '2017-03-01T09:00', received(P1)],
      ['dossier.paused', '2017-03-20T10:00', { reason: 'financial_obligation' }],
      ['dossier.resumed', '2017-04-05T10:00'],
    );
    const oracle = oracleOf(P);
    expect(oracle.figures(MARCH)).toEqual(expected({ in_person: 1, withinDeadline: 1 }));
    expect(oracle.dossier('P')?.due).toBe(parseInstant('2017-03-20T09:00:00+07:00'));
    expect(oracle.figures(APRIL)).toEqual(expected({ carriedOver: 1, overdue: 1 }));
  });

  it('counts a dossier waiting for a supplement at the period end within deadline', () => {
    const S = dossier(
      'S',
      ['dossier.received', '2017-03-01T09:00', received(P1)],
      ['dossier.supplement_requested', '2017-03-01T10:00', { reason: 'thiếu giấy tờ' }],
    );
    expect(oracleOf(S).figures(MARCH)).toEqual(expected({ in_person: 1, withinDeadline: 1 }));
    expect(oracleOf(S).overdue({ to: '2017-03-31', now: NOW })).toEqual([]);
  });

  it('lists the pending overdue dossiers', () => {
    const L = dossier('L', ['dossier.received', '2017-03-01T09:00', received(P1, C21)]);
    const M = dossier('M', ['dossier.received', '2017-03-01T09:00', received(P10, C11)]);
    const oracle = oracleOf(L, M);
    // As of Fri 2017-03-10 12:00: L (due 03-02) is overdue, M (due 03-15) is not.
    expect(oracle.overdue({ now: '2017-03-10T12:00:00+07:00' })).toEqual([
      { code: 'L', agencyCode: C21, procedureCode: P1, dueAt: '2017-03-02T09:00:00+07:00', dueDate: '2017-03-02' },
    ]);
    expect(oracle.overdue({ now: '2017-03-10T12:00:00+07:00', agency: D1 })).toEqual([]);
    expect(oracle.overdue({ now: NOW }).map((item) => item.code)).toEqual(['L', 'M']);
  });
});

describe('oracle: clock changes', () => {
  it('restarts the clock at supplement_received', () => {
    // Wed 03-01 09:00 → due 03-15 09:00. Supplement received Mon 03-13 14:00 → clock restarts there:
    // 10 working days → Mon 03-27 14:00. Resolved 03-24 → early (would be late on the first due).
    const R1 = dossier(
      'R1',
      ['dossier.received', '2017-03-01T09:00', received(P10)],
      ['dossier.supplement_requested', '2017-03-03T10:00'],
      ['dossier.supplement_received', '2017-03-13T14:00'],
      ['dossier.resolved', '2017-03-24T09:00', { outcome: 'approved' }],
    );
    // Supplement received Mon 03-13 15:30, after the cut-off → Tue 03-14 07:00 → Mon 03-27 17:00.
    const R2 = dossier(
      'R2',
      ['dossier.received', '2017-03-01T09:00', received(P10)],
      ['dossier.supplement_requested', '2017-03-03T10:00'],
      ['dossier.supplement_received', '2017-03-13T15:30'],
      ['dossier.resolved', '2017-03-27T16:30', { outcome: 'approved' }],
    );
    // The desk printed the new due: 03-17 → resolved 03-20 is late.
    const R3 = dossier(
      'R3',
      ['dossier.received', '2017-03-01T09:00', received(P10)],
      ['dossier.supplement_requested', '2017-03-03T10:00'],
      ['dossier.supplement_received', '2017-03-13T14:00', { dueAt: '2017-03-17T17:00:00+07:00' }],
      ['dossier.resolved', '2017-03-20T09:00', { outcome: 'approved' }],
    );
    const oracle = oracleOf(R1, R2, R3);
    expect(oracle.dossier('R1')?.due).toBe(parseInstant('2017-03-27T14:00:00+07:00'));
    expect(oracle.dossier('R2')?.due).toBe(parseInstant('2017-03-27T17:00:00+07:00'));
    expect(oracle.figures(MARCH)).toEqual(expected({ in_person: 3, early: 1, onTime: 1, late: 1 }));
  });

  it('pushes the due date by the working time of a pause', () => {
    // Tue 03-14 09:00 → due Tue 03-28 09:00. Paused Thu 16 16:00 → resumed Mon 20 08:00: 1 h + 8 h + 1 h = 10 h.
    // 03-28 09:00 + 10 h: 6 h to 17:00, then Wed 03-29 07:00 + 4 h = 11:00. Resolved 03-29 10:00 → on time.
    const Q = dossier(
      'Q',
      ['dossier.received', '2017-03-14T09:00', received(P10)],
      ['dossier.paused', '2017-03-16T16:00', { reason: 'financial_obligation' }],
      ['dossier.resumed', '2017-03-20T08:00'],
      ['dossier.resolved', '2017-03-29T10:00', { outcome: 'approved' }],
    );
    const oracle = oracleOf(Q);
    expect(oracle.dossier('Q')?.due).toBe(parseInstant('2017-03-29T11:00:00+07:00'));
    expect(oracle.figures(MARCH)).toEqual(expected({ in_person: 1, onTime: 1 }));
  });

  it('does not move the due date on rescheduled', () => {
    const T = dossier(
      'T',
      ['dossier.received', '2017-03-14T09:00', received(P10)],
      ['dossier.rescheduled', '2017-03-27T09:00', { newDueAt: '2017-04-10T17:00:00+07:00', reason: 'xin lỗi' }],
      ['dossier.resolved', '2017-03-30T09:00', { outcome: 'approved' }],
    );
    expect(oracleOf(T).figures(MARCH)).toEqual(expected({ in_person: 1, late: 1 }));
  });
});

describe('oracle: counting policies (docs/oracle.md §5)', () => {
  const withPolicies = (policies: OracleInput['policies'], ...events: OraclePostedEvent[][]) =>
    buildOracle({ agencies, fields, procedures, events: events.flat(), policies });

  // Wed 03-01 09:00, 10 working days → due Wed 03-15 09:00. Supplement requested Fri 03-03 10:00,
  // received Mon 03-13 14:00: the wait is Fri 1.5 h + 3.5 h = 5 h, Mon–Fri 03-06..03-10 5 × 8 h
  // = 40 h, Mon 03-13 4.5 h + 0.5 h = 5 h → 50 h = 6 working days + 2 h.
  const S = () =>
    dossier(
      'S',
      ['dossier.received', '2017-03-01T09:00', received(P10)],
      ['dossier.supplement_requested', '2017-03-03T10:00'],
      ['dossier.supplement_received', '2017-03-13T14:00'],
      ['dossier.resolved', '2017-03-24T09:00', { outcome: 'approved' }],
    );

  it('supplement subtract: adds the supplement wait to the initial due instead of restarting', () => {
    // 03-15 09:00 + 6 working days = Thu 03-23 09:00, + 2 h = 11:00. Resolved 03-24 → late
    // (restart: due 03-27 14:00 → early).
    const subtract = withPolicies({ supplement: 'subtract' }, S());
    expect(subtract.dossier('S')?.due).toBe(parseInstant('2017-03-23T11:00:00+07:00'));
    expect(subtract.figures(MARCH)).toEqual(expected({ in_person: 1, late: 1 }));
    expect(withPolicies({}, S()).figures(MARCH)).toEqual(expected({ in_person: 1, early: 1 }));
  });

  it('supplement subtract: ignores the due printed with the supplement and a receipt without a request', () => {
    const printed = dossier(
      'S2',
      ['dossier.received', '2017-03-01T09:00', received(P10)],
      ['dossier.supplement_received', '2017-03-13T14:00', { dueAt: '2017-03-31T17:00:00+07:00' }],
    );
    // No supplement wait: the due stays 03-15 09:00.
    expect(withPolicies({ supplement: 'subtract' }, printed).dossier('S2')?.due).toBe(
      parseInstant('2017-03-15T09:00:00+07:00'),
    );
  });

  it('rescheduled honoured: the first re-date becomes the due from the instant it is recorded', () => {
    // Due 03-28 09:00; re-dated on 03-27 to 04-10 17:00; resolved 03-30 → early (ignored: late).
    // A second re-date (to 03-29) does not count.
    const T = dossier(
      'T',
      ['dossier.received', '2017-03-14T09:00', received(P10)],
      ['dossier.rescheduled', '2017-03-27T09:00', { newDueAt: '2017-04-10T17:00:00+07:00', reason: 'xin lỗi' }],
      ['dossier.rescheduled', '2017-03-28T09:00', { newDueAt: '2017-03-29T17:00:00+07:00', reason: 'lần 2' }],
      ['dossier.resolved', '2017-03-30T09:00', { outcome: 'approved' }],
    );
    const honoured = withPolicies({ rescheduledDue: 'honoured' }, T);
    expect(honoured.dossier('T')?.due).toBe(parseInstant('2017-04-10T17:00:00+07:00'));
    expect(honoured.figures(MARCH)).toEqual(expected({ in_person: 1, early: 1 }));
    expect(withPolicies({ rescheduledDue: 'ignored' }, T).figures(MARCH)).toEqual(expected({ in_person: 1, late: 1 }));
  });

  it('rescheduled honoured: a pending dossier re-dated past the period end is within deadline', () => {
    // Due 03-28 09:00 (overdue at the end of March), re-dated on 03-27 to 04-10: within deadline.
    const U = dossier(
      'U',
      ['dossier.received', '2017-03-14T09:00', received(P10)],
      ['dossier.rescheduled', '2017-03-27T09:00', { newDueAt: '2017-04-10T17:00:00+07:00', reason: 'xin lỗi' }],
    );
    const march = { from: '2017-03-01', to: '2017-03-31', now: '2017-04-01T10:00:00+07:00' };
    expect(withPolicies({ rescheduledDue: 'honoured' }, U).figures(march).pending).toEqual({
      total: 1,
      withinDeadline: 1,
      overdue: 0,
    });
    expect(withPolicies({}, U).figures(march).pending).toEqual({ total: 1, withinDeadline: 0, overdue: 1 });
    expect(withPolicies({ rescheduledDue: 'honoured' }, U).overdue({ now: '2017-04-01T10:00:00+07:00' })).toEqual([]);
    expect(withPolicies({}, U).overdue({ now: '2017-04-01T10:00:00+07:00' })).toHaveLength(1);
  });

  it('rescheduled honoured with subtract: a later supplement wait extends the re-dated due', () => {
    // Re-dated on 03-02 to Fri 03-17 17:00; supplement wait Fri 03-03 10:00 → Mon 03-13 14:00 = 50 h
    // (6 working days + 2 h): 03-17 17:00 + 6 days = Mon 03-27 17:00, + 2 h = Tue 03-28 09:00.
    const V = dossier(
      'V',
      ['dossier.received', '2017-03-01T09:00', received(P10)],
      ['dossier.rescheduled', '2017-03-02T09:00', { newDueAt: '2017-03-17T17:00:00+07:00', reason: 'xin lỗi' }],
      ['dossier.supplement_requested', '2017-03-03T10:00'],
      ['dossier.supplement_received', '2017-03-13T14:00'],
    );
    expect(withPolicies({ rescheduledDue: 'honoured', supplement: 'subtract' }, V).dossier('V')?.due).toBe(
      parseInstant('2017-03-28T09:00:00+07:00'),
    );
  });

  it('outcome by session: the same day can be early or late by half-day session', () => {
    // 4 working hours from Wed 03-01 07:00 → due 11:00 (morning session of 03-01).
    const M1 = dossier(
      'M1',
      ['dossier.received', '2017-03-01T07:00', received(P4H)],
      ['dossier.resolved', '2017-03-01T14:00', { outcome: 'approved' }],
    );
    // Received Wed 03-01 09:30: 2 h to 11:30, 2 h from 13:30 → due 15:30 (afternoon); resolved 10:00 → early.
    const M2 = dossier(
      'M2',
      ['dossier.received', '2017-03-01T09:30', received(P4H)],
      ['dossier.resolved', '2017-03-01T10:00', { outcome: 'approved' }],
    );
    // Resolved at lunch (12:00) belongs to the afternoon session; due 11:00 → late by session.
    const M3 = dossier(
      'M3',
      ['dossier.received', '2017-03-01T07:00', received(P4H)],
      ['dossier.resolved', '2017-03-01T12:00', { outcome: 'approved' }],
    );
    const bySession = withPolicies({ outcomeBy: 'session' }, M1, M2, M3);
    expect(bySession.dossier('M1')?.outcome).toBe('late');
    expect(bySession.dossier('M2')?.outcome).toBe('early');
    expect(bySession.dossier('M3')?.outcome).toBe('late');
    const byDate = withPolicies({}, M1, M2, M3);
    expect([byDate.dossier('M1')?.outcome, byDate.dossier('M2')?.outcome, byDate.dossier('M3')?.outcome]).toEqual([
      'onTime',
      'onTime',
      'onTime',
    ]);
  });

  it('outcome by session: finishing at the end of the due session (17:00) is on time, after it late', () => {
    // Received Wed 03-01 13:00 → clock 13:30, 3.5 h to 17:00, 0.5 h → due Thu 03-02 07:30 (morning).
    const N1 = dossier(
      'N1',
      ['dossier.received', '2017-03-01T13:00', received(P4H)],
      ['dossier.resolved', '2017-03-02T11:30', { outcome: 'approved' }],
    );
    // Resolved Wed 03-01 17:30 (after 17:00): the next session, Thu morning → on time.
    const N2 = dossier(
      'N2',
      ['dossier.received', '2017-03-01T13:00', received(P4H)],
      ['dossier.resolved', '2017-03-01T17:30', { outcome: 'approved' }],
    );
    const bySession = withPolicies({ outcomeBy: 'session' }, N1, N2);
    expect(bySession.dossier('N1')?.outcome).toBe('onTime');
    expect(bySession.dossier('N2')?.outcome).toBe('onTime');
  });
});

describe('oracle: exclusions and attribution', () => {
  it('excludes voided dossiers from every figure, even a finished one', () => {
    const V1 = dossier(
      'V1',
      ['dossier.received', '2017-03-14T09:00', received(P10)],
      ['dossier.resolved', '2017-03-20T09:00', { outcome: 'approved' }],
      ['dossier.voided', '2017-03-21T09:00', { reason: 'nhập sai' }],
    );
    const V2 = dossier(
      'V2',
      ['dossier.received', '2017-03-14T09:00', received(P10)],
      ['dossier.voided', '2017-05-21T09:00', { reason: 'nhập sai' }],
    );
    const oracle = oracleOf(V1, V2);
    expect(oracle.figures(MARCH)).toEqual(expected({}));
    expect(oracle.excluded()).toEqual(
      new Map([
        ['V1', 'voided'],
        ['V2', 'voided'],
      ]),
    );
  });

  it('excludes dossiers rejected and never received, but counts one received after a rejection', () => {
    const J1 = dossier('J1', ['dossier.rejected', '2017-03-14T09:00', { reason: 'thiếu' }]);
    const J2 = dossier(
      'J2',
      ['dossier.rejected', '2017-03-14T09:00'],
      ['dossier.received', '2017-03-15T09:00', received(P10)],
    );
    const oracle = oracleOf(J1, J2);
    // J2: due Wed 03-29 09:00, still open at the end of March → overdue.
    expect(oracle.figures(MARCH)).toEqual(expected({ in_person: 1, overdue: 1 }));
    expect(oracle.excluded().get('J1')).toBe('rejected');
  });

  it('attributes a transferred dossier to its latest agency', () => {
    const T = dossier(
      'T',
      ['dossier.received', '2017-03-14T09:00', received(P10, C11)],
      ['dossier.transferred', '2017-03-15T09:00', { toAgencyCode: C21 }],
      ['dossier.resolved', '2017-03-20T09:00', { outcome: 'approved' }],
    );
    const oracle = oracleOf(T);
    expect(oracle.figures({ ...MARCH, agency: D1 })).toEqual(expected({}));
    expect(oracle.figures({ ...MARCH, agency: D2 })).toEqual(expected({ in_person: 1, early: 1 }));
    expect(oracle.figures({ ...MARCH, agency: C21 })).toEqual(expected({ in_person: 1, early: 1 }));
    expect(oracle.figures({ ...MARCH, agency: ROOT })).toEqual(expected({ in_person: 1, early: 1 }));
    // Even for a period ending before the transfer (attribution is the latest agency).
    expect(oracle.figures({ from: '2017-03-14', to: '2017-03-14', now: NOW, agency: D2 })).toEqual(
      expected({ in_person: 1, withinDeadline: 1 }),
    );
  });

  it('filters by field (event field code or the procedure’s), procedure and channel', () => {
    const F1 = dossier('F1', ['dossier.received', '2017-03-14T09:00', received(P10, C11, 'online')]);
    const F2 = dossier('F2', [
      'dossier.received',
      '2017-03-14T09:00',
      received(P10, C11, 'postal', { fieldCode: 'G01-TP' }),
    ]);
    const F3 = dossier('F3', ['dossier.received', '2017-03-14T09:00', received(P1, C12, 'online')]);
    const oracle = oracleOf(F1, F2, F3);
    expect(oracle.figures({ ...MARCH, field: 'G01-TP' }).received.new).toBe(2);
    expect(oracle.figures({ ...MARCH, field: 'G02-DD' }).received.new).toBe(1);
    expect(oracle.figures({ ...MARCH, procedure: P10 }).received.new).toBe(2);
    expect(oracle.figures({ ...MARCH, channel: 'online' }).received.new).toBe(2);
    expect(oracle.figures({ ...MARCH, channel: 'online', agency: C12 }).received.new).toBe(1);
  });

  it('restates a ceased agency to its successor (following the links to the end)', () => {
    const O1 = dossier('O1', ['dossier.received', '2017-03-14T09:00', received(P10, OLD)]);
    const O2 = dossier('O2', ['dossier.received', '2017-03-14T09:00', received(P10, OLDER)]);
    const oracle = oracleOf(O1, O2);
    expect(oracle.figures({ ...MARCH, agency: D2 }).received.new).toBe(2);
    expect(oracle.figures({ ...MARCH, agency: D1 }).received.new).toBe(0);
    expect(oracle.figures({ ...MARCH, agency: D2, restate: true }).received.new).toBe(0);
    expect(oracle.figures({ ...MARCH, agency: D1, restate: true }).received.new).toBe(2);
    expect(oracle.figures({ ...MARCH, agency: C11, restate: true }).received.new).toBe(2);
    const rows = oracle.form06a({ ...MARCH, agency: D1, rows: 'agency', restate: true }).rows;
    expect(rows.map((row) => [row.key, row.received.total])).toEqual([[C11, 2]]);
  });
});

describe('oracle: duplicates and order', () => {
  it('counts an identical re-post once and keeps the first of two differing copies', () => {
    const events = dossier(
      'D',
      ['dossier.received', '2017-03-14T09:00', received(P10)],
      ['dossier.resolved', '2017-03-20T09:00', { outcome: 'approved' }],
    );
    const [receipt, resolution] = events as [OraclePostedEvent, OraclePostedEvent];
    // The same resolution re-posted with its keys in another order: a true duplicate.
    const reordered: OraclePostedEvent = {
      desk: 'desk-1',
      event: {
        data: { outcome: 'approved' },
        dossierCode: 'D',
        occurredAt: resolution.event.occurredAt,
        type: 'dossier.resolved',
        eventId: resolution.event.eventId,
      },
    };
    // A differing copy of the resolution (a later, late finish): kept out.
    const differing: OraclePostedEvent = {
      desk: 'desk-1',
      event: { ...resolution.event, occurredAt: '2017-04-20T09:00:00+07:00' },
    };
    const oracle = oracleOf([receipt, resolution, reordered, receipt, differing]);
    expect(oracle.figures(MARCH)).toEqual(expected({ in_person: 1, early: 1 }));
    expect(oracle.conflicts()).toEqual([{ desk: 'desk-1', eventId: 'D:1', dossierCode: 'D' }]);
    // The differing copy arriving first wins instead.
    const other = oracleOf([receipt, differing, resolution]);
    expect(other.figures(MARCH)).toEqual(expected({ in_person: 1, overdue: 1 })); // due 03-28, open at 03-31
    // The same eventId from another desk is another event: both count (the earlier finish wins).
    const twoDesks = oracleOf([receipt, { desk: 'desk-2', event: differing.event }, resolution]);
    expect(twoDesks.figures(MARCH)).toEqual(expected({ in_person: 1, early: 1 }));
  });

  it('ignores events sorted before the receipt', () => {
    // A resolution dated before the receipt is an impossible sequence: ignored, the dossier stays open.
    const E = dossier(
      'E',
      ['dossier.resolved', '2017-03-13T09:00', { outcome: 'approved' }],
      ['dossier.received', '2017-03-14T09:00', received(P10)],
    );
    // Due Tue 03-28, open at the end of March → overdue.
    expect(oracleOf(E).figures(MARCH)).toEqual(expected({ in_person: 1, overdue: 1 }));
  });

  it('breaks ties on occurredAt by lifecycle order (a restart before a resolution at the same instant)', () => {
    // Due 03-15; the supplement arrives at the very instant of the resolution (Mon 03-20 10:00):
    // the restart comes first → due 03-20 + 10 working days = Mon 04-03 10:00 → early (else late).
    const Z = dossier(
      'Z',
      ['dossier.resolved', '2017-03-20T10:00', { outcome: 'approved' }],
      ['dossier.supplement_received', '2017-03-20T10:00'],
      ['dossier.supplement_requested', '2017-03-03T10:00'],
      ['dossier.received', '2017-03-01T09:00', received(P10)],
    );
    const oracle = oracleOf(Z);
    expect(oracle.dossier('Z')?.due).toBe(parseInstant('2017-04-03T10:00:00+07:00'));
    expect(oracle.figures(MARCH)).toEqual(expected({ in_person: 1, early: 1 }));
  });

  it('gives the same figures for shuffled, duplicated events', () => {
    const events: OraclePostedEvent[] = generateDossierEvents(7, 400).map((event) => ({ desk: 'desk-1', event }));
    const messy = shuffled([...events, ...events.filter((_, index) => index % 3 === 0)], 11);
    const reference = generatedRef();
    const a = buildOracle({ ...reference, events });
    const b = buildOracle({ ...reference, events: messy });
    for (const query of randomQueries(5)) {
      expect(b.figures(query)).toEqual(a.figures(query));
    }
    expect(b.dossiers()).toEqual(a.dossiers());
  });
});

/** The reference of libs/testing's generator (same codes as above, without the ceased agencies). */
function generatedRef(): Omit<OracleInput, 'events'> {
  return { agencies: agencies.filter((agency) => agency.successorCode === undefined), fields, procedures };
}

function randomQueries(seed: number) {
  let state = seed;
  const random = () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
  const dates: string[] = [];
  for (let day = Date.UTC(2017, 1, 20); day <= Date.UTC(2017, 7, 1); day += 86_400_000) {
    dates.push(new Date(day).toISOString().slice(0, 10));
  }
  const agencyCodes = [undefined, ROOT, D1, D2, C11, C12, C21, C22];
  const queries = [];
  for (let index = 0; index < 40; index++) {
    const a = dates[Math.floor(random() * dates.length)] as string;
    const b = dates[Math.floor(random() * dates.length)] as string;
    queries.push({
      from: a < b ? a : b,
      to: a < b ? b : a,
      agency: agencyCodes[Math.floor(random() * agencyCodes.length)],
      now: random() < 0.2 ? '2017-04-15T10:00:00+07:00' : NOW,
    });
  }
  return queries;
}

describe('oracle: identities on random data', () => {
  const events: OraclePostedEvent[] = generateDossierEvents(42, 3000).map((event) => ({ desk: 'desk-1', event }));
  const oracle = buildOracle({ ...generatedRef(), events });

  it('has carriedOver + new = resolved.total + pending.total, and consistent splits', () => {
    let nonTrivial = 0;
    for (const query of randomQueries(1)) {
      const f = oracle.figures(query);
      expect(f.received.carriedOver + f.received.new).toBe(f.resolved.total + f.pending.total);
      expect(f.received.total).toBe(f.received.carriedOver + f.received.new);
      expect(f.received.new).toBe(
        f.received.newByChannel.online + f.received.newByChannel.in_person + f.received.newByChannel.postal,
      );
      expect(f.resolved.total).toBe(f.resolved.early + f.resolved.onTime + f.resolved.late);
      expect(f.resolved.withdrawn).toBeLessThanOrEqual(f.resolved.onTime);
      expect(f.pending.total).toBe(f.pending.withinDeadline + f.pending.overdue);
      if (f.resolved.late > 0 && f.pending.overdue > 0 && f.received.carriedOver > 0) nonTrivial++;
    }
    expect(nonTrivial).toBeGreaterThan(0);
    // Counting excludes voided dossiers (about 3 % of the generated ones).
    expect([...oracle.excluded().values()].every((reason) => reason === 'voided')).toBe(true);
    expect(oracle.excluded().size).toBeGreaterThan(0);
  });

  it('adds up the subtrees: the root equals its districts, a district its communes', () => {
    for (const query of randomQueries(2)) {
      const q = { ...query, agency: undefined };
      const all = oracle.figures(q);
      expect(oracle.figures({ ...q, agency: ROOT })).toEqual(all);
      const d1 = oracle.figures({ ...q, agency: D1 });
      const d2 = oracle.figures({ ...q, agency: D2 });
      expect(d1.received.total + d2.received.total).toBe(all.received.total);
      expect(d1.pending.overdue + d2.pending.overdue).toBe(all.pending.overdue);
      expect(
        oracle.figures({ ...q, agency: C11 }).resolved.late + oracle.figures({ ...q, agency: C12 }).resolved.late,
      ).toBe(d1.resolved.late);
    }
  });

  it('has form 06a rows that sum to the total, which matches the summary', () => {
    for (const query of randomQueries(3).slice(0, 15)) {
      for (const rows of ['field', 'agency', 'procedure'] as const) {
        for (const agency of [ROOT, D2]) {
          const form = oracle.form06a({ ...query, agency, rows });
          const sum = (pick: (cells: (typeof form)['total']) => number) =>
            form.rows.reduce((acc, row) => acc + pick(row), 0);
          for (const pick of [
            (c: (typeof form)['total']) => c.received.total,
            (c: (typeof form)['total']) => c.received.online,
            (c: (typeof form)['total']) => c.received.inPersonOrPostal,
            (c: (typeof form)['total']) => c.received.carriedOver,
            (c: (typeof form)['total']) => c.resolved.total,
            (c: (typeof form)['total']) => c.resolved.early,
            (c: (typeof form)['total']) => c.resolved.onTime,
            (c: (typeof form)['total']) => c.resolved.late,
            (c: (typeof form)['total']) => c.pending.total,
            (c: (typeof form)['total']) => c.pending.withinDeadline,
            (c: (typeof form)['total']) => c.pending.overdue,
          ]) {
            expect(sum(pick)).toBe(pick(form.total));
          }
          const keys = form.rows.map((row) => row.key);
          expect(keys).toEqual([...keys].sort());
          for (const row of form.rows)
            expect(row.received.total).toBe(
              row.received.online + row.received.inPersonOrPostal + row.received.carriedOver,
            );
          if (rows === 'agency') {
            const children = agency === ROOT ? [D1, D2] : [C21, C22];
            for (const key of keys) expect([...children, agency]).toContain(key);
          }
          const summary = oracle.figures({ ...query, agency });
          expect(form.total.received.total).toBe(summary.received.total);
          expect(form.total.pending).toEqual(summary.pending);
        }
      }
    }
  });

  it('lists exactly the overdue dossiers the summary counts', () => {
    for (const to of ['2017-03-31', '2017-04-30', '2017-06-30']) {
      const listed = oracle.overdue({ to, now: NOW });
      expect(listed.length).toBe(oracle.figures({ from: '2017-01-01', to, now: NOW }).pending.overdue);
      expect(listed.map((item) => item.code)).toEqual(listed.map((item) => item.code).sort());
      expect(oracle.overdue({ to, now: NOW, agency: D1 }).length).toBe(
        oracle.figures({ from: '2017-01-01', to, now: NOW, agency: D1 }).pending.overdue,
      );
    }
  });

  it('handles 100k dossiers quickly', () => {
    const big: OraclePostedEvent[] = generateDossierEvents(3, 100_000).map((event) => ({ desk: 'desk-1', event }));
    const started = Date.now();
    const large = buildOracle({ ...generatedRef(), events: big });
    const f = large.figures({ from: '2017-04-01', to: '2017-04-30', now: NOW });
    large.form06a({ from: '2017-04-01', to: '2017-04-30', now: NOW, agency: ROOT, rows: 'agency' });
    const elapsed = Date.now() - started;
    expect(f.received.carriedOver + f.received.new).toBe(f.resolved.total + f.pending.total);
    expect(elapsed).toBeLessThan(30_000);
  });
});
