import { nameIndex, prefixAgency, resolveUnit, type AgencyDirectory } from './agency-resolution';
import {
  foldName,
  formatPortalDate,
  parsePortalDate,
  parseProgress,
  parseSnapshot,
  unwrapBody,
} from './portal-records';

describe('portal dates', () => {
  it.each([
    ['20170314091200', '2017-03-14T09:12:00+07:00'],
    ['20170314', '2017-03-14T00:00:00+07:00'],
    [' 20171231235959 ', '2017-12-31T23:59:59+07:00'],
    [20170314091200, '2017-03-14T09:12:00+07:00'],
    ['', undefined],
    [undefined, undefined],
    [null, undefined],
    ['2017-03-14', null],
    ['20170230120000', null],
    ['20170314250000', null],
    ['201703140912', null],
    [{}, null],
  ])('%p → %p', (input, expected) => {
    expect(parsePortalDate(input)).toBe(expected);
  });

  it('formats an instant in Vietnam local time', () => {
    expect(formatPortalDate('2017-03-14T02:12:00.000Z')).toBe('20170314091200');
    expect(formatPortalDate('2017-12-31T23:59:59+07:00')).toBe('20171231235959');
  });
});

describe('parseSnapshot', () => {
  const base = {
    MaHoSo: 'HS-1',
    MaTTHC: '1.001612',
    KenhThucHien: '2',
    NgayTiepNhan: '20170314091200',
    TrangThaiHoSo: '2',
    DonViXuLy: 'Sở Tư pháp',
  };

  it('reads strings, numbers and empty values leniently, ignoring unknown fields', () => {
    const parsed = parseSnapshot(
      { ...base, TrangThaiHoSo: 4, NgayHenTra: '', Extra: 'x', DanhSachHoSoBoSung: null },
      0,
    );
    expect(parsed).toEqual({
      ok: true,
      record: {
        maHoSo: 'HS-1',
        procedureCode: '1.001612',
        channel: 'online',
        receivedAt: '2017-03-14T09:12:00+07:00',
        status: 4,
        unit: 'Sở Tư pháp',
        supplements: [],
      },
    });
  });

  it.each<[string, Record<string, unknown>, string[]]>([
    ['missing MaHoSo', { MaHoSo: '' }, ['MaHoSo is required']],
    ['missing MaTTHC', { MaTTHC: undefined }, ['MaTTHC is required']],
    ['unknown MaTTHC', { MaTTHC: '9.99' }, ['MaTTHC unknown procedure 9.99']],
    ['status 11', { TrangThaiHoSo: '11' }, ['TrangThaiHoSo must be a status code 1–10']],
    ['status text', { TrangThaiHoSo: 'xong' }, ['TrangThaiHoSo must be a status code 1–10']],
    ['channel 9', { KenhThucHien: '9' }, ['KenhThucHien must be 1, 2 or 3, got "9"']],
    ['received without NgayTiepNhan', { NgayTiepNhan: '' }, ['NgayTiepNhan is required with TrangThaiHoSo 2']],
    [
      'a malformed date',
      { NgayTra: '14/03/2017' },
      ['NgayTra must be a date yyyyMMddHHmmss (Vietnam local time), got "14/03/2017"'],
    ],
    [
      'a malformed supplement date',
      { DanhSachHoSoBoSung: [{ NgayBoSung: 'x' }] },
      ['DanhSachHoSoBoSung.0.NgayBoSung must be a date yyyyMMddHHmmss (Vietnam local time), got "x"'],
    ],
    [
      'refused without any date',
      { TrangThaiHoSo: '3', NgayTiepNhan: '' },
      ['NgayTuChoi is required with TrangThaiHoSo 3'],
    ],
  ])('%s is refused with its field', (_, change, messages) => {
    const parsed = parseSnapshot({ ...base, ...change }, 7, (code) => code === '1.001612');
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.problems.map((p) => `${p.field} ${p.message}`)).toEqual(messages);
    expect(parsed.problems.every((p) => p.index === 7)).toBe(true);
  });

  it('a refused dossier (3) needs no procedure', () => {
    expect(parseSnapshot({ MaHoSo: 'HS-2', TrangThaiHoSo: '3', NgayTuChoi: '20170314100000' }, 0).ok).toBe(true);
  });

  it('a record that is not an object is refused', () => {
    expect(parseSnapshot('hello', 0).ok).toBe(false);
  });
});

