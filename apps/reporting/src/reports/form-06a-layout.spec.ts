import { columnHeading, FORM_06A_HEADINGS, FORM_06A_LAYOUT, form06aNumbers } from './form-06a-layout';
import type { Form06aFigures } from './report-math';

describe('the II.06a layout (docs/counting-rules.md §9)', () => {
  it('has the 13 official column headings of Circular 01/2020/TT-VPCP, numbered (3)–(13)', () => {
    expect(FORM_06A_HEADINGS).toEqual([
      'STT',
      'Lĩnh vực/Đơn vị',
      'Tổng số hồ sơ tiếp nhận (3)',
      'Trực tuyến (4)',
      'Trực tiếp và dịch vụ bưu chính (5)',
      'Từ kỳ trước chuyển qua (6)',
      'Tổng số đã giải quyết (7)',
      'Trước hạn (8)',
      'Đúng hạn (9)',
      'Quá hạn (10)',
      'Tổng số đang giải quyết (11)',
      'Trong hạn (12)',
      'Quá hạn (13)',
    ]);
    expect(FORM_06A_LAYOUT.code).toBe('Biểu II.06a/VPCP/KSTT');
  });

  it('numbers the columns 1–13 and has English headings for every one', () => {
    expect(FORM_06A_LAYOUT.columns.map((column) => column.number)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]);
    expect(FORM_06A_LAYOUT.columns.map((column) => columnHeading(column, 'en'))).toEqual([
      'No.',
      'Field/Unit',
      'Total received (3)',
      'Online (4)',
      'In person and postal (5)',
      'Carried over (6)',
      'Total resolved (7)',
      'Early (8)',
      'On time (9)',
      'Late (10)',
      'Total pending (11)',
      'Within deadline (12)',
      'Overdue (13)',
    ]);
  });

  it('groups (3)–(6) received, (7)–(10) resolved, (11)–(13) pending', () => {
    expect(FORM_06A_LAYOUT.groups.map((group) => group.columns)).toEqual([
      [3, 4, 5, 6],
      [7, 8, 9, 10],
      [11, 12, 13],
    ]);
  });

  it('reads each figure column from its own figure', () => {
    const figures: Form06aFigures = {
      received: { total: 3, online: 4, inPersonOrPostal: 5, carriedOver: 6 },
      resolved: { total: 7, early: 8, onTime: 9, late: 10 },
      pending: { total: 11, withinDeadline: 12, overdue: 13 },
    };
    expect(form06aNumbers(figures)).toEqual([3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]);
  });
});
