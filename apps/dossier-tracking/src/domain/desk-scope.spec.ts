import fc from 'fast-check';
import { createWorkingCalendar } from '@tthc/calendar';
import type { Agency, DeskScope, DossierEvent } from '@tthc/contracts';
import { AgencyTree } from '@tthc/reference';
import { covers, refusalOf, screenReceipts, type ScopeFallback } from './desk-scope';
import { scopeFallbackOf } from './fold-context.provider';
import { compareEvents, foldDossier, type FoldContext, type StoredEvent } from './fold';

/*
 * PROV-A ─┬─ DEP-A1 ── DIST-A1x
 *         └─ DEP-A2
 * PROV-B ─── DEP-B1
 */
const agency = (code: string, parentCode: string | null): Agency => ({
  code,
  name: code,
  parentCode,
  level: parentCode === null ? 'province' : 'department',
});
const AGENCIES = [
  agency('PROV-A', null),
  agency('DEP-A1', 'PROV-A'),
  agency('DIST-A1x', 'DEP-A1'),
  agency('DEP-A2', 'PROV-A'),
  agency('PROV-B', null),
  agency('DEP-B1', 'PROV-B'),
];
const tree = new AgencyTree(AGENCIES);
const lineage = (code: string) => tree.ancestry(code);

/** Fallback for unstamped envelopes: desk-a (DEP-A1), desk-b (DEP-B1), desk-prov-a (PROV-A), viewer-1. */
const fallback: ScopeFallback = scopeFallbackOf(
  [
    { id: 'desk-a', agencyCodes: ['DEP-A1'] },
    { id: 'desk-b', agencyCodes: ['DEP-B1'] },
    { id: 'desk-prov-a', agencyCodes: ['PROV-A'] },
  ].map((key) => ({
    ...key,
    role: 'desk' as const,
    name: key.id,
    keyHash: '0'.repeat(64),
    createdAt: '2026-11-22T00:00:00.000Z',
    revokedAt: null,
  })),
  tree,
);
const context: FoldContext = {
  procedure: () => ({ fieldCode: 'F-1', processingTime: { value: 5, unit: 'working_days' } }),
  due: createWorkingCalendar(),
  desks: fallback,
};

let sequence = 0;
/** Desk scopes as intake stamps them. */
const DESK_A: Desk = { id: 'desk-a', scope: ['DEP-A1'] };
const DESK_B: Desk = { id: 'desk-b', scope: ['DEP-B1'] };
const DESK_PROV_A: Desk = { id: 'desk-prov-a', scope: ['PROV-A'] };
const DESK_A2: Desk = { id: 'desk-a2', scope: ['DEP-A2'] };
const DESK_DIST: Desk = { id: 'desk-dist', scope: ['DIST-A1x'] };
const ADMIN: Desk = { id: 'admin', scope: 'admin' };
const IMPORT: Desk = { id: 'legacy-2017', scope: 'admin' };
interface Desk {
  id: string;
  scope: DeskScope;
}

/**
 * An event as intake accepts it: stamped with the desk's scope and the ancestry of the agencies it
 * names (unless `stamped: false`); `day` is the day of March 2017 it occurred on, `accepted` the
 * acceptance instant's seconds.
 */
function ev(
  desk: Desk,
  type: DossierEvent['type'],
  day: number,
  data: Record<string, unknown> = {},
  options: { accepted?: number; stamped?: boolean; ancestry?: Record<string, string[]> } = {},
): StoredEvent {
  sequence += 1;
  const event = {
    eventId: `e${sequence}`,
    type,
    occurredAt: `2017-03-${String(day).padStart(2, '0')}T09:00:00+07:00`,
    dossierCode: 'D',
    data,
  } as DossierEvent;
  const named = [data.agencyCode, data.receivingAgencyCode, data.toAgencyCode].filter(
    (code): code is string => typeof code === 'string',
  );
  const stored: StoredEvent = {
    deskId: desk.id,
    event,
    acceptedAt: new Date(Date.UTC(2026, 10, 22, 0, 0, options.accepted ?? sequence)).toISOString(),
  };
  if (options.stamped === false) return stored;
  return {
    ...stored,
    scope: desk.scope,
    agencyAncestry: options.ancestry ?? Object.fromEntries(named.map((code) => [code, lineage(code)])),
  };
}
const receipt = (desk: Desk, agencyCode: string, day = 14, extra: Record<string, unknown> = {}, accepted?: number) =>
  ev(desk, 'dossier.received', day, { procedureCode: 'P', agencyCode, channel: 'online', ...extra }, { accepted });
