import { validateDossierEvents } from './dossier-event';

const received = {
  eventId: 'desk-1:0001',
  type: 'dossier.received',
  occurredAt: '2017-03-14T09:12:00+07:00',
  dossierCode: '000.00.12.H56-170314-0001',
  data: { procedureCode: '1.001612', agencyCode: '000.00.12.H56', channel: 'online' },
};

describe('docs/api.md §4 event validation', () => {
  it('accepts the contract example of dossier.received', () => {
    const result = validateDossierEvents([received]);
    expect(result.ok).toBe(true);
  });

  it('accepts every event type with its required data', () => {
    const base = { occurredAt: '2017-03-15T10:00:00Z', dossierCode: 'D-1' };
    const events = [
      { type: 'dossier.rejected', data: {} },
      { type: 'dossier.supplement_requested', data: { reason: 'thiếu giấy tờ' } },
      { type: 'dossier.supplement_received', data: { dueAt: '2017-03-20T17:00:00+07:00' } },
      { type: 'dossier.transferred', data: { toAgencyCode: '000.00.13.H56' } },
      { type: 'dossier.paused', data: { reason: 'financial_obligation' } },
      { type: 'dossier.resumed' },
      { type: 'dossier.rescheduled', data: { newDueAt: '2017-03-25T17:00:00+07:00' } },
      { type: 'dossier.resolved', data: { outcome: 'approved' } },
      { type: 'dossier.returned', data: {} },
      { type: 'dossier.withdrawn' },
      { type: 'dossier.voided', data: { reason: 'nhập sai' } },
    ].map((event, index) => ({ ...base, eventId: `e${index}`, ...event }));
    const result = validateDossierEvents(events);
    expect(result).toMatchObject({ ok: true });
    if (result.ok) expect(result.events.map((event) => event.type)).toEqual(events.map((event) => event.type));
  });

  it('lists every invalid event by index with the field path', () => {
    const result = validateDossierEvents([
      received,
      { ...received, eventId: 'has space' },
      { ...received, data: { ...received.data, channel: 'fax' } },
      { ...received, occurredAt: '2017-03-14 09:12' },
      { ...received, type: 'dossier.teleported' },
      { ...received, type: 'dossier.rescheduled', data: {} },
      'not an object',
    ]);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const byIndex = (index: number) => result.problems.filter((problem) => problem.index === index);
    expect(byIndex(0)).toHaveLength(0);
    expect(byIndex(1)[0]).toMatchObject({ path: 'eventId' });
    expect(byIndex(2)[0]).toMatchObject({ path: 'data.channel' });
    expect(byIndex(3)[0]).toMatchObject({ path: 'occurredAt' });
    expect(byIndex(4)[0]).toMatchObject({ path: 'type' });
    expect(byIndex(4)[0]?.message).toMatch(/dossier\.received/);
    expect(byIndex(5)[0]).toMatchObject({ path: 'data.newDueAt' });
    expect(byIndex(6)[0]).toMatchObject({ path: '' });
  });

  it('rejects an event id longer than 128 characters and a date that does not exist', () => {
    const result = validateDossierEvents([
      { ...received, eventId: 'x'.repeat(129) },
      { ...received, occurredAt: '2017-02-30T09:00:00+07:00' },
    ]);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems.map((problem) => problem.index)).toEqual([0, 1]);
  });

  it('requires the mandatory data of dossier.received', () => {
    const result = validateDossierEvents([{ ...received, data: { channel: 'online' } }]);
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(result.problems.map((problem) => problem.path).sort()).toEqual(['data.agencyCode', 'data.procedureCode']);
  });
});
