/**
 * The static catalogue the simulator draws from: departments, districts with their commune counts,
 * fields and procedures (with the level that handles them, a processing time and a relative
 * volume). Names are real Vietnamese agency and procedure names; the codes are plausible, not
 * official (docs/counting-rules.md §10.4: `000.00.xx.Hnn` agency codes, `1.00xxxx` procedure codes, `Gxx-…` fields).
 */

export type ProcessingUnit = 'working_days' | 'working_hours' | 'calendar_days';

export interface CatalogueDepartment {
  /** Two-digit middle part of the code: `000.00.<slot>.Hnn`. */
  slot: string;
  name: string;
}

/** Provincial departments (Sở) and the province's public administration centre. */
export const DEPARTMENTS: readonly CatalogueDepartment[] = [
  { slot: '01', name: 'Văn phòng UBND tỉnh' },
  { slot: '02', name: 'Sở Nội vụ' },
  { slot: '03', name: 'Sở Tư pháp' },
  { slot: '04', name: 'Sở Kế hoạch và Đầu tư' },
  { slot: '05', name: 'Sở Tài chính' },
  { slot: '06', name: 'Sở Công Thương' },
  { slot: '07', name: 'Sở Nông nghiệp và Phát triển nông thôn' },
  { slot: '08', name: 'Sở Giao thông vận tải' },
  { slot: '09', name: 'Sở Xây dựng' },
  { slot: '10', name: 'Sở Tài nguyên và Môi trường' },
  { slot: '11', name: 'Sở Thông tin và Truyền thông' },
  { slot: '12', name: 'Sở Lao động - Thương binh và Xã hội' },
  { slot: '13', name: 'Sở Văn hóa, Thể thao và Du lịch' },
  { slot: '14', name: 'Sở Khoa học và Công nghệ' },
  { slot: '15', name: 'Sở Giáo dục và Đào tạo' },
  { slot: '16', name: 'Sở Y tế' },
  { slot: '17', name: 'Ban Quản lý các khu công nghiệp' },
];

/** Slot of the provincial public administration centre (receives most department dossiers in person). */
export const CENTRE_SLOT = '20';
export const CENTRE_NAME = 'Trung tâm Phục vụ hành chính công tỉnh';

export interface CatalogueDistrict {
  slot: string;
  name: string;
  /** Communes, wards and towns (cấp xã) in it. */
  communes: number;
  /** True for a city or town: its communes are mostly wards (phường). */
  urban: boolean;
}

/** The 11 district-level units of Tiền Giang before 2025 (172 commune-level units). */
export const DISTRICTS: readonly CatalogueDistrict[] = [
  { slot: '21', name: 'Thành phố Mỹ Tho', communes: 17, urban: true },
  { slot: '22', name: 'Thị xã Gò Công', communes: 12, urban: true },
  { slot: '23', name: 'Thị xã Cai Lậy', communes: 16, urban: true },
  { slot: '24', name: 'Huyện Tân Phước', communes: 12, urban: false },
  { slot: '25', name: 'Huyện Cái Bè', communes: 25, urban: false },
  { slot: '26', name: 'Huyện Cai Lậy', communes: 16, urban: false },
  { slot: '27', name: 'Huyện Châu Thành', communes: 23, urban: false },
  { slot: '28', name: 'Huyện Chợ Gạo', communes: 19, urban: false },
  { slot: '29', name: 'Huyện Gò Công Tây', communes: 13, urban: false },
  { slot: '30', name: 'Huyện Gò Công Đông', communes: 13, urban: false },
  { slot: '31', name: 'Huyện Tân Phú Đông', communes: 6, urban: false },
];