const resolved = (desk: Desk, day = 16) => ev(desk, 'dossier.resolved', day, { outcome: 'approved' });
const transfer = (desk: Desk, to: string, day = 15) => ev(desk, 'dossier.transferred', day, { toAgencyCode: to });

function dossier(events: StoredEvent[]) {
  const result = foldDossier('D', events, context);
  if (result.kind !== 'dossier') throw new Error(`expected a dossier, got ${result.kind}`);
  return result;
}
const kinds = (result: { issues: { kind: string }[] }) => result.issues.map((issue) => issue.kind);

describe('covers (an agency is covered by its own and its ancestors’ desks)', () => {
  it.each<[DeskScope, string, boolean]>([
    ['admin', 'DEP-B1', true],
    [['DEP-A1'], 'DEP-A1', true],
    [['PROV-A'], 'DIST-A1x', true],
    [['DEP-A1'], 'DIST-A1x', true],
    [['DIST-A1x'], 'DEP-A1', false],
    [['DEP-A2'], 'DEP-A1', false],
    [['DEP-B1'], 'DEP-A1', false],
    [['DEP-B1', 'DEP-A2'], 'DEP-A2', true],
    [['PROV-B'], 'PROV-A', false],
  ])('%j covers %s: %s', (scope, code, expected) => {
    expect(covers(scope, lineage(code))).toBe(expected);
  });

  it('covers nothing with an empty lineage, except as admin', () => {
    expect(covers(['PROV-A'], [])).toBe(false);
    expect(covers('admin', [])).toBe(true);
  });
});

