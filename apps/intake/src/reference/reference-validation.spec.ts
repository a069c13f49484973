import type { Agency } from '@tthc/contracts';
import { validateAgencies, validateCalendar, validateFields, validateProcedures } from './reference-validation';

const agency = (code: string, parentCode: string | null): Agency => ({
  code,
  name: code,
  parentCode,
  level: parentCode === null ? 'province' : 'district',
});

describe('reference upload validation (docs/api.md §3)', () => {
  it('wants a JSON array and reports schema problems by index and path', () => {
    expect(validateFields({ code: 'F' })).toEqual({
      ok: false,
      problems: [{ path: '', message: 'the body must be a JSON array' }],
    });
    const result = validateFields([{ code: 'F1', name: 'ok' }, { code: '' }]);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems.map((p) => `${p.index}:${p.path}`).sort()).toEqual(['1:code', '1:name']);
  });

  it('rejects codes repeated within an upload', () => {
    const result = validateFields([
      { code: 'F1', name: 'a' },
      { code: 'F1', name: 'b' },
    ]);
    expect(result).toEqual({
      ok: false,
      problems: [{ index: 1, path: 'code', message: 'F1 appears twice in the upload' }],
    });
  });

  it('checks agencies against those known: unknown parent, cycle', () => {
    expect(validateAgencies([agency('D', 'P')], [agency('P', null)])).toEqual({ ok: true, items: [agency('D', 'P')] });
    const unknownParent = validateAgencies([agency('D', 'NOPE')], []);
    expect(unknownParent.ok || unknownParent.problems[0]).toEqual({
      index: 0,
      path: 'parentCode',
      message: 'unknown parent agency NOPE',
    });
    const cycle = validateAgencies([agency('X', 'Y')], [agency('Y', 'X')]);
    expect(cycle.ok).toBe(false);
    if (!cycle.ok) expect(cycle.problems[0]?.message).toMatch(/cycle/);
  });

  it('wants every procedure field known', () => {
    const procedure = (code: string, fieldCode: string) => ({ code, name: code, fieldCode, processingTime: null });
    const known = (code: string) => code === 'F1';
    expect(validateProcedures([procedure('1.001', 'F1')], known).ok).toBe(true);
    expect(validateProcedures([procedure('1.001', 'F1'), procedure('1.002', 'F9')], known)).toEqual({
      ok: false,
      problems: [{ index: 1, path: 'fieldCode', message: 'unknown field F9' }],
    });
    const badTime = validateProcedures(
      [{ ...procedure('1.003', 'F1'), processingTime: { value: -1, unit: 'x' } }],
      known,
    );
    expect(badTime.ok).toBe(false);
  });

  it('validates a calendar year table', () => {
    expect(validateCalendar('2026', { holidays: ['2026-01-01'], workingSaturdays: [] })).toEqual({
      ok: true,
      value: { year: 2026, holidays: ['2026-01-01'], workingSaturdays: [] },
    });
    expect(validateCalendar('26', { holidays: [], workingSaturdays: [] }).ok).toBe(false);
    expect(validateCalendar('2026', [])).toMatchObject({ ok: false });
    expect(validateCalendar('2026', { year: 2025, holidays: [], workingSaturdays: [] })).toMatchObject({ ok: false });
    expect(validateCalendar('2026', { holidays: ['2026-02-30'], workingSaturdays: [] })).toMatchObject({
      ok: false,
      problems: [{ path: 'holidays.0' }],
    });
    expect(validateCalendar('2026', { holidays: ['2025-12-31'], workingSaturdays: ['2026-01-05'] })).toEqual({
      ok: false,
      problems: [
        { path: 'holidays.0', message: '2025-12-31 is not in 2026' },
        { path: 'workingSaturdays.0', message: '2026-01-05 is not a Saturday' },
      ],
    });
  });
});