export const FIELDS: ReadonlyArray<{ code: string; name: string }> = [
  { code: 'G03-GD10', name: 'Chứng thực' },
  { code: 'G03-HT', name: 'Hộ tịch' },
  { code: 'G03-LLTP', name: 'Lý lịch tư pháp' },
  { code: 'G05-DKKD', name: 'Thành lập và hoạt động của doanh nghiệp' },
  { code: 'G05-HKD', name: 'Thành lập và hoạt động của hộ kinh doanh' },
  { code: 'G06-CT', name: 'Lưu thông hàng hóa trong nước' },
  { code: 'G07-NN', name: 'Nông nghiệp, thủy sản' },
  { code: 'G08-DB', name: 'Đường bộ' },
  { code: 'G09-XD', name: 'Hoạt động xây dựng' },
  { code: 'G10-DD', name: 'Đất đai' },
  { code: 'G10-MT', name: 'Môi trường' },
  { code: 'G12-BTXH', name: 'Bảo trợ xã hội' },
  { code: 'G12-LD', name: 'Việc làm, lao động' },
  { code: 'G13-VH', name: 'Văn hóa, thể thao, du lịch' },
  { code: 'G15-GD', name: 'Giáo dục và đào tạo' },
  { code: 'G16-YT', name: 'Khám bệnh, chữa bệnh và dược' },
  { code: 'G02-NV', name: 'Thi đua, khen thưởng' },
];

export type HandlingLevel = 'department' | 'district' | 'commune';

export interface CatalogueProcedure {
  code: string;
  name: string;
  fieldCode: string;
  processingTime: { value: number; unit: ProcessingUnit } | null;
  level: HandlingLevel;
  /** For department procedures: the department slot handling it. */
  department?: string;
  /** Relative volume within its level. */
  weight: number;
  /** Share of its dossiers that end in a financial-obligation pause (land, registration fees). */
  pauseRate?: number;
}

