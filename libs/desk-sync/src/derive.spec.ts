import { validateDossierEvents } from '@tthc/contracts';
import { deriveEvents, derivedEventId, eventsToPublish, type ProgressFact, type SnapshotFact } from './derive';
import type { PortalStatus } from './portal-records';

const DESK = 'desk-1';
const CODE = '000.00.12.H56-170314-0001';
const AGENCY = '000.00.12.H56';
const OTHER = '000.00.13.H56';

/** `d(14, '09:12')` → 2017-03-14T09:12:00+07:00 */
const d = (day: number, time: string) => `2017-03-${String(day).padStart(2, '0')}T${time}:00+07:00`;

function snapshot(status: PortalStatus, extra: Partial<SnapshotFact> = {}): SnapshotFact {
  return {
    maHoSo: CODE,
    procedureCode: '1.001612',
    channel: 'online',
    receivedAt: d(14, '09:12'),
    status,
    agencyCode: AGENCY,
    supplements: [],
    ...extra,
  };
}

function step(status: PortalStatus, at: string, extra: Partial<ProgressFact> = {}): ProgressFact {
  return { maHoSo: CODE, at, status, ...extra };
}

function derive(snapshots: SnapshotFact[], progress: ProgressFact[] = []) {
  return deriveEvents({ deskId: DESK, maHoSo: CODE, snapshots, progress });
}

/** The events as `type@occurredAt` with the data that matters. */
function shape(snapshots: SnapshotFact[], progress: ProgressFact[] = []): string[] {
  return derive(snapshots, progress).events.map((event) => {
    const data = Object.keys(event.data).length === 0 ? '' : ` ${JSON.stringify(event.data)}`;
    return `${event.type.slice('dossier.'.length)}@${event.occurredAt.slice(8, 16)}${data}`;
  });
}

const RECEIVED = `received@14T09:12 {"procedureCode":"1.001612","agencyCode":"${AGENCY}","channel":"online"}`;

