import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import mongoose from 'mongoose';
import { chromium, type Browser, type Page } from 'playwright-core';
import { DOSSIER_OUTCOMES, type DossierSnapshot } from '@tthc/contracts';
import {
  call,
  mongoUrlFor,
  newNamespace,
  outcomeOf,
  produce,
  snapshotOf,
  startService,
  TEST_ADMIN_KEY,
  testConfig,
  waitFor,
  type RunningService,
} from '@tthc/testing';
import { IntakeModule } from '../apps/intake/src/intake.module';
import { columnHeading, FORM_06A_HEADINGS, FORM_06A_LAYOUT } from '../apps/reporting/src/reports/form-06a-layout';
import { ReportingModule } from '../apps/reporting/src/reporting.module';

/**
 * The web dashboard in real headless Chromium (Debian's, driven by playwright-core) against a real
 * reporting service fed over Kafka: it loads, shows exactly the figures the report API answers,
 * switches language, drills down from the overdue list to a dossier's timeline, exports, and saves
 * a screenshot to .local/screenshots/dashboard.png.
 */
const ROOT = join(__dirname, '..');
const SCREENSHOTS = join(ROOT, '.local/screenshots');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const YEAR = new Date().getUTCFullYear() - 1;
const BULK = 1234;

const AGENCIES = [
  { code: 'T-00', name: 'UBND tỉnh Thử Nghiệm', parentCode: null, level: 'province' },
  { code: 'T-01', name: 'Sở Tư pháp', parentCode: 'T-00', level: 'department' },
  { code: 'T-02', name: 'Sở Xây dựng', parentCode: 'T-00', level: 'department' },
];
const FIELDS = [
  { code: 'F-CT', name: 'Chứng thực' },
  { code: 'F-XD', name: 'Hoạt động xây dựng' },
];
const PROCEDURES = [
  {
    code: '1.001612',
    name: 'Chứng thực bản sao',
    fieldCode: 'F-CT',
    processingTime: { value: 2, unit: 'working_days' },
  },
  {
    code: '1.009972',
    name: 'Cấp giấy phép xây dựng',
    fieldCode: 'F-XD',
    processingTime: { value: 15, unit: 'working_days' },
  },
];

const DAY = 86_400_000;
const iso = (time: number) => new Date(time).toISOString();

/** A classified dossier of agency `T-01` (field F-CT) or `T-02` (F-XD). */
function dossier(
  code: string,
  agency: 1 | 2,
  receivedAt: number,
  dueAt: number,
  finish: { at: number; kind: 'resolved' | 'withdrawn' } | null,
  extra: Partial<DossierSnapshot> = {},
): DossierSnapshot {
  const received = iso(receivedAt);
  return snapshotOf({
    dossierCode: code,
    version: 1,
    status: finish === null ? 'processing' : finish.kind,
    agencyCode: `T-0${agency}`,
    receivingAgencyCode: `T-0${agency}`,
    fieldCode: agency === 1 ? 'F-CT' : 'F-XD',
    procedureCode: agency === 1 ? '1.001612' : '1.009972',
    channel: (['online', 'in_person', 'postal'] as const)[code.length % 3] ?? 'online',
    receivedAt: received,
    dueAt: iso(dueAt),
    dueHistory: [{ dueAt: iso(dueAt), reason: 'initial', effectiveAt: received }],
    finishedAt: finish === null ? null : iso(finish.at),
    finishKind: finish === null ? null : finish.kind,
    ...extra,
  });
}