export const PROCEDURES: readonly CatalogueProcedure[] = [
  // Commune level (Bộ phận một cửa cấp xã): high volume, short limits ("trong ngày").
  {
    code: '1.001612',
    name: 'Chứng thực bản sao từ bản chính',
    fieldCode: 'G03-GD10',
    processingTime: { value: 4, unit: 'working_hours' },
    level: 'commune',
    weight: 40,
  },
  {
    code: '2.000884',
    name: 'Chứng thực chữ ký trong các giấy tờ, văn bản',
    fieldCode: 'G03-GD10',
    processingTime: { value: 8, unit: 'working_hours' },
    level: 'commune',
    weight: 12,
  },
  {
    code: '1.001193',
    name: 'Đăng ký khai sinh',
    fieldCode: 'G03-HT',
    processingTime: { value: 8, unit: 'working_hours' },
    level: 'commune',
    weight: 10,
  },
  {
    code: '1.000894',
    name: 'Đăng ký kết hôn',
    fieldCode: 'G03-HT',
    processingTime: { value: 8, unit: 'working_hours' },
    level: 'commune',
    weight: 3,
  },
  {
    code: '1.000656',
    name: 'Đăng ký khai tử',
    fieldCode: 'G03-HT',
    processingTime: { value: 8, unit: 'working_hours' },
    level: 'commune',
    weight: 3,
  },
  {
    code: '1.004873',
    name: 'Cấp giấy xác nhận tình trạng hôn nhân',
    fieldCode: 'G03-HT',
    processingTime: { value: 3, unit: 'working_days' },
    level: 'commune',
    weight: 6,
  },
  {
    code: '1.001022',
    name: 'Cấp bản sao trích lục hộ tịch',
    fieldCode: 'G03-HT',
    processingTime: { value: 8, unit: 'working_hours' },
    level: 'commune',
    weight: 5,
  },
  {
    code: '2.000286',
    name: 'Trợ cấp xã hội hằng tháng',
    fieldCode: 'G12-BTXH',
    processingTime: { value: 20, unit: 'calendar_days' },
    level: 'commune',
    weight: 2,
  },
  {
    code: '1.003583',
    name: 'Xác nhận hộ gia đình làm nông nghiệp',
    fieldCode: 'G07-NN',
    processingTime: { value: 5, unit: 'working_days' },
    level: 'commune',
    weight: 2,
  },
  // District level (Bộ phận một cửa cấp huyện).
  {
    code: '2.000575',
    name: 'Đăng ký thành lập hộ kinh doanh',
    fieldCode: 'G05-HKD',
    processingTime: { value: 3, unit: 'working_days' },
    level: 'district',
    weight: 8,
  },
  {
    code: '1.009994',
    name: 'Cấp giấy phép xây dựng nhà ở riêng lẻ',
    fieldCode: 'G09-XD',
    processingTime: { value: 15, unit: 'working_days' },
    level: 'district',
    weight: 6,
  },
  {
    code: '1.004227',
    name: 'Đăng ký biến động quyền sử dụng đất, tài sản gắn liền với đất',
    fieldCode: 'G10-DD',
    processingTime: { value: 10, unit: 'working_days' },
    level: 'district',
    weight: 20,
    pauseRate: 0.25,
  },
  {
    code: '1.004221',
    name: 'Cấp Giấy chứng nhận quyền sử dụng đất lần đầu',
    fieldCode: 'G10-DD',
    processingTime: { value: 30, unit: 'working_days' },
    level: 'district',
    weight: 5,
    pauseRate: 0.4,
  },
  {
    code: '2.000815',
    name: 'Chứng thực hợp đồng, giao dịch liên quan đến tài sản',
    fieldCode: 'G03-GD10',
    processingTime: { value: 2, unit: 'working_days' },
    level: 'district',
    weight: 10,
  },
  {
    code: '1.001695',
    name: 'Đăng ký khai sinh có yếu tố nước ngoài',
    fieldCode: 'G03-HT',
    processingTime: { value: 10, unit: 'working_days' },
    level: 'district',
    weight: 1,
  },
  {
    code: '1.001776',
    name: 'Giải quyết trợ cấp xã hội cho người khuyết tật',
    fieldCode: 'G12-BTXH',
    processingTime: { value: 20, unit: 'calendar_days' },
    level: 'district',
    weight: 3,
  },
  {
    code: '2.001157',
    name: 'Cấp giấy phép kinh doanh bán lẻ rượu',
    fieldCode: 'G06-CT',
    processingTime: { value: 10, unit: 'working_days' },
    level: 'district',
    weight: 2,
  },
  {
    code: '2.002000',
    name: 'Giải quyết khiếu nại lần đầu',
    fieldCode: 'G10-DD',
    processingTime: null,
    level: 'district',
    weight: 0.5,
  },
  // Department level (most received by the public administration centre).
  {
    code: '1.002804',
    name: 'Cấp đổi giấy phép lái xe',
    fieldCode: 'G08-DB',
    processingTime: { value: 5, unit: 'working_days' },
    level: 'department',
    department: '08',
    weight: 25,
  },
  {
    code: '1.001263',
    name: 'Đăng ký thành lập doanh nghiệp',
    fieldCode: 'G05-DKKD',
    processingTime: { value: 3, unit: 'working_days' },
    level: 'department',
    department: '04',
    weight: 10,
  },
  {
    code: '2.001610',
    name: 'Đăng ký thay đổi nội dung đăng ký doanh nghiệp',
    fieldCode: 'G05-DKKD',
    processingTime: { value: 3, unit: 'working_days' },
    level: 'department',
    department: '04',
    weight: 12,
  },
  {
    code: '2.000488',
    name: 'Cấp Phiếu lý lịch tư pháp',
    fieldCode: 'G03-LLTP',
    processingTime: { value: 10, unit: 'working_days' },
    level: 'department',
    department: '03',
    weight: 12,
  },
  {
    code: '1.004946',
    name: 'Cấp chứng chỉ hành nghề khám bệnh, chữa bệnh',
    fieldCode: 'G16-YT',
    processingTime: { value: 20, unit: 'working_days' },
    level: 'department',
    department: '16',
    weight: 3,
  },
  {
    code: '1.001865',
    name: 'Cấp giấy phép lao động cho người nước ngoài',
    fieldCode: 'G12-LD',
    processingTime: { value: 5, unit: 'working_days' },
    level: 'department',
    department: '12',
    weight: 3,
  },
  {
    code: '1.001978',
    name: 'Giải quyết hưởng trợ cấp thất nghiệp',
    fieldCode: 'G12-LD',
    processingTime: { value: 20, unit: 'calendar_days' },
    level: 'department',
    department: '12',
    weight: 8,
  },
  {
    code: '1.010727',
    name: 'Cấp giấy phép môi trường',
    fieldCode: 'G10-MT',
    processingTime: { value: 30, unit: 'calendar_days' },
    level: 'department',
    department: '10',
    weight: 1,
  },
  {
    code: '1.003712',
    name: 'Đăng ký biến động đất đai của tổ chức',
    fieldCode: 'G10-DD',
    processingTime: { value: 10, unit: 'working_days' },
    level: 'department',
    department: '10',
    weight: 6,
    pauseRate: 0.3,
  },
  {
    code: '1.005092',
    name: 'Cấp bản sao văn bằng, chứng chỉ từ sổ gốc',
    fieldCode: 'G15-GD',
    processingTime: { value: 1, unit: 'working_days' },
    level: 'department',
    department: '15',
    weight: 4,
  },
  {
    code: '2.000633',
    name: 'Cấp giấy phép kinh doanh phân phối rượu',
    fieldCode: 'G06-CT',
    processingTime: { value: 15, unit: 'working_days' },
    level: 'department',
    department: '06',
    weight: 1,
  },
  {
    code: '1.009972',
    name: 'Cấp chứng chỉ hành nghề hoạt động xây dựng',
    fieldCode: 'G09-XD',
    processingTime: { value: 20, unit: 'working_days' },
    level: 'department',
    department: '09',
    weight: 2,
  },
  {
    code: '1.003605',
    name: 'Cấp giấy chứng nhận cơ sở đủ điều kiện an toàn thực phẩm',
    fieldCode: 'G07-NN',
    processingTime: { value: 15, unit: 'working_days' },
    level: 'department',
    department: '07',
    weight: 2,
  },
  {
    code: '1.001029',
    name: 'Cấp giấy phép tổ chức biểu diễn nghệ thuật',
    fieldCode: 'G13-VH',
    processingTime: { value: 5, unit: 'working_days' },
    level: 'department',
    department: '13',
    weight: 1,
  },
  {
    code: '2.000346',
    name: 'Tặng Bằng khen của Chủ tịch UBND tỉnh',
    fieldCode: 'G02-NV',
    processingTime: { value: 20, unit: 'working_days' },
    level: 'department',
    department: '02',
    weight: 2,
  },
];