describe('desk scope in the fold: events of other agencies’ desks are kept aside', () => {
  it('folds the events of the receiving desk', () => {
    const result = dossier([receipt(DESK_A, 'DEP-A1'), resolved(DESK_A)]);
    expect(result.state.status).toBe('resolved');
    expect(result.issues).toEqual([]);
  });

  it.each<[string, (desk: Desk) => StoredEvent]>([
    ['resolved', (desk) => resolved(desk)],
    ['voided', (desk) => ev(desk, 'dossier.voided', 16, { reason: 'x' })],
    ['withdrawn', (desk) => ev(desk, 'dossier.withdrawn', 16)],
    ['returned', (desk) => ev(desk, 'dossier.returned', 16)],
    ['transferred (into its own agency)', (desk) => transfer(desk, 'DEP-B1')],
    ['supplement_requested', (desk) => ev(desk, 'dossier.supplement_requested', 16)],
    ['paused', (desk) => ev(desk, 'dossier.paused', 16, { reason: 'other' })],
    ['rescheduled', (desk) => ev(desk, 'dossier.rescheduled', 16, { newDueAt: '2017-04-30T17:00:00+07:00' })],
    ['rejected', (desk) => ev(desk, 'dossier.rejected', 16)],
  ])('refuses a foreign desk’s %s: no state change, a foreign_desk finding', (_type, make) => {
    const own = dossier([receipt(DESK_A, 'DEP-A1')]);
    const foreign = make(DESK_B);
    const result = dossier([receipt(DESK_A, 'DEP-A1'), foreign]);
    expect(result.state).toEqual(own.state);
    expect(result.issues).toEqual([
      expect.objectContaining({
        kind: 'foreign_desk',
        deskId: 'desk-b',
        eventId: foreign.event.eventId,
        dossierCode: 'D',
        detail: expect.stringContaining('covers neither') as string,
      }),
    ]);
  });

  it('lets a desk of an ancestor agency act, not one of a descendant or a sibling', () => {
    expect(dossier([receipt(DESK_A, 'DEP-A1'), resolved(DESK_PROV_A)]).state.status).toBe('resolved');
    const descendant = dossier([receipt(DESK_A, 'DEP-A1'), resolved(DESK_DIST)]);
    expect(descendant.state.status).toBe('processing');
    expect(kinds(descendant)).toEqual(['foreign_desk']);
    const sibling = dossier([receipt(DESK_A, 'DEP-A1'), resolved(DESK_A2)]);
    expect(kinds(sibling)).toEqual(['foreign_desk']);
  });

  it('after a transfer, both the current agency’s desk and the receiving agency’s desk may act', () => {
    const moved = [receipt(DESK_A, 'DEP-A1'), transfer(ADMIN, 'DEP-B1', 15)];
    expect(dossier([...moved, resolved(DESK_B, 16)]).state).toMatchObject({ status: 'resolved', agencyCode: 'DEP-B1' });
    expect(dossier([...moved, resolved(DESK_A, 16)]).state).toMatchObject({ status: 'resolved' });
    expect(kinds(dossier([...moved, resolved(DESK_A2, 16)]))).toEqual(['foreign_desk']);
  });

  it('judges each event against the agencies of the dossier at its point of the fold', () => {
    // desk-b resolves on the 15th; the transfer to DEP-B1 happens only on the 16th.
    const result = dossier([receipt(DESK_A, 'DEP-A1'), resolved(DESK_B, 15), transfer(ADMIN, 'DEP-B1', 16)]);
    expect(result.state).toMatchObject({ status: 'processing', agencyCode: 'DEP-B1' });
    expect(kinds(result)).toEqual(['foreign_desk']);
  });

  it('needs the SOURCE agency for a transfer: a desk of the destination only cannot pull a dossier', () => {
    const pulled = dossier([receipt(DESK_A, 'DEP-A1'), transfer(DESK_B, 'DEP-B1')]);
    expect(pulled.state.agencyCode).toBe('DEP-A1');
    expect(kinds(pulled)).toEqual(['foreign_desk']);
    // A transfer by a desk of the current agency onward is folded.
    const onward = dossier([
      receipt(DESK_A, 'DEP-A1'),
      transfer(ADMIN, 'DEP-A2', 15),
      transfer(DESK_A2, 'DEP-A2', 16),
      transfer(DESK_PROV_A, 'DEP-A1', 17),
    ]);
    expect(onward.state.agencyCode).toBe('DEP-A1');
    expect(onward.issues).toEqual([]);
  });

  it('accepts a desk of the receiving agency or of the handling agency of a receipt naming both', () => {
    const events = (desk: Desk) => [
      receipt(ADMIN, 'DEP-A2', 14, { receivingAgencyCode: 'DEP-A1' }),
      ev(desk, 'dossier.withdrawn', 16),
    ];
    expect(dossier(events(DESK_A)).state.status).toBe('withdrawn');
    expect(dossier(events(DESK_A2)).state.status).toBe('withdrawn');
    const foreign = dossier(events(DESK_B));
    expect(foreign.state.status).toBe('processing');
    expect(foreign.issues[0]?.detail).toContain('receiving agency DEP-A1 nor its current agency DEP-A2');
  });

  it('trusts admin-posted events and imports whatever the agency', () => {
    const result = dossier([
      receipt(DESK_A, 'DEP-A1'),
      resolved(ADMIN, 16),
      ev(IMPORT, 'dossier.voided', 17, { reason: 'x' }),
    ]);
    expect(result.state.status).toBe('voided');
    expect(result.issues).toEqual([]);
  });

  it('refuses foreign events before the receipt as foreign_desk, the receiving desk’s as before', () => {
    const early = resolved(DESK_B, 10);
    const own = ev(DESK_A, 'dossier.paused', 11, { reason: 'other' });
    const result = dossier([early, own, receipt(DESK_A, 'DEP-A1', 14)]);
    expect(result.issues.map((issue) => [issue.kind, issue.eventId])).toEqual([
      ['foreign_desk', early.event.eventId],
      ['event_before_received', own.event.eventId],
    ]);
  });

  it('keeps a refused event out of the other findings (it is not folded at all)', () => {
    const result = dossier([receipt(DESK_A, 'DEP-A1'), resolved(DESK_A, 16), ev(DESK_B, 'dossier.withdrawn', 17)]);
    expect(result.state).toMatchObject({ status: 'resolved', finishKind: 'resolved' });
    expect(kinds(result)).toEqual(['foreign_desk']);
  });

  it('waits, without findings, while no receipt is stored (the agency is not known yet)', () => {
    expect(foldDossier('D', [resolved(DESK_B)], context)).toEqual({ kind: 'awaiting_receipt', issues: [] });
  });
});

