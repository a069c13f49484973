import fc from 'fast-check';
import { createWorkingCalendar } from '@tthc/calendar';
import type { DossierEvent } from '@tthc/contracts';
import { foldDossier, type FoldContext, type StoredEvent } from './fold';

const calendar = createWorkingCalendar();
const context: FoldContext = {
  procedure: (code) =>
    code === 'P-5D'
      ? { fieldCode: 'F-1', processingTime: { value: 5, unit: 'working_days' } }
      : code === 'P-NONE'
        ? { fieldCode: 'F-2', processingTime: null }
        : undefined,
  due: calendar,
  // Every desk trusted: desk scope has its own tests (desk-scope.spec.ts).
  desks: { scopeOfDesk: () => 'admin', lineageOf: (code) => [code] },
};

let counter = 0;
const at = (local: string) => `${local}+07:00`;
function ev(
  type: DossierEvent['type'],
  occurredAt: string,
  data: Record<string, unknown> = {},
  deskId = 'desk-1',
): StoredEvent {
  counter += 1;
  return {
    deskId,
    acceptedAt: '2026-11-22T00:00:00.000Z',
    event: { eventId: `e${counter}`, type, occurredAt: at(occurredAt), dossierCode: 'D', data } as DossierEvent,
  };
}
const receivedEvent = (occurredAt: string, data: Record<string, unknown> = {}) =>
  ev('dossier.received', occurredAt, { procedureCode: 'P-5D', agencyCode: 'A-1', channel: 'online', ...data });

function fold(events: StoredEvent[]) {
  const result = foldDossier('D', events, context);
  if (result.kind !== 'dossier') throw new Error(`expected a dossier, got ${result.kind}`);
  return result;
}