/** BULK dossiers over the year (3 in 20 late, 2 in 20 on the due date, the rest early), a few more. */
function dossiers(): DossierSnapshot[] {
  const start = Date.UTC(YEAR, 0, 2, 2, 0);
  const list: DossierSnapshot[] = [];
  for (let i = 0; i < BULK; i += 1) {
    const received = start + (i % 330) * DAY + (i % 7) * 3_600_000;
    const due = received + 3 * DAY;
    const late = [0, 7, 13].includes(i % 20);
    const onDueDate = [3, 10].includes(i % 20);
    const finished = late ? due + 2 * DAY : onDueDate ? due - 3_600_000 : received + DAY;
    list.push(
      dossier(`T-${YEAR}-${String(i).padStart(5, '0')}`, ((i % 2) + 1) as 1 | 2, received, due, {
        at: finished,
        kind: 'resolved',
      }),
    );
  }
  // Previous year (the comparison), a withdrawn one, and pending overdue ones with a supplement wait.
  const previous = Date.UTC(YEAR - 1, 3, 1, 2, 0);
  for (let i = 0; i < 20; i += 1) {
    list.push(
      dossier(`T-${YEAR - 1}-${i}`, 1, previous + i * DAY, previous + (i + 3) * DAY, {
        at: previous + (i + 1) * DAY,
        kind: 'resolved',
      }),
    );
  }
  const december = Date.UTC(YEAR, 11, 1, 2, 0);
  list.push(dossier(`T-${YEAR}-RUT`, 2, december, december + 4 * DAY, { at: december + DAY, kind: 'withdrawn' }));
  const november = Date.UTC(YEAR, 10, 3, 2, 0);
  for (let i = 0; i < 3; i += 1) {
    const received = november + i * DAY;
    const supplementFrom = received + DAY;
    const supplementTo = received + 2 * DAY;
    const due = supplementTo + 3 * DAY;
    list.push(
      dossier(`T-${YEAR}-QH${i}`, ((i % 2) + 1) as 1 | 2, received, due, null, {
        waiting: [{ kind: 'supplement', from: iso(supplementFrom), to: iso(supplementTo) }],
        dueHistory: [
          { dueAt: iso(received + 3 * DAY), reason: 'initial', effectiveAt: iso(received) },
          { dueAt: iso(due), reason: 'supplement_restart', effectiveAt: iso(supplementTo) },
        ],
      }),
    );
  }
  return list;
}

// Formatting as the dashboard must show it, computed independently of its code (Intl, vi-VN / en-US).
const count = (value: number, lang: 'vi' | 'en') =>
  new Intl.NumberFormat(lang === 'vi' ? 'vi-VN' : 'en-US').format(value);
const rate = (value: number | null, lang: 'vi' | 'en') =>
  value === null
    ? '—'
    : `${new Intl.NumberFormat(lang === 'vi' ? 'vi-VN' : 'en-US', { maximumFractionDigits: 1 }).format(Math.round(value * 1000) / 10)}%`;

interface Summary {
  resolved: { total: number };
  onTimeRate: { resolved: number | null };
  previousPeriod?: { resolved: { total: number } };
}
interface Form06a {
  total: {
    received: { total: number; online: number; inPersonOrPostal: number; carriedOver: number };
    resolved: { total: number; early: number; onTime: number; late: number };
    pending: { total: number; withinDeadline: number; overdue: number };
  };
}

function headlineOf(summary: Summary, lang: 'vi' | 'en'): string {
  const n = count(summary.resolved.total, lang);
  const x = summary.onTimeRate.resolved;
  if (lang === 'vi')
    return x === null ? `${n} hồ sơ đã giải quyết` : `${n} hồ sơ đã giải quyết, ${rate(x, lang)} đúng hạn`;
  return x === null ? `${n} dossiers resolved` : `${n} dossiers resolved, ${rate(x, lang)} on time`;
}

const totalCells = (report: Form06a, lang: 'vi' | 'en') =>
  [
    report.total.received.total,
    report.total.received.online,
    report.total.received.inPersonOrPostal,
    report.total.received.carriedOver,
    report.total.resolved.total,
    report.total.resolved.early,
    report.total.resolved.onTime,
    report.total.resolved.late,
    report.total.pending.total,
    report.total.pending.withinDeadline,
    report.total.pending.overdue,
  ].map((value) => count(value, lang));