describe('parseProgress', () => {
  it('needs MaHoSo, ThoiDiemXuLy and TrangThai; keeps the step deadline and the new due', () => {
    expect(
      parseProgress(
        {
          MaHoSo: 'HS-1',
          ThoiDiemXuLy: '20170315080000',
          TrangThai: '5',
          NgayKetThucTheoQuyDinh: '20170316170000',
          NgayHenTra: '20170320170000',
          NoiDungXuLy: 'Yêu cầu bổ sung',
        },
        0,
      ),
    ).toEqual({
      ok: true,
      record: {
        maHoSo: 'HS-1',
        at: '2017-03-15T08:00:00+07:00',
        status: 5,
        content: 'Yêu cầu bổ sung',
        stepDeadline: '2017-03-16T17:00:00+07:00',
        dueAt: '2017-03-20T17:00:00+07:00',
      },
    });
    const missing = parseProgress({ MaHoSo: 'HS-1', TrangThai: '5' }, 3);
    expect(missing.ok ? [] : missing.problems.map((p) => p.field)).toEqual(['ThoiDiemXuLy']);
    const bad = parseProgress({ MaHoSo: 'HS-1', TrangThai: '5', ThoiDiemXuLy: 'soon' }, 3);
    expect(bad.ok ? [] : bad.problems.map((p) => p.field)).toEqual(['ThoiDiemXuLy']);
  });
});

describe('unwrapBody', () => {
  it.each<[string, unknown, 'DongBoHoSoMC' | 'CapNhatTienDoHoSoMC' | undefined, string]>([
    ['a bare array on its route', [{}], 'DongBoHoSoMC', 'ok DongBoHoSoMC 1'],
    ['the wrapped form', { service: 'CapNhatTienDoHoSoMC', data: [{}, {}] }, undefined, 'ok CapNhatTienDoHoSoMC 2'],
    ['data without service on a route', { data: [{}] }, 'CapNhatTienDoHoSoMC', 'ok CapNhatTienDoHoSoMC 1'],
    ['a bare array without a route', [{}], undefined, 'error'],
    ['the other service on a route', { service: 'CapNhatTienDoHoSoMC', data: [] }, 'DongBoHoSoMC', 'error'],
    ['an unknown service', { service: 'LayDanhMuc', data: [] }, undefined, 'error'],
    ['data not an array', { service: 'DongBoHoSoMC', data: {} }, undefined, 'error'],
    ['a string', 'x', undefined, 'error'],
  ])('%s', (_, body, route, expected) => {
    const result = unwrapBody(body, route);
    expect(result.ok ? `ok ${result.service} ${result.records.length}` : 'error').toBe(expected);
  });
});

describe('agency resolution', () => {
  const agencies = [
    { code: '000.00.03.H56', name: 'Sở Tư pháp' },
    { code: '000.00.20.H56', name: 'Trung tâm Phục vụ hành chính công' },
    { code: '000.01.21.H56', name: 'UBND xã Tân Hòa' },
    { code: '000.02.22.H56', name: 'UBND Xã Tân Hoà' },
  ];
  const codes = new Set(agencies.map((a) => a.code));
  const names = nameIndex(agencies);
  const directory: AgencyDirectory = { has: (code) => codes.has(code), named: (folded) => names.get(folded) ?? [] };

  it('folds Vietnamese names', () => {
    expect(foldName('  SỞ  TƯ PHÁP ')).toBe('so tu phap');
    expect(foldName('Đồng Tháp')).toBe('dong thap');
  });

  it.each<[string, string | undefined, string, readonly string[] | 'admin', string]>([
    ['a known code in DonViXuLy', '000.00.03.H56', 'X-1', 'admin', '000.00.03.H56 code'],
    ['a unique name, accents and case aside', 'so tu phap', 'X-1', 'admin', '000.00.03.H56 name'],
    [
      'a name of two agencies → the MaHoSo prefix',
      'UBND xa Tan Hoa',
      '000.02.22.H56-170314-0001',
      'admin',
      '000.02.22.H56 prefix',
    ],
    ['no unit → the prefix', undefined, '000.00.03.H56-170314-0001', 'admin', '000.00.03.H56 prefix'],
    ["nothing else → the key's only agency", 'Sở Khác', 'X-1', ['000.00.03.H56'], '000.00.03.H56 key'],
    [
      'the centre received, the department handles',
      'Sở Tư pháp',
      '000.00.20.H56-170314-0001',
      'admin',
      '000.00.03.H56 name',
    ],
  ])('%s', (_, unit, maHoSo, key, expected) => {
    const result = resolveUnit(unit, maHoSo, directory, key);
    expect(result.ok ? `${result.agencyCode} ${result.via}` : result.message).toBe(expected);
  });

  it('keeps the prefix as the receiving agency', () => {
    expect(resolveUnit('Sở Tư pháp', '000.00.20.H56-170314-0001', directory, 'admin')).toMatchObject({
      receivingAgencyCode: '000.00.20.H56',
    });
    expect(prefixAgency('HS-1', directory)).toBeUndefined();
  });

  it.each<[string | undefined, RegExp]>([
    ['UBND xã Tân Hòa', /names 2 agencies/],
    ['Sở Không Có', /neither a known agency code nor the name of one/],
    [undefined, /DonViXuLy is missing/],
  ])('refuses %p with a clear message', (unit, message) => {
    const result = resolveUnit(unit, 'HS-1', directory, ['000.00.03.H56', '000.00.20.H56']);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toMatch(message);
  });
});