describe('deriveEvents: one status transition at a time', () => {
  it.each<[string, SnapshotFact[], ProgressFact[], string[]]>([
    ['1 → nothing (submitted online, not accepted)', [snapshot(1, { receivedAt: undefined })], [], []],
    ['2 → received', [snapshot(2)], [], [RECEIVED]],
    [
      '3 → rejected at NgayTuChoi',
      [snapshot(3, { receivedAt: undefined, refusedAt: d(14, '10:00') })],
      [],
      ['rejected@14T10:00'],
    ],
    [
      '2 → 5 → supplement_requested at the step',
      [snapshot(2), snapshot(5)],
      [step(5, d(15, '08:00'))],
      [RECEIVED, 'supplement_requested@15T08:00'],
    ],
    [
      '5 → 4 → supplement_received',
      [snapshot(5), snapshot(4)],
      [step(5, d(15, '08:00')), step(4, d(16, '14:00'))],
      [RECEIVED, 'supplement_requested@15T08:00', 'supplement_received@16T14:00'],
    ],
    [
      '6 → paused (financial obligation), 4 → resumed',
      [snapshot(6), snapshot(4)],
      [step(6, d(15, '08:00')), step(4, d(16, '14:00'))],
      [RECEIVED, 'paused@15T08:00 {"reason":"financial_obligation"}', 'resumed@16T14:00'],
    ],
    [
      '8 → paused (suspended), 4 → resumed',
      [snapshot(8)],
      [step(8, d(15, '08:00')), step(4, d(16, '14:00'))],
      [RECEIVED, 'paused@15T08:00 {"reason":"suspended"}', 'resumed@16T14:00'],
    ],
    ['7 → withdrawn', [snapshot(7)], [step(7, d(15, '08:00'))], [RECEIVED, 'withdrawn@15T08:00']],
    [
      '7 → withdrawn at NgayKetThucXuLy without a step',
      [snapshot(7, { finishedAt: d(15, '09:00') })],
      [],
      [RECEIVED, 'withdrawn@15T09:00'],
    ],
    [
      '9 → resolved at NgayKetThucXuLy',
      [snapshot(9, { finishedAt: d(16, '10:00') })],
      [],
      [RECEIVED, 'resolved@16T10:00 {"outcome":"approved"}'],
    ],
    [
      '10 → resolved, then returned at NgayTra',
      [snapshot(10, { finishedAt: d(16, '10:00'), returnedAt: d(17, '08:00') })],
      [],
      [RECEIVED, 'resolved@16T10:00 {"outcome":"approved"}', 'returned@17T08:00'],
    ],
    [
      '10 without a 9 ever seen → resolved first, at NgayTra',
      [snapshot(10, { returnedAt: d(17, '08:00') })],
      [],
      [RECEIVED, 'resolved@17T08:00 {"outcome":"approved"}', 'returned@17T08:00'],
    ],
    [
      'a changed NgayHenTra → rescheduled',
      [snapshot(2, { dueAt: d(16, '17:00') }), snapshot(4, { dueAt: d(20, '17:00') })],
      [step(4, d(15, '10:00'), { dueAt: d(20, '17:00') })],
      [
        `${RECEIVED.slice(0, -1)},"dueAt":"${d(16, '17:00')}"}`,
        `rescheduled@15T10:00 {"newDueAt":"${d(20, '17:00')}"}`,
      ],
    ],
    [
      'a changed DonViXuLy → transferred at the step',
      [snapshot(2), snapshot(4, { agencyCode: OTHER })],
      [step(2, d(14, '09:12'), { agencyCode: AGENCY }), step(4, d(14, '11:00'), { agencyCode: OTHER })],
      [RECEIVED, `transferred@14T11:00 {"toAgencyCode":"${OTHER}"}`],
    ],
    [
      'supplement list dates without steps; NgayHenTraMoi is the new due',
      [
        snapshot(4, {
          supplements: [{ requestedAt: d(15, '08:00'), receivedAt: d(16, '09:00'), dueAfter: d(21, '17:00') }],
        }),
      ],
      [],
      [RECEIVED, 'supplement_requested@15T08:00', `supplement_received@16T09:00 {"dueAt":"${d(21, '17:00')}"}`],
    ],
  ])('%s', (_, snapshots, progress, expected) => {
    expect(shape(snapshots, progress)).toEqual(expected);
  });
});

describe('deriveEvents: refusals (status 3) and receipts without a procedure', () => {
  /** A status-3 snapshot as some senders post it: refused at the desk, no MaTTHC. */
  const refused = (extra: Partial<SnapshotFact> = {}) =>
    snapshot(3, { procedureCode: '', receivedAt: undefined, refusedAt: d(14, '10:00'), ...extra });
  const RECEIVED_15 = `received@15T08:00 {"procedureCode":"1.001612","agencyCode":"${AGENCY}","channel":"online"}`;

  it.each<[string, SnapshotFact[], ProgressFact[], string[], string[]]>([
    ['3 without MaTTHC → rejected only', [refused()], [], ['rejected@14T10:00'], []],
    [
      '3 without MaTTHC, then a step 2: no receipt without a procedure (it would be refused forever), flagged',
      [refused()],
      [step(2, d(15, '08:00'), { agencyCode: AGENCY })],
      ['rejected@14T10:00'],
      ['receipt_procedure_unknown'],
    ],
    [
      'a step 2 before the refusal, no MaTTHC anywhere: rejected only, flagged',
      [refused()],
      [step(2, d(14, '08:00'), { agencyCode: AGENCY })],
      ['rejected@14T10:00'],
      ['receipt_procedure_unknown'],
    ],
    [
      '3 without MaTTHC, then 2 with a snapshot naming the procedure: refused, then received (the contract allows it), flagged',
      [refused(), snapshot(2, { receivedAt: d(15, '08:00') })],
      [],
      ['rejected@14T10:00', RECEIVED_15],
      ['received_after_rejection'],
    ],
    [
      '3 with MaTTHC, then a step 2: the refused snapshot names the procedure',
      [refused({ procedureCode: '1.001612' })],
      [step(2, d(15, '08:00'), { agencyCode: AGENCY })],
      ['rejected@14T10:00', RECEIVED_15],
      ['received_after_rejection'],
    ],
    [
      'a status-1 snapshot names the procedure of a refused dossier received later',
      [snapshot(1, { receivedAt: undefined }), refused()],
      [step(2, d(15, '08:00'), { agencyCode: AGENCY })],
      ['rejected@14T10:00', RECEIVED_15],
      ['received_after_rejection'],
    ],
    [
      '2, then 3 later: received; the refusal after the receipt is ignored, flagged',
      [snapshot(2)],
      [step(3, d(15, '08:00'))],
      [RECEIVED],
      ['status_after_finish'],
    ],
  ])('%s', (_, snapshots, progress, expected, findings) => {
    const derivation = derive(snapshots, progress);
    expect(shape(snapshots, progress)).toEqual(expected);
    expect(derivation.findings.map((f) => f.kind)).toEqual(findings);
    // Every derived event passes the contract intake checks them against.
    expect(validateDossierEvents(derivation.events).ok).toBe(true);
  });
});

