import { csvCell, csvLine, neutraliseText } from './csv';

describe('CSV cells (formula injection)', () => {
  it('neutralises text starting with =, +, -, @, tab or CR with a leading quote', () => {
    expect(csvCell('=1+2')).toBe("'=1+2");
    expect(csvCell('+1')).toBe("'+1");
    expect(csvCell('-1')).toBe("'-1");
    expect(csvCell('@SUM(A1:A2)')).toBe("'@SUM(A1:A2)");
    expect(csvCell('\t=1+2')).toBe('"\'\t=1+2"');
    expect(csvCell('\r=1+2')).toBe('"\'\r=1+2"');
    expect(csvCell('=HYPERLINK("http://x","a")')).toBe('"\'=HYPERLINK(""http://x"",""a"")"');
    expect(neutraliseText("=cmd|' /C calc'!A0")).toBe("'=cmd|' /C calc'!A0");
  });

  it('leaves other text and every number as they are: negative numbers stay numbers', () => {
    expect(csvCell('Sở Tư pháp')).toBe('Sở Tư pháp');
    expect(csvCell('a=b')).toBe('a=b');
    expect(csvCell('')).toBe('');
    expect(csvCell(-3)).toBe('-3');
    expect(csvCell(0)).toBe('0');
    expect(csvCell(12.5)).toBe('12.5');
  });

  it('quotes commas, semicolons, quotes and line breaks', () => {
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('a;b')).toBe('"a;b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvLine([1, '=1+2', -4, 'x'])).toBe("1,'=1+2,-4,x");
  });
});