describe('receipts: the first one accepted stands, a later one of another agency is a conflict', () => {
  it('keeps a later receipt of a foreign desk out, even when it claims an earlier occurredAt', () => {
    const first = receipt(DESK_A, 'DEP-A1', 14, {}, 1);
    const takeover = receipt(DESK_B, 'DEP-B1', 10, {}, 2);
    const result = dossier([takeover, first]);
    expect(result.state).toMatchObject({ agencyCode: 'DEP-A1', receivingAgencyCode: 'DEP-A1' });
    expect(result.state.receivedAt).toBe(new Date('2017-03-14T09:00:00+07:00').toISOString());
    expect(result.issues).toEqual([
      expect.objectContaining({
        kind: 'conflicting_receipt',
        deskId: 'desk-b',
        eventId: takeover.event.eventId,
        detail: expect.stringContaining('the first receipt stands') as string,
      }),
    ]);
  });

  it('lets the pre-emptive receipt stand when the foreign desk received first (its own agency)', () => {
    const preemptive = receipt(DESK_B, 'DEP-B1', 14, {}, 1);
    const late = receipt(DESK_A, 'DEP-A1', 13, {}, 2);
    const result = dossier([late, preemptive, resolved(DESK_A, 16)]);
    expect(result.state).toMatchObject({ agencyCode: 'DEP-B1', status: 'processing' });
    expect(kinds(result).sort()).toEqual(['conflicting_receipt', 'foreign_desk']);
  });

  it('admits a second receipt of a covering desk as before (earliest occurredAt is the receipt)', () => {
    const first = receipt(DESK_A, 'DEP-A1', 14, {}, 1);
    const parent = receipt(DESK_PROV_A, 'DEP-A1', 13, { channel: 'postal' }, 2);
    const result = dossier([first, parent]);
    expect(result.state).toMatchObject({ channel: 'postal' });
    expect(result.issues).toEqual([expect.objectContaining({ kind: 'second_received', eventId: first.event.eventId })]);
  });

  it('admits an admin receipt whenever it was accepted', () => {
    const result = dossier([receipt(DESK_A, 'DEP-A1', 14, {}, 1), receipt(ADMIN, 'DEP-B1', 13, {}, 2)]);
    expect(result.state.agencyCode).toBe('DEP-B1');
    expect(kinds(result)).toEqual(['second_received']);
  });

  it('skips a first receipt whose desk does not cover the agency it names itself', () => {
    // Possible only for unstamped envelopes judged with today's keys and tree: refused, the next stands.
    const odd = ev(
      DESK_B,
      'dossier.received',
      14,
      { procedureCode: 'P', agencyCode: 'DEP-A1', channel: 'online' },
      {
        accepted: 1,
      },
    );
    const result = dossier([odd, receipt(DESK_A2, 'DEP-A2', 15, {}, 2), receipt(DESK_PROV_A, 'DEP-A2', 16, {}, 3)]);
    expect(result.state.agencyCode).toBe('DEP-A2');
    expect(result.issues.map((issue) => issue.kind).sort()).toEqual(['foreign_desk', 'second_received']);
  });

  it('orders receipts accepted at the same instant by the fold order (deterministic)', () => {
    const a = receipt(DESK_A, 'DEP-A1', 14, {}, 5);
    const b = receipt(DESK_B, 'DEP-B1', 13, {}, 5);
    // Same acceptance second: the earlier occurredAt (desk-b) counts as accepted first.
    expect(dossier([a, b]).state.agencyCode).toBe('DEP-B1');
    expect(dossier([b, a]).state.agencyCode).toBe('DEP-B1');
  });

  it('screenReceipts: admitted and refused, in acceptance order', () => {
    const first = receipt(DESK_A, 'DEP-A1', 14, {}, 1);
    const covering = receipt(DESK_PROV_A, 'DEP-A1', 14, {}, 2);
    const foreign = receipt(DESK_B, 'DEP-B1', 14, {}, 3);
    const screened = screenReceipts([foreign, covering, first], fallback, compareEvents);
    expect(screened.admitted).toEqual([first, covering]);
    expect(screened.refused.map((refusal) => [refusal.kind, refusal.stored])).toEqual([
      ['conflicting_receipt', foreign],
    ]);
  });
});