describe('deriveEvents: quirks', () => {
  it('progress before any snapshot derives nothing yet', () => {
    const derivation = derive([], [step(2, d(14, '09:12'), { agencyCode: AGENCY }), step(9, d(16, '10:00'))]);
    expect(derivation).toEqual({ events: [], findings: [], ready: false });
  });

  it('progress times take precedence over the snapshot dates', () => {
    expect(shape([snapshot(9, { finishedAt: d(16, '10:00') })], [step(2, d(14, '09:00'))])[0]).toBe(
      RECEIVED.replace('09:12', '09:00'),
    );
  });

  it('the same records in any order and repeated give the same events and ids', () => {
    const snapshots = [
      snapshot(2),
      snapshot(5),
      snapshot(4, { agencyCode: OTHER }),
      snapshot(10, { finishedAt: d(20, '10:00'), returnedAt: d(21, '08:00'), agencyCode: OTHER }),
    ];
    const progress = [
      step(2, d(14, '09:12'), { agencyCode: AGENCY }),
      step(4, d(14, '15:00'), { agencyCode: OTHER }),
      step(5, d(15, '08:00')),
      step(4, d(16, '09:00')),
      step(9, d(20, '10:00')),
      step(10, d(21, '08:00')),
    ];
    const reference = derive(snapshots, progress).events;
    expect(reference.map((e) => e.type)).toEqual([
      'dossier.received',
      'dossier.transferred',
      'dossier.supplement_requested',
      'dossier.supplement_received',
      'dossier.resolved',
      'dossier.returned',
    ]);
    for (let seed = 1; seed <= 20; seed++) {
      const shuffle = <T>(items: T[]) =>
        items
          .map((item, index) => ({ item, key: Math.sin(seed * 97 + index * 13) }))
          .sort((a, b) => a.key - b.key)
          .map(({ item }) => item);
      const again = derive(shuffle([...snapshots, ...snapshots]), shuffle([...progress, ...progress.slice(2)])).events;
      expect(again).toEqual(reference);
    }
  });

  it('a 9 that reverts to 4 is not a finish (a sender rewriting 5/6/8 as 9) and is a data-quality finding', () => {
    const derivation = derive(
      [snapshot(9, { finishedAt: d(16, '10:00') }), snapshot(4), snapshot(9, { finishedAt: d(20, '10:00') })],
      [step(9, d(16, '10:00')), step(4, d(17, '09:00')), step(9, d(20, '10:00'))],
    );
    expect(derivation.events.filter((e) => e.type === 'dossier.resolved').map((e) => e.occurredAt)).toEqual([
      d(20, '10:00'),
    ]);
    expect(derivation.findings.map((f) => f.kind)).toContain('status_reverted');
  });

  it('a revert learnt after the finish was published: the published resolve stands, never a second one', () => {
    const early = derive([snapshot(9, { finishedAt: d(16, '10:00') })]).events;
    const published = early.map((e) => ({ id: e.eventId, type: e.type }));
    const later = derive(
      [snapshot(9, { finishedAt: d(16, '10:00') }), snapshot(4), snapshot(9, { finishedAt: d(20, '10:00') })],
      [step(4, d(17, '09:00'))],
    );
    const { publish, findings } = eventsToPublish(later.events, published);
    expect(publish).toEqual([]);
    expect(findings.map((f) => f.kind)).toEqual(['superseded']);
  });

  it('KenhThucHien missing → in person, flagged', () => {
    const derivation = derive([snapshot(2, { channel: undefined })]);
    expect((derivation.events[0]?.data as { channel: string }).channel).toBe('in_person');
    expect(derivation.findings).toEqual([
      { kind: 'channel_missing', detail: 'KenhThucHien missing: counted in person' },
    ]);
  });

  it('a waiting status without any time gives no event and a finding', () => {
    const derivation = derive([snapshot(2), snapshot(6)]);
    expect(derivation.events.map((e) => e.type)).toEqual(['dossier.received']);
    expect(derivation.findings.map((f) => f.kind)).toEqual(['status_time_unknown']);
  });

  it('a snapshot that goes backwards in time changes nothing', () => {
    const forward = [snapshot(9, { finishedAt: d(16, '10:00') })];
    expect(shape([...forward, snapshot(2)])).toEqual(shape(forward));
  });

  it('the receiving agency of the MaHoSo prefix is kept when it differs from the handling unit', () => {
    const events = derive([snapshot(2, { receivingAgencyCode: '000.00.20.H56' })]).events;
    expect(events[0]?.data).toMatchObject({ agencyCode: AGENCY, receivingAgencyCode: '000.00.20.H56' });
  });

  it('DonViXuLy changes seen only in snapshots: transfer at the latest date of the snapshot, flagged', () => {
    const derivation = derive([snapshot(2), snapshot(9, { agencyCode: OTHER, finishedAt: d(16, '10:00') })]);
    expect(derivation.events.map((e) => `${e.type}@${e.occurredAt}`)).toEqual([
      `dossier.received@${d(14, '09:12')}`,
      `dossier.transferred@${d(16, '10:00')}`,
      `dossier.resolved@${d(16, '10:00')}`,
    ]);
    expect(derivation.findings.map((f) => f.kind)).toEqual(['transfer_time_estimated']);
  });

  it('a later pause after a supplement: the supplement ends when the pause begins', () => {
    expect(shape([snapshot(6)], [step(5, d(15, '08:00')), step(6, d(16, '08:00')), step(4, d(17, '08:00'))])).toEqual([
      RECEIVED,
      'supplement_requested@15T08:00',
      'supplement_received@16T08:00',
      'paused@16T08:00 {"reason":"financial_obligation"}',
      'resumed@17T08:00',
    ]);
  });
});

describe('event ids', () => {
  it('are deterministic, per desk, dossier, type and instant, and valid contract ids', () => {
    const id = derivedEventId(DESK, CODE, 'dossier.received', d(14, '09:12'));
    expect(id).toMatch(/^dvcqg-[0-9a-f]{40}$/);
    expect(derivedEventId(DESK, CODE, 'dossier.received', d(14, '09:12'))).toBe(id);
    expect(derivedEventId('desk-2', CODE, 'dossier.received', d(14, '09:12'))).not.toBe(id);
    expect(derivedEventId(DESK, CODE, 'dossier.returned', d(14, '09:12'))).not.toBe(id);
  });

  it('eventsToPublish publishes only what was not published', () => {
    const events = derive([snapshot(9, { finishedAt: d(16, '10:00') })]).events;
    const first = eventsToPublish(events, []);
    expect(first.publish).toEqual(events);
    expect(
      eventsToPublish(
        events,
        events.map((e) => ({ id: e.eventId, type: e.type })),
      ),
    ).toEqual({
      publish: [],
      findings: [],
    });
  });
});