describe('foldDossier (docs/api.md §4, docs/counting-rules.md)', () => {
  it('computes the initial due date on the working calendar when dueAt is not given', () => {
    // Tue 2017-03-14 09:12 + 5 working days = Tue 2017-03-21 09:12.
    const { state } = fold([receivedEvent('2017-03-14T09:12:00')]);
    expect(state.dueAt).toBe(new Date(at('2017-03-21T09:12:00')).toISOString());
    expect(state).toMatchObject({ status: 'processing', fieldCode: 'F-1', agencyCode: 'A-1', channel: 'online' });
    expect(state.dueHistory).toEqual([
      { dueAt: state.dueAt, reason: 'initial', effectiveAt: new Date(at('2017-03-14T09:12:00')).toISOString() },
    ]);
  });

  it('uses the dueAt printed on the receipt when given', () => {
    const { state } = fold([receivedEvent('2017-03-14T09:12:00', { dueAt: at('2017-03-30T17:00:00') })]);
    expect(state.dueAt).toBe(new Date(at('2017-03-30T17:00:00')).toISOString());
  });

  it('has no due date for a procedure without processing time', () => {
    const { state } = fold([receivedEvent('2017-03-14T09:12:00', { procedureCode: 'P-NONE' })]);
    expect(state.dueAt).toBeNull();
    expect(state.fieldCode).toBe('F-2');
  });

  it('restarts the clock from zero when the supplement is received (Decree 61/2018 art.19(4))', () => {
    const { state } = fold([
      receivedEvent('2017-03-14T09:12:00'),
      ev('dossier.supplement_requested', '2017-03-15T10:00:00'),
      ev('dossier.supplement_received', '2017-03-20T08:00:00'),
    ]);
    // Mon 2017-03-20 08:00 + 5 working days = Mon 2017-03-27 08:00.
    expect(state.dueAt).toBe(new Date(at('2017-03-27T08:00:00')).toISOString());
    expect(state.dueHistory.map((change) => change.reason)).toEqual(['initial', 'supplement_restart']);
    expect(state.waiting).toEqual([
      {
        kind: 'supplement',
        from: new Date(at('2017-03-15T10:00:00')).toISOString(),
        to: new Date(at('2017-03-20T08:00:00')).toISOString(),
      },
    ]);
    expect(state.status).toBe('processing');
  });

  it('pushes the due date forward by the working time between paused and resumed', () => {
    const { state } = fold([
      receivedEvent('2017-03-14T09:12:00'),
      ev('dossier.paused', '2017-03-15T09:00:00', { reason: 'financial_obligation' }),
      ev('dossier.resumed', '2017-03-16T09:00:00'),
    ]);
    // One working day paused: due moves from Tue 21 09:12 to Wed 22 09:12.
    expect(state.dueAt).toBe(new Date(at('2017-03-22T09:12:00')).toISOString());
    expect(state.dueHistory.map((change) => change.reason)).toEqual(['initial', 'pause_extension']);
  });

  it('records a reschedule without moving the counting due date, and flags a second one', () => {
    const result = fold([
      receivedEvent('2017-03-14T09:12:00'),
      ev('dossier.rescheduled', '2017-03-20T09:00:00', { newDueAt: at('2017-03-28T17:00:00') }),
      ev('dossier.rescheduled', '2017-03-27T09:00:00', { newDueAt: at('2017-04-05T17:00:00') }),
    ]);
    expect(result.state.rescheduledDueAt).toBe(new Date(at('2017-03-28T17:00:00')).toISOString());
    expect(result.state.dueAt).toBe(new Date(at('2017-03-21T09:12:00')).toISOString());
    expect(result.issues.map((issue) => issue.kind)).toEqual(['second_reschedule']);
  });

  it('finishes at the earliest of resolved, returned and withdrawn', () => {
    const { state } = fold([
      receivedEvent('2017-03-14T09:12:00'),
      ev('dossier.returned', '2017-03-18T09:00:00'),
      ev('dossier.resolved', '2017-03-17T09:00:00', { outcome: 'refused' }),
    ]);
    expect(state.finishedAt).toBe(new Date(at('2017-03-17T09:00:00')).toISOString());
    expect(state).toMatchObject({ finishKind: 'resolved', outcome: 'refused', status: 'returned' });
  });

  it('follows transfers to the latest agency and keeps the receiving agency', () => {
    const { state } = fold([
      receivedEvent('2017-03-14T09:12:00'),
      ev('dossier.transferred', '2017-03-15T09:00:00', { toAgencyCode: 'A-2' }),
      ev('dossier.transferred', '2017-03-16T09:00:00', { toAgencyCode: 'A-3' }),
    ]);
    expect(state).toMatchObject({ agencyCode: 'A-3', receivingAgencyCode: 'A-1' });
  });

  it('voids a dossier and flags events after the voiding', () => {
    const result = fold([
      receivedEvent('2017-03-14T09:12:00'),
      ev('dossier.voided', '2017-03-15T09:00:00', { reason: 'nhập sai' }),
      ev('dossier.resolved', '2017-03-16T09:00:00', { outcome: 'approved' }),
    ]);
    expect(result.state.status).toBe('voided');
    expect(result.state.finishedAt).toBeNull();
    expect(result.issues.map((issue) => issue.kind)).toEqual(['event_after_voided']);
  });

  it('flags a resolution dated before the receipt', () => {
    const result = fold([
      ev('dossier.resolved', '2017-03-13T09:00:00', { outcome: 'approved' }),
      receivedEvent('2017-03-14T09:12:00'),
    ]);
    expect(result.issues.map((issue) => issue.kind)).toEqual(['event_before_received']);
    expect(result.state.finishedAt).toBeNull();
  });

  it('keeps dossiers without receipt out: awaiting receipt, or rejected', () => {
    expect(
      foldDossier('D', [ev('dossier.transferred', '2017-03-15T09:00:00', { toAgencyCode: 'A-2' })], context).kind,
    ).toBe('awaiting_receipt');
    expect(foldDossier('D', [ev('dossier.rejected', '2017-03-15T09:00:00')], context).kind).toBe('rejected');
  });

  it('closes an open supplement wait when the dossier is withdrawn', () => {
    const { state } = fold([
      receivedEvent('2017-03-14T09:12:00'),
      ev('dossier.supplement_requested', '2017-03-15T10:00:00'),
      ev('dossier.withdrawn', '2017-03-17T10:00:00'),
    ]);
    expect(state.finishKind).toBe('withdrawn');
    expect(state.waiting[0]?.to).toBe(new Date(at('2017-03-17T10:00:00')).toISOString());
  });

  it('keeps an open supplement wait when a resume comes without a pause (data-quality finding)', () => {
    const result = fold([
      receivedEvent('2017-03-14T09:12:00'),
      ev('dossier.supplement_requested', '2017-03-15T10:00:00'),
      ev('dossier.resumed', '2017-03-16T10:00:00'),
    ]);
    expect(result.state.status).toBe('waiting_supplement');
    expect(result.state.waiting).toEqual([
      { kind: 'supplement', from: new Date(at('2017-03-15T10:00:00')).toISOString(), to: null },
    ]);
    expect(result.issues.map((issue) => issue.kind)).toEqual(['resume_without_pause']);
  });

  it('gives the same state whatever order the events arrive in (property)', () => {
    const events = [
      receivedEvent('2017-03-14T09:12:00'),
      ev('dossier.transferred', '2017-03-15T09:00:00', { toAgencyCode: 'A-2' }),
      ev('dossier.supplement_requested', '2017-03-15T10:00:00'),
      ev('dossier.supplement_received', '2017-03-20T08:00:00'),
      ev('dossier.paused', '2017-03-21T09:00:00', { reason: 'other' }),
      ev('dossier.resumed', '2017-03-22T15:00:00'),
      ev('dossier.rescheduled', '2017-03-27T09:00:00', { newDueAt: at('2017-04-05T17:00:00') }),
      ev('dossier.resolved', '2017-03-29T09:00:00', { outcome: 'approved' }),
      ev('dossier.returned', '2017-03-30T09:00:00'),
    ];
    const expected = foldDossier('D', events, context);
    fc.assert(
      fc.property(fc.shuffledSubarray(events, { minLength: events.length, maxLength: events.length }), (shuffled) => {
        expect(foldDossier('D', shuffled, context)).toEqual(expected);
      }),
      { numRuns: 200 },
    );
  });
});
