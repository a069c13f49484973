import {
  auditEntryId,
  auditIdRange,
  MAX_PARSED_BODY,
  parseAuditQuery,
  resultIdOf,
  summarize,
  summarizeBody,
  type AuditQuery,
} from './audit-entry';

const none = { secrets: [] };

describe('audit body summaries keep no key material', () => {
  it('redacts fields named like secrets, at any level', () => {
    expect(
      summarize({ name: 'Một cửa', key: 'k', apiKey: 'k', keyHash: 'h', password: 'p', nested: { token: 't' } }, none),
    ).toEqual({
      name: 'Một cửa',
      key: '[redacted]',
      apiKey: '[redacted]',
      keyHash: '[redacted]',
      password: '[redacted]',
      nested: { token: '[redacted]' },
    });
  });

  it('redacts values that contain the presented key or look like an issued key', () => {
    const presented = 'the-admin-key-0123456789';
    expect(summarize({ note: `copy of ${presented}` }, { secrets: [presented] })).toEqual({ note: '[redacted]' });
    expect(summarize(['desk_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'], none)).toEqual({
      items: 1,
      first: ['[redacted]'],
    });
    expect(summarize({ agencyCodes: ['000.00.12.H56'] }, none)).toEqual({
      agencyCodes: { items: 1, first: ['000.00.12.H56'] },
    });
  });

  it('is bounded: long strings cut, arrays by length and first items, depth and fields limited', () => {
    const long = 'x'.repeat(500);
    expect((summarize(long, none) as string).length).toBe(121);
    const agencies = Array.from({ length: 20_000 }, (_, index) => ({ code: `A-${index}`, children: [1, 2, 3] }));
    expect(summarize(agencies, none)).toEqual({
      items: 20_000,
      first: [
        { code: 'A-0', children: '[3 items]' },
        { code: 'A-1', children: '[3 items]' },
        { code: 'A-2', children: '[3 items]' },
      ],
    });
    const wide = Object.fromEntries(Array.from({ length: 25 }, (_, index) => [`f${index}`, index]));
    const summary = summarize(wide, none) as Record<string, unknown>;
    expect(Object.keys(summary)).toHaveLength(21);
    expect(summary['…']).toBe('5 more fields');
    expect(summarize({ a: { b: { c: 1 } } }, none)).toEqual({ a: { b: '{1 fields}' } });
  });

  it('summarises JSON bodies; other bodies by type and size only', () => {
    const json = Buffer.from(JSON.stringify({ name: 'v', agencyCode: 'P' }));
    expect(summarizeBody(json, 'application/json; charset=utf-8', undefined, none)).toEqual({
      name: 'v',
      agencyCode: 'P',
    });
    const csv = Buffer.from('eventId,type\nh-1,dossier.received\n');
    expect(summarizeBody(csv, 'text/csv', undefined, none)).toEqual({ contentType: 'text/csv', bytes: csv.length });
    expect(summarizeBody(undefined, 'application/x-ndjson', '1234', none)).toEqual({
      contentType: 'application/x-ndjson',
      bytes: 1234,
    });
    expect(summarizeBody(Buffer.from('{nope'), 'application/json', undefined, none)).toEqual({
      contentType: 'application/json',
      bytes: 5,
      note: 'not valid JSON',
    });
    expect(summarizeBody(Buffer.alloc(0), 'application/json', undefined, none)).toBeUndefined();
    const big = Buffer.from(JSON.stringify(Array.from({ length: 5000 }, (_, index) => ({ eventId: `e-${index}` }))));
    expect(big.length).toBeGreaterThan(MAX_PARSED_BODY);
    expect(summarizeBody(big, 'application/json', undefined, none)).toEqual({
      contentType: 'application/json',
      bytes: big.length,
    });
    expect(summarizeBody(undefined, undefined, undefined, none)).toBeUndefined();
  });

  it('keeps the id of a created resource, never the rest of the answer', () => {
    expect(resultIdOf({ id: 'desk-1', key: 'desk_secret' })).toBe('desk-1');
    expect(resultIdOf([{ id: 'x' }])).toBeUndefined();
    expect(resultIdOf({ upserted: 3 })).toBeUndefined();
    expect(resultIdOf(undefined)).toBeUndefined();
  });
});

describe('audit entry ids and queries', () => {
  it('makes ids that sort by time', () => {
    const a = auditEntryId(new Date('2026-01-01T00:00:00.000Z'), () => 'ffffff');
    const b = auditEntryId(new Date('2026-01-01T00:00:00.001Z'), () => '000000');
    expect(a).toBe('2026-01-01T00:00:00.000Z#ffffff');
    expect(a < b).toBe(true);
  });

  it('parses from, to and limit', () => {
    expect(parseAuditQuery({})).toEqual({ query: { limit: 100 } });
    const parsed = parseAuditQuery({ from: '2026-01-01', to: '2026-01-02T07:00:00+07:00', limit: '5' });
    expect(parsed).toEqual({
      query: { from: new Date('2026-01-01T00:00:00Z'), to: new Date('2026-01-02T00:00:00Z'), limit: 5 },
    });
    expect(auditIdRange((parsed as { query: AuditQuery }).query)).toEqual({
      $gte: '2026-01-01T00:00:00.000Z',
      $lt: '2026-01-02T00:00:00.000Z',
    });
    expect(auditIdRange({ limit: 1 })).toBeUndefined();
  });

  it('refuses bad values with one problem each', () => {
    const result = parseAuditQuery({ from: 'yesterday', to: '2026-02-30', limit: '0' });
    expect(result).toEqual({
      problems: [
        'from: must be an ISO 8601 date or date-time',
        'to: not a real date',
        'limit: must be an integer from 1 to 1000',
      ],
    });
    expect(parseAuditQuery({ limit: '1001' })).toEqual({ problems: ['limit: must be an integer from 1 to 1000'] });
    expect(parseAuditQuery({ from: '2026-02-01', to: '2026-01-01' })).toEqual({
      problems: ['from: must not be after to'],
    });
  });
});