/** The English headings the page must show: the layout's (pinned in form-06a-layout.spec.ts). */
const ENGLISH_HEADINGS = FORM_06A_LAYOUT.columns.map((column) => columnHeading(column, 'en'));

describe('web dashboard in headless Chromium (real reporting service, Kafka, MongoDB)', () => {
  const namespace = newNamespace('dash');
  let intake: RunningService;
  let reporting: RunningService;
  let browser: Browser;
  let viewerKey: string;
  let db: mongoose.Connection;
  let screenshotTaken = false;
  const all = dossiers();

  const api = async <T>(path: string, key = TEST_ADMIN_KEY): Promise<T> => {
    const answer = await call(`${reporting.url}${path}`, { key });
    if (answer.status !== 200) throw new Error(`${path}: ${answer.status} ${answer.text}`);
    return answer.body as T;
  };

  beforeAll(async () => {
    const intakeConfig = testConfig('intake', namespace);
    intake = await startService(intakeConfig, IntakeModule.forRoot(intakeConfig));
    const config = testConfig('reporting', namespace);
    reporting = await startService(config, ReportingModule.forRoot(config));
    db = await mongoose.createConnection(mongoUrlFor(namespace)).asPromise();
    for (const [path, body] of [
      ['agencies', AGENCIES],
      ['fields', FIELDS],
      ['procedures', PROCEDURES],
    ] as const) {
      const answer = await call(`${intake.url}/v1/reference/${path}`, { method: 'PUT', body });
      expect(answer.status).toBe(200);
    }
    const viewer = await call(`${intake.url}/v1/admin/viewers`, {
      method: 'POST',
      body: { name: 'Văn phòng Sở Tư pháp', agencyCode: 'T-01' },
    });
    expect(viewer.status).toBe(201);
    viewerKey = (viewer.body as { key: string }).key;
    await produce(
      namespace,
      DOSSIER_OUTCOMES,
      all.map((snapshot) => outcomeOf(snapshot)),
    );
    // reporting learns the reference data and the viewer key from the compacted topics, and
    // the classified dossiers from the outcomes topic.
    const finished = all.filter((snapshot) => snapshot.finishedAt !== null).length;
    let seen = 'nothing yet';
    await waitFor(
      async () => {
        const reference = await api<{ agencies: unknown[]; procedures: unknown[] }>('/v1/reports/reference');
        const me = await call(`${reporting.url}/v1/me`, { key: viewerKey });
        const summary = await api<Summary>(`/v1/reports/summary?from=${YEAR - 1}-01-01&to=${YEAR}-12-31`);
        seen = `${reference.agencies.length} agencies, ${reference.procedures.length} procedures, viewer key ${me.status}, ${summary.resolved.total} of ${finished} resolved`;
        return reference.agencies.length === 3 &&
          reference.procedures.length === 2 &&
          me.status === 200 &&
          summary.resolved.total === finished
          ? true
          : undefined;
      },
      { what: 'reporting to know the reference data, the viewer key and every dossier', timeoutMs: 150_000 },
    ).catch((error: Error) => {
      throw new Error(`${error.message} (last seen: ${seen})`);
    });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    mkdirSync(SCREENSHOTS, { recursive: true });
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await Promise.all([intake?.close(), reporting?.close()]);
    await db?.dropDatabase().catch(() => undefined);
    await db?.close();
  });

  it('serves the page and its assets without a key, with their content types, and nothing outside', async () => {
    const page = await call(`${reporting.url}/`, { key: null });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(page.text).toContain('assets/app.js');
    for (const [asset, type] of [
      ['app.js', 'text/javascript; charset=utf-8'],
      ['i18n.js', 'text/javascript; charset=utf-8'],
      ['styles.css', 'text/css; charset=utf-8'],
    ]) {
      const answer = await call(`${reporting.url}/assets/${asset}`, { key: null });
      expect([asset, answer.status, answer.headers.get('content-type')]).toEqual([asset, 200, type]);
    }
    for (const path of [
      '/assets/..%2Fdashboard.module.ts',
      '/assets/%2e%2e%2f%2e%2e%2freporting.module.ts',
      '/assets/..%5C..%5Cpackage.json',
      '/assets/dashboard-assets.ts',
      '/assets/.hidden',
      '/assets/../../package.json',
    ]) {
      const answer = await call(`${reporting.url}${path}`, { key: null });
      expect([path, answer.status]).toEqual([path, 404]);
    }
    // The report API still asks for a key, and the OpenAPI document is still served.
    expect(
      (await call(`${reporting.url}/v1/reports/summary?from=2020-01-01&to=2020-01-31`, { key: null })).status,
    ).toBe(401);
    expect((await call(`${reporting.url}/docs`, { key: null })).status).toBe(200);
    const openapi = (await call(`${reporting.url}/docs-json`, { key: null })).body as {
      paths: Record<string, unknown>;
    };
    expect(Object.keys(openapi.paths)).toContain('/v1/reports/summary');
    expect(Object.keys(openapi.paths)).not.toContain('/');
  });

  async function signIn(page: Page, key: string): Promise<void> {
    await page.goto(`${reporting.url}/`);
    await page.locator('#signin-key').fill(key);
    await page.locator('#signin-form button[type=submit]').click();
    await page.locator('#dashboard').waitFor({ state: 'visible' });
  }

  const headline = (page: Page) => page.locator('#headline').innerText();

  async function expectHeadline(page: Page, expected: string): Promise<void> {
    await waitFor(async () => ((await headline(page)) === expected ? true : undefined), {
      what: `the headline "${expected}"`,
      timeoutMs: 20_000,
    }).catch(() => undefined); // the assertion below shows the difference
    expect(await headline(page)).toBe(expected);
  }

  it('signs in with the admin key and shows exactly the figures the API answers, in both languages', async () => {
    const context = await browser.newContext({
      viewport: { width: 1280, height: 900 },
      locale: 'vi-VN',
      acceptDownloads: true,
    });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });

    // A wrong key is refused at sign-in.
    await page.goto(`${reporting.url}/`);
    await expect(page.locator('html').getAttribute('lang')).resolves.toBe('vi');
    await page.locator('#signin-key').fill('not-a-valid-key-at-all');
    await page.locator('#signin-form button[type=submit]').click();
    await page.locator('#signin-error:not(:empty)').waitFor();
    expect(await page.locator('#signin-error').innerText()).toBe('Khóa không đúng hoặc đã bị thu hồi.');
    errors.length = 0; // the browser logs the 401 of that attempt

    // Default period: the current year (local date in Asia/Ho_Chi_Minh).
    await signIn(page, TEST_ADMIN_KEY);
    const thisYear = await page.locator('#f-from').inputValue();
    expect(thisYear).toMatch(/^\d{4}-01-01$/);
    const year = thisYear.slice(0, 4);
    expect(await page.locator('#f-to').inputValue()).toBe(`${year}-12-31`);
    const current = await api<Summary>(`/v1/reports/summary?from=${year}-01-01&to=${year}-12-31`);
    await expectHeadline(page, headlineOf(current, 'vi'));

    // Preset: the whole of last year.
    await page.locator('#f-year').selectOption(String(YEAR));
    await page.locator('#f-preset').selectOption('year');
    await page.locator('#filters-form button[type=submit]').click();
    const period = `from=${YEAR}-01-01&to=${YEAR}-12-31`;
    const summary = await api<Summary>(`/v1/reports/summary?${period}`);
    expect(summary.resolved.total).toBeGreaterThan(1000); // shows the thousands separator
    await expectHeadline(page, headlineOf(summary, 'vi'));
    expect(await headline(page)).toMatch(/^1\.\d{3} hồ sơ đã giải quyết, \d+(,\d)?% đúng hạn$/);
    expect(await page.locator('#comparison').innerText()).toContain(
      `${count(summary.previousPeriod?.resolved.total ?? -1, 'vi')} hồ sơ đã giải quyết`,
    );
    expect(await page.locator('#data-as-of').innerText()).toMatch(
      /^Số liệu cập nhật đến \d{2}\/\d{2}\/\d{4} \d{2}:\d{2}$/,
    );

    // Charts: one bar per month with a rate, bars by agency and by field.
    await page.locator('#trend svg').waitFor();
    expect(await page.locator('#trend svg rect.bar').count()).toBe(12);
    expect(await page.locator('#by-agency li').count()).toBe(2);
    expect(await page.locator('#by-field li').count()).toBe(2);
    expect(await page.locator('#by-field li').first().getAttribute('aria-label')).toMatch(/^Chứng thực: /);

    // II.06a: the 13 official headings, the total row equal to the API's.
    const form = await api<Form06a>(`/v1/reports/form-06a?${period}&rows=field`);
    expect(await page.locator('#form-06a th.col-heading').allInnerTexts()).toEqual([...FORM_06A_HEADINGS]);
    const total = page.locator('#form-06a tfoot tr td.num');
    expect(await total.allInnerTexts()).toEqual(totalCells(form, 'vi'));
    expect(await page.locator('#form-06a tfoot th').innerText()).toBe('Tổng cộng');
    expect(await page.locator('#form-06a tbody tr').count()).toBe(2);

    // Export: the CSV is downloaded with the key and carries the official headings.
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#export-csv').click()]);
    expect(download.suggestedFilename()).toBe(`bieu-II.06a_tat-ca_${YEAR}-01-01_${YEAR}-12-31.csv`);
    const csv = readFileSync(await download.path(), 'utf8');
    expect(csv.startsWith('\uFEFF')).toBe(true); // UTF-8 with BOM, as the API sends it
    expect(csv.split('\r\n')[0]).toContain('Biểu II.06a/VPCP/KSTT');
    expect(csv).toContain(FORM_06A_HEADINGS.join(','));

    // QĐ 766 indicators, when the API has them.
    await page.locator('#indicators-section').waitFor({ state: 'visible' });
    expect(await page.locator('#indicators tbody tr').count()).toBe(3);

    // Overdue list → dossier timeline.
    const overdue = await api<{ total: number; items: { code: string }[] }>(`/v1/reports/overdue?pageSize=20`);
    expect(overdue.total).toBe(3);
    const links = page.locator('#overdue .dossier-link');
    expect(await links.allInnerTexts()).toEqual(overdue.items.map((item) => item.code));
    expect(await page.locator('#overdue-pager').innerText()).toContain('3 hồ sơ');
    await page.locator('#overdue .sort-button[data-sort="code"]').click();
    await page.locator('#overdue th[aria-sort="ascending"] .sort-button[data-sort="code"]').waitFor();
    const sorted = await api<{ items: { code: string }[] }>(`/v1/reports/overdue?pageSize=20&sort=code&order=asc`);
    expect(await links.allInnerTexts()).toEqual(sorted.items.map((item) => item.code));
    const first = sorted.items[0]?.code as string;
    await links.first().click();
    await page.locator('#dossier-dialog ol.timeline li').first().waitFor();
    expect(await page.locator('#dossier-title').innerText()).toBe(`Hồ sơ ${first}`);
    const events = await page.locator('#dossier-dialog ol.timeline li span').allInnerTexts();
    expect(events[0]).toMatch(/^Tiếp nhận hồ sơ \((trực tuyến|trực tiếp|bưu chính)\)$/);
    expect(events).toEqual(
      expect.arrayContaining([
        'Yêu cầu bổ sung hồ sơ',
        'Đã bổ sung hồ sơ',
        expect.stringMatching(/^Hạn giải quyết: .*\(tính lại sau bổ sung\)$/),
      ]),
    );
    expect(await page.locator('#dossier-dialog svg.dossier-chart rect.wait.supplement').count()).toBe(1);
    await page.screenshot({ path: join(SCREENSHOTS, 'dashboard-dossier.png') });
    await page.locator('#dossier-close').click();
    await page.locator('#dossier-dialog').waitFor({ state: 'hidden' });

    await page.screenshot({ path: join(SCREENSHOTS, 'dashboard.png'), fullPage: true });
    screenshotTaken = true;

    // English: headings, headline and the rest switch without reloading.
    await page.locator('#lang-toggle').click();
    await expect(page.locator('html').getAttribute('lang')).resolves.toBe('en');
    expect(await page.locator('#form-06a th.col-heading').allInnerTexts()).toEqual(ENGLISH_HEADINGS);
    expect(await headline(page)).toBe(headlineOf(summary, 'en'));
    expect(await total.allInnerTexts()).toEqual(totalCells(form, 'en'));
    expect(await page.locator('#trend-title').innerText()).toBe('On-time rate over time');
    await page.screenshot({ path: join(SCREENSHOTS, 'dashboard-en.png'), fullPage: true });
    // The choice is remembered; back to Vietnamese.
    await page.reload();
    await page.locator('#dashboard').waitFor({ state: 'visible' });
    expect(await page.locator('#signin-title').textContent()).toBe('Sign in');
    await page.locator('#lang-toggle').click();
    expect(await page.locator('#trend-title').innerText()).toBe('Tỷ lệ đúng hạn theo thời gian');

    expect(errors).toEqual([]);
    await context.close();
  });

  it('signs in with a viewer key: its own subtree only; signs out', async () => {
    const context = await browser.newContext({ viewport: { width: 420, height: 900 } });
    const page = await context.newPage();
    await signIn(page, viewerKey);
    expect(await page.locator('#user-info').innerText()).toContain('Sở Tư pháp');
    expect(await page.locator('#f-agency option').allInnerTexts()).toEqual(['Toàn bộ phạm vi', 'Sở Tư pháp']);
    await page.locator('#f-from').fill(`${YEAR}-01-01`);
    await page.locator('#f-to').fill(`${YEAR}-06-30`);
    await page.locator('#f-to').dispatchEvent('change');
    expect(await page.locator('#f-preset').inputValue()).toBe('custom');
    await page.locator('#filters-form button[type=submit]').click();
    const summary = await api<Summary>(`/v1/reports/summary?from=${YEAR}-01-01&to=${YEAR}-06-30`, viewerKey);
    const everything = await api<Summary>(`/v1/reports/summary?from=${YEAR}-01-01&to=${YEAR}-06-30`);
    expect(summary.resolved.total).toBeLessThan(everything.resolved.total);
    await expectHeadline(page, headlineOf(summary, 'vi'));
    expect(await page.locator('#overdue .dossier-link').count()).toBe(2); // T-01's two of the three
    await page.screenshot({ path: join(SCREENSHOTS, 'dashboard-viewer-narrow.png'), fullPage: true });

    await page.locator('#signout').click();
    await page.locator('#signin').waitFor({ state: 'visible' });
    expect(await page.locator('#dashboard').isHidden()).toBe(true);
    expect(await page.evaluate('sessionStorage.length')).toBe(0);
    await context.close();
  });

  afterAll(() => {
    // The docs show the screenshot of the last run (docs/dashboard.md).
    if (screenshotTaken && process.env.TTHC_UPDATE_DOCS_SCREENSHOT === '1') {
      copyFileSync(join(SCREENSHOTS, 'dashboard.png'), join(ROOT, 'docs/dashboard.png'));
    }
  });
});
