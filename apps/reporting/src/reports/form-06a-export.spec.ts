import { ValueType, Workbook } from 'exceljs';
import { form06aCsv, form06aFilename, form06aXlsx, type Form06aReport } from './form-06a-export';
import { FORM_06A_HEADINGS } from './form-06a-layout';

type XlsxInput = Parameters<Workbook['xlsx']['load']>[0];

const report: Form06aReport = {
  period: { from: '2017-01-01', to: '2017-03-31' },
  agency: { code: '000.00.12.H56', name: 'Sở Tư pháp' },
  rows: [
    {
      key: 'G03-GD10',
      name: 'Chứng thực, "bản sao"',
      received: { total: 10, online: 4, inPersonOrPostal: 5, carriedOver: 1 },
      resolved: { total: 8, early: 5, onTime: 2, late: 1 },
      pending: { total: 2, withinDeadline: 1, overdue: 1 },
    },
  ],
  total: {
    received: { total: 10, online: 4, inPersonOrPostal: 5, carriedOver: 1 },
    resolved: { total: 8, early: 5, onTime: 2, late: 1 },
    pending: { total: 2, withinDeadline: 1, overdue: 1 },
  },
};

describe('II.06a exports', () => {
  it('writes CSV with a BOM, the title, the official headings, the rows and "Tổng cộng"', () => {
    const csv = form06aCsv(report);
    expect(csv.startsWith('\uFEFF')).toBe(true);
    const lines = csv.slice(1).trimEnd().split('\r\n');
    expect(lines[0]).toContain('Biểu II.06a/VPCP/KSTT');
    expect(lines[1]).toBe('"Đơn vị: Sở Tư pháp (000.00.12.H56); Kỳ báo cáo: từ ngày 01/01/2017 đến ngày 31/03/2017"');
    expect(lines[2]).toBe(FORM_06A_HEADINGS.join(','));
    expect(lines[2]).toContain('Trực tiếp và dịch vụ bưu chính (5)');
    expect(lines[3]).toBe('1,"Chứng thực, ""bản sao""",10,4,5,1,8,5,2,1,2,1,1');
    expect(lines[4]).toBe(',Tổng cộng,10,4,5,1,8,5,2,1,2,1,1');
    expect(lines).toHaveLength(5);
  });

  it('writes an XLSX that reads back with the same headings and numbers', async () => {
    const workbook = new Workbook();
    await workbook.xlsx.load((await form06aXlsx(report)) as unknown as XlsxInput);
    const sheet = workbook.getWorksheet('II.06a');
    expect(sheet).toBeDefined();
    const values = (row: number) => (sheet?.getRow(row).values as unknown[]).slice(1);
    expect(String(values(1)[0])).toContain('Biểu II.06a/VPCP/KSTT');
    expect(values(3)).toEqual([...FORM_06A_HEADINGS]);
    expect(values(4)).toEqual([1, 'Chứng thực, "bản sao"', 10, 4, 5, 1, 8, 5, 2, 1, 2, 1, 1]);
    expect(values(5).slice(1)).toEqual(['Tổng cộng', 10, 4, 5, 1, 8, 5, 2, 1, 2, 1, 1]);
  });

  const hostile: Form06aReport = {
    ...report,
    agency: { code: '000.00.12.H56', name: '=1+2' },
    rows: [
      { ...report.rows[0]!, key: 'F1', name: '=1+2' },
      { ...report.rows[0]!, key: 'F2', name: '@SUM(A1:A9)' },
      { ...report.rows[0]!, key: 'F3', name: '-2+3' },
    ],
  };

  it('neutralises hostile names in CSV (leading quote) and keeps the figures numbers', () => {
    const lines = form06aCsv(hostile).slice(1).trimEnd().split('\r\n');
    expect(lines[3]).toBe("1,'=1+2,10,4,5,1,8,5,2,1,2,1,1");
    expect(lines[4]).toBe("2,'@SUM(A1:A9),10,4,5,1,8,5,2,1,2,1,1");
    expect(lines[5]).toBe("3,'-2+3,10,4,5,1,8,5,2,1,2,1,1");
    // The agency name sits inside the title text, not at the start of a cell.
    expect(lines[1]?.startsWith('"Đơn vị: =1+2 (000.00.12.H56)')).toBe(true);
    for (const line of lines) expect(line).not.toMatch(/(^|,)[=+\-@]/);
  });

  it('writes hostile names to XLSX as string cells, never formulas', async () => {
    const workbook = new Workbook();
    await workbook.xlsx.load((await form06aXlsx(hostile)) as unknown as XlsxInput);
    const sheet = workbook.getWorksheet('II.06a');
    const cell = sheet?.getRow(4).getCell(2);
    expect(cell?.type).toBe(ValueType.String);
    expect(cell?.value).toBe('=1+2');
    expect(sheet?.getRow(5).getCell(2).type).toBe(ValueType.String);
    expect(sheet?.getRow(4).getCell(3).type).toBe(ValueType.Number);
    let formulas = 0;
    sheet?.eachRow((row) =>
      row.eachCell((each) => {
        if (each.type === ValueType.Formula) formulas += 1;
      }),
    );
    expect(formulas).toBe(0);
  });

  it('names the attachment after the agency and period', () => {
    expect(form06aFilename(report, 'xlsx')).toBe('bieu-II.06a_000.00.12.H56_2017-01-01_2017-03-31.xlsx');
    expect(form06aFilename({ ...report, agency: { code: '*', name: 'Tất cả' } }, 'csv')).toBe(
      'bieu-II.06a_tat-ca_2017-01-01_2017-03-31.csv',
    );
  });
});