describe('replayable: decided from what intake stamped at acceptance', () => {
  it('uses the stamped scope, not the key directory (a key changed or reused since)', () => {
    // Stamped: the event of desk-b was accepted under a scope covering DEP-A1.
    const stamped = { ...resolved(DESK_B), scope: ['DEP-A1'] };
    expect(dossier([receipt(DESK_A, 'DEP-A1'), stamped]).state.status).toBe('resolved');
  });

  it('uses the stamped ancestry, not today’s tree (an agency re-parented since)', () => {
    // At acceptance DEP-A1 lay under PROV-B (stamped); today's tree puts it under PROV-A.
    const moved = ev(
      DESK_A,
      'dossier.received',
      14,
      { procedureCode: 'P', agencyCode: 'DEP-A1', channel: 'online' },
      {
        ancestry: { 'DEP-A1': ['DEP-A1', 'PROV-B'] },
      },
    );
    expect(dossier([moved, resolved({ id: 'desk-prov-b', scope: ['PROV-B'] })]).state.status).toBe('resolved');
    expect(kinds(dossier([moved, resolved(DESK_PROV_A)]))).toEqual(['foreign_desk']);
  });

  it('falls back to the key directory and today’s tree for envelopes without stamps', () => {
    const old = (desk: Desk, type: DossierEvent['type'], day: number, data: Record<string, unknown> = {}) =>
      ev(desk, type, day, data, { stamped: false });
    const received = old(DESK_A, 'dossier.received', 14, {
      procedureCode: 'P',
      agencyCode: 'DEP-A1',
      channel: 'online',
    });
    // desk-b is a desk key of DEP-B1: refused; desk-prov-a covers it; the admin and an import name are trusted.
    expect(kinds(dossier([received, old(DESK_B, 'dossier.resolved', 16, { outcome: 'approved' })]))).toEqual([
      'foreign_desk',
    ]);
    expect(dossier([received, old(DESK_PROV_A, 'dossier.resolved', 16, { outcome: 'approved' })]).issues).toEqual([]);
    expect(dossier([received, old(ADMIN, 'dossier.resolved', 16, { outcome: 'approved' })]).issues).toEqual([]);
    expect(dossier([received, old(IMPORT, 'dossier.resolved', 16, { outcome: 'approved' })]).issues).toEqual([]);
  });

  it('refusalOf: null for a covering desk, a foreign_desk refusal otherwise', () => {
    const agencies = {
      receiving: { code: 'DEP-A1', lineage: lineage('DEP-A1') },
      current: { code: 'DEP-B1', lineage: lineage('DEP-B1') },
    };
    expect(refusalOf(resolved(DESK_A), agencies, fallback)).toBeNull();
    expect(refusalOf(resolved(DESK_B), agencies, fallback)).toBeNull();
    expect(refusalOf(resolved(DESK_A2), agencies, fallback)).toMatchObject({ kind: 'foreign_desk' });
  });

  it('gives the same state and findings whatever order the events arrive in (property)', () => {
    const desks = [DESK_A, DESK_B, DESK_PROV_A, DESK_A2, ADMIN];
    const make = [
      (desk: Desk, day: number) => receipt(desk, desk.scope === 'admin' ? 'DEP-A1' : desk.scope[0]!, day),
      (desk: Desk, day: number) => resolved(desk, day),
      (desk: Desk, day: number) => transfer(desk, desk.scope === 'admin' ? 'DEP-B1' : desk.scope[0]!, day),
      (desk: Desk, day: number) => ev(desk, 'dossier.paused', day, { reason: 'other' }),
      (desk: Desk, day: number) => ev(desk, 'dossier.resumed', day),
      (desk: Desk, day: number) => ev(desk, 'dossier.withdrawn', day),
    ];
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(desks.length - 1), fc.nat(make.length - 1), fc.integer({ min: 10, max: 28 })), {
          minLength: 1,
          maxLength: 10,
        }),
        fc.nat(),
        (specs, seed) => {
          const events = specs.map(([desk, kind, day]) => make[kind]!(desks[desk]!, day));
          const shuffled = [...events].sort(
            (a, b) => ((hash(a.event.eventId) ^ seed) >>> 0) - ((hash(b.event.eventId) ^ seed) >>> 0),
          );
          const normal = (result: ReturnType<typeof foldDossier>) => ({
            ...result,
            issues: [...result.issues].sort((x, y) => (x.eventId + x.kind < y.eventId + y.kind ? -1 : 1)),
          });
          expect(normal(foldDossier('D', shuffled, context))).toEqual(normal(foldDossier('D', events, context)));
        },
      ),
      { numRuns: 300 },
    );
  });
});

function hash(text: string): number {
  let value = 2166136261;
  for (const char of text) value = Math.imul(value ^ char.charCodeAt(0), 16777619);
  return value >>> 0;
}
