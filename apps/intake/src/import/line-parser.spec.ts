import { checkChunk } from './import-chunk';
import { parseCsvHeader, parseCsvRow, recordToItem, RecordSplitter, type ImportFormat } from './line-parser';

function split(format: ImportFormat, ...pieces: (string | Buffer)[]) {
  const splitter = new RecordSplitter(format);
  return [...pieces.flatMap((piece) => splitter.push(piece)), ...splitter.end()];
}

describe('RecordSplitter', () => {
  it('splits NDJSON on LF and CRLF, skipping blank lines but counting them', () => {
    expect(split('ndjson', '{"a":1}\r\n\r\n  \n{"b":2}\n{"c":3}')).toEqual([
      { line: 1, text: '{"a":1}' },
      { line: 4, text: '{"b":2}' },
      { line: 5, text: '{"c":3}' },
    ]);
  });

  it('joins pieces cut anywhere, also inside a multi-byte character, and drops a byte-order mark', () => {
    const bytes = Buffer.from('\ufeff{"n":"Sở Tư pháp"}\n{"n":"x"}\n');
    const pieces = Array.from({ length: bytes.length }, (_, i) => bytes.subarray(i, i + 1));
    expect(split('ndjson', ...pieces)).toEqual([
      { line: 1, text: '{"n":"Sở Tư pháp"}' },
      { line: 2, text: '{"n":"x"}' },
    ]);
  });

  it('keeps a CSV row whose quoted cell spans lines together, numbered by its first line', () => {
    expect(split('csv', 'a,b\r\n1,"two\r\nlines, ""quoted"""\r\n\r\n3,4')).toEqual([
      { line: 1, text: 'a,b' },
      { line: 2, text: '1,"two\nlines, ""quoted"""' },
      { line: 5, text: '3,4' },
    ]);
  });

  it('hands over an unterminated quoted cell at the end', () => {
    expect(split('csv', 'a\n"open\nstill open')).toEqual([
      { line: 1, text: 'a' },
      { line: 2, text: '"open\nstill open' },
    ]);
  });
});

describe('parseCsvRow', () => {
  it('reads plain, empty and quoted cells (RFC 4180)', () => {
    expect(parseCsvRow('a,,"b,c","say ""hi""",')).toEqual({ ok: true, cells: ['a', '', 'b,c', 'say "hi"', ''] });
    expect(parseCsvRow('')).toEqual({ ok: true, cells: [''] });
    expect(parseCsvRow('"",x')).toEqual({ ok: true, cells: ['', 'x'] });
  });

  it('refuses malformed quoting', () => {
    expect(parseCsvRow('"open,x')).toMatchObject({ ok: false, reason: 'unterminated quoted cell' });
    expect(parseCsvRow('"a"b,c')).toMatchObject({ ok: false });
    expect(parseCsvRow('a"b,c')).toMatchObject({ ok: false, reason: 'quote inside unquoted cell 1' });
  });
});

describe('parseCsvHeader', () => {
  it('accepts the envelope and data columns in any order', () => {
    expect(parseCsvHeader('dossierCode,eventId,type,occurredAt,channel,agencyCode')).toEqual({
      ok: true,
      columns: ['dossierCode', 'eventId', 'type', 'occurredAt', 'channel', 'agencyCode'],
    });
  });

  it('names missing, unknown and repeated columns', () => {
    const parsed = parseCsvHeader('eventId,type,colour,type');
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.reason).toMatch(
      /unknown column\(s\) "colour".*missing column\(s\) occurredAt, dossierCode.*repeated column\(s\) type/,
    );
  });
});

describe('recordToItem', () => {
  const columns = ['eventId', 'type', 'occurredAt', 'dossierCode', 'procedureCode', 'agencyCode', 'channel', 'reason'];

  it('turns a CSV row into an event object; empty cells are absent', () => {
    expect(
      recordToItem('csv', 'e1,dossier.received,2017-03-14T09:12:00+07:00,D-1,1.001612,000.00.12.H56,online,', columns),
    ).toEqual({
      ok: true,
      item: {
        eventId: 'e1',
        type: 'dossier.received',
        occurredAt: '2017-03-14T09:12:00+07:00',
        dossierCode: 'D-1',
        data: { procedureCode: '1.001612', agencyCode: '000.00.12.H56', channel: 'online' },
      },
    });
    expect(recordToItem('csv', 'e2,dossier.rejected,,D-2,,,,"thiếu, sai"', columns)).toEqual({
      ok: true,
      item: { eventId: 'e2', type: 'dossier.rejected', dossierCode: 'D-2', data: { reason: 'thiếu, sai' } },
    });
  });

  it('reports a wrong cell count and bad JSON', () => {
    expect(recordToItem('csv', 'a,b', columns)).toEqual({ ok: false, reason: 'expected 8 cells, found 2' });
    const bad = recordToItem('ndjson', '{"eventId": ');
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.reason).toMatch(/^not valid JSON: /);
    expect(recordToItem('ndjson', '{"a":[1]}')).toEqual({ ok: true, item: { a: [1] } });
  });
});

describe('checkChunk: the checks of POST /v1/events, line by line', () => {
  const lookup = {
    hasAgency: (code: string) => code === 'A',
    hasField: () => true,
    hasProcedure: (code: string) => code === 'P',
  };
  const received = (eventId: string, procedureCode: string, agencyCode = 'A') =>
    JSON.stringify({
      eventId,
      type: 'dossier.received',
      occurredAt: '2017-03-14T09:12:00+07:00',
      dossierCode: `D-${eventId}`,
      data: { procedureCode, agencyCode, channel: 'online' },
    });

  it('keeps valid lines and rejects the others with line numbers and every reason', () => {
    const { events, rejections } = checkChunk(
      'ndjson',
      [],
      [
        { line: 1, text: received('e1', 'P') },
        { line: 2, text: received('e2', 'NOPE', 'B') },
        { line: 4, text: 'not json' },
        {
          line: 5,
          text: '{"eventId":"e 3","type":"dossier.resumed","occurredAt":"2017-03-14T09:12:00+07:00","dossierCode":"D"}',
        },
      ],
      lookup,
    );
    expect(events.map((event) => event.eventId)).toEqual(['e1']);
    expect(rejections).toEqual([
      { line: 2, reason: 'data.procedureCode: unknown procedure NOPE; data.agencyCode: unknown agency B' },
      { line: 4, reason: expect.stringMatching(/^not valid JSON/) as string },
      { line: 5, reason: 'eventId: must be 1-128 characters of [A-Za-z0-9._:-]' },
    ]);
  });
});