/** Share of all dossiers handled at each level (docs/counting-rules.md §10.1: most dossiers are commune ones). */
export const LEVEL_SHARES: Readonly<Record<HandlingLevel, number>> = { commune: 0.55, district: 0.3, department: 0.15 };

/** Mùng 1 Tết (docs/counting-rules.md §2 table), for the volume dip. */
export const TET: Readonly<Record<number, string>> = {
  2017: '2017-01-28',
  2018: '2018-02-16',
  2019: '2019-02-05',
  2020: '2020-01-25',
  2021: '2021-02-12',
  2022: '2022-02-01',
  2023: '2023-01-22',
  2024: '2024-02-10',
  2025: '2025-01-29',
  2026: '2026-02-17',
  2027: '2027-02-06',
};

/**
 * Online share of new dossiers by year. The sources of docs/counting-rules.md §10 give no series; these follow the national trend
 * (single-digit before the 2020 portal, about half by 2023–2024, most after the 2025 reform).
 */
export const ONLINE_SHARE: Readonly<Record<number, number>> = {
  2017: 0.05,
  2018: 0.08,
  2019: 0.12,
  2020: 0.2,
  2021: 0.3,
  2022: 0.4,
  2023: 0.48,
  2024: 0.55,
  2025: 0.6,
  2026: 0.65,
  2027: 0.7,
};

export function onlineShareOf(year: number): number {
  if (year <= 2017) return ONLINE_SHARE[2017] as number;
  if (year >= 2027) return ONLINE_SHARE[2027] as number;
  return ONLINE_SHARE[year] as number;
}

export const SUPPLEMENT_REASONS = [
  'Thiếu bản sao giấy tờ tùy thân',
  'Tờ khai chưa đúng mẫu',
  'Thiếu giấy tờ chứng minh quyền sử dụng đất',
  'Bản vẽ chưa đúng quy định',
  'Thông tin kê khai không thống nhất',
];

export const REJECT_REASONS = ['Không thuộc thẩm quyền giải quyết', 'Hồ sơ không đủ điều kiện tiếp nhận'];
