// The reporting dashboard: a dependency-free single-page app on the report API (docs/dashboard.md).
import { barList, h, svg, trendChart } from './charts.js';
import {
  formatDate,
  formatInstant,
  formatNumber,
  formatRate,
  formatSigned,
  periodLabel,
  presetPeriod,
  todayLocal,
} from './format.js';
import { LANGUAGES, translate } from './i18n.js';

const KEY_STORAGE = 'tthc-dashboard.key';
const LANG_STORAGE = 'tthc-dashboard.lang';
const INTERVALS = ['day', 'week', 'month', 'quarter', 'year'];
const FORM_ROWS = ['field', 'agency', 'procedure'];
const OVERDUE_PAGE_SIZE = 20;

const $ = (id) => document.getElementById(id);

const state = {
  lang: readLanguage(),
  key: sessionStorage.getItem(KEY_STORAGE),
  me: null,
  reference: null,
  /** The II.06a layout served by the API (GET /v1/reports/form-06a/layout): columns, headings, groups. */
  formLayout: null,
  filters: null,
  interval: 'month',
  rows: 'field',
  overdue: { page: 1, sort: 'daysOverdue', order: 'desc' },
  data: {},
  generation: 0,
};

function readLanguage() {
  const stored = localStorage.getItem(LANG_STORAGE);
  return LANGUAGES.includes(stored) ? stored : 'vi';
}

const t = (key, params) => translate(state.lang, key, params);
const num = (value, digits = 0) => formatNumber(value, state.lang, digits);
const pct = (rate) => formatRate(rate, state.lang);

/** A message with its `{param}` values set in <strong> (for the headline). */
function emphasised(key, params) {
  const template = translate(state.lang, key);
  const nodes = [];
  let last = 0;
  for (const match of template.matchAll(/\{(\w+)\}/g)) {
    nodes.push(document.createTextNode(template.slice(last, match.index)));
    nodes.push(h('strong', { text: params[match[1]] ?? match[0], 'data-part': match[1] }));
    last = match.index + match[0].length;
  }
  nodes.push(document.createTextNode(template.slice(last)));
  return nodes;
}

function setStatus(text) {
  $('status').textContent = text;
}

// ------------------------------------------------------------------------------------------- API

class ApiError extends Error {
  constructor(status, detail) {
    super(detail);
    this.status = status;
  }
}

async function request(path, params = {}, key = state.key) {
  const query = new URLSearchParams(
    Object.entries(params).filter(([, value]) => value !== undefined && value !== null && value !== ''),
  ).toString();
  const response = await fetch(`${path}${query === '' ? '' : `?${query}`}`, {
    headers: { Authorization: `Bearer ${key}`, Accept: 'application/json' },
  });
  if (!response.ok) {
    let detail = `HTTP ${response.status}`;
    try {
      const body = await response.json();
      if (typeof body.detail === 'string') detail = body.detail;
    } catch {
      // not a problem document
    }
    if (response.status === 401 && key === state.key) expireSession();
    throw new ApiError(response.status, detail);
  }
  return response;
}

async function api(path, params) {
  return (await request(path, params)).json();
}

function expireSession() {
  signOut();
  $('signin-error').textContent = t('common.sessionExpired');
}

// --------------------------------------------------------------------------------------- sign-in

async function signIn(key) {
  const error = $('signin-error');
  error.textContent = '';
  setStatus(t('signin.busy'));
  try {
    const me = await (await request('/v1/me', {}, key)).json();
    state.key = key;
    state.me = me;
    sessionStorage.setItem(KEY_STORAGE, key);
    await enterDashboard();
  } catch (caught) {
    setStatus('');
    if (caught instanceof ApiError && caught.status === 401) error.textContent = t('signin.invalid');
    else if (caught instanceof ApiError && caught.status === 403) error.textContent = t('signin.forbidden');
    else error.textContent = t('signin.failed', { error: caught.message });
    showSignIn();
  }
}

function signOut() {
  sessionStorage.removeItem(KEY_STORAGE);
  state.key = null;
  state.me = null;
  state.reference = null;
  state.data = {};
  state.generation += 1;
  $('dossier-dialog').open && $('dossier-dialog').close();
  showSignIn();
}

function showSignIn() {
  $('dashboard').hidden = true;
  $('signout').hidden = true;
  $('user-info').hidden = true;
  $('signin').hidden = false;
  $('signin-key').value = '';
  $('data-as-of').textContent = '';
  setStatus('');
  $('signin-key').focus();
}

async function enterDashboard() {
  $('signin').hidden = true;
  $('signout').hidden = false;
  setStatus(t('common.loading'));
  [state.reference, state.formLayout] = await Promise.all([
    api('/v1/reports/reference'),
    state.formLayout ?? api('/v1/reports/form-06a/layout'),
  ]);
  if (state.filters === null) state.filters = initialFilters();
  renderUser();
  renderFilterControls();
  $('dashboard').hidden = false;
  await loadAll();
}

function renderUser() {
  const me = state.me;
  if (me === null) return;
  const info = $('user-info');
  info.hidden = false;
  const role = t(`role.${me.role}`);
  const scope = me.agencyCode === undefined ? null : agencyName(me.agencyCode);
  info.replaceChildren(
    ...[
      h('span', { text: t('user.signedInAs', { name: me.name ?? '', role }) }),
      scope === null ? null : h('span', { class: 'muted', text: ` · ${t('user.scope', { agency: scope })}` }),
    ].filter((node) => node !== null),
  );
}

/** The name of a report's agency ("*" is the whole country's data of an admin key). */
const scopeName = (agency) => (agency.code === '*' ? t('agency.all') : agency.name);

function agencyName(code) {
  const agency = state.reference?.agencies.find((candidate) => candidate.code === code);
  return agency === undefined ? code : agency.name;
}

// --------------------------------------------------------------------------------------- filters

function initialFilters() {
  const today = todayLocal();
  const year = Number(today.slice(0, 4));
  const filters = { year, preset: 'year', ...presetPeriod(year, 'year'), agency: '' };
  const hash = new URLSearchParams(location.hash.slice(1));
  const from = hash.get('from');
  const to = hash.get('to');
  if (isDate(from) && isDate(to) && from <= to) Object.assign(filters, { from, to, preset: presetOf(from, to) });
  const agency = hash.get('agency');
  if (agency !== null && state.reference.agencies.some((candidate) => candidate.code === agency)) {
    filters.agency = agency;
  }
  if (filters.preset !== 'custom') filters.year = Number(filters.from.slice(0, 4));
  return filters;
}

const isDate = (value) => typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value);

function presets() {
  return ['year', 'q1', 'q2', 'q3', 'q4', ...Array.from({ length: 12 }, (_, index) => `m${index + 1}`), 'custom'];
}

function presetOf(from, to) {
  const year = Number(from.slice(0, 4));
  for (const preset of presets()) {
    const period = presetPeriod(year, preset);
    if (period !== null && period.from === from && period.to === to) return preset;
  }
  return 'custom';
}

function presetText(preset) {
  if (preset === 'year') return t('filters.preset.year');
  if (preset === 'custom') return t('filters.preset.custom');
  const n = preset.slice(1);
  return t(preset.startsWith('q') ? 'filters.preset.quarter' : 'filters.preset.month', { n });
}

function options(select, entries, selected) {
  select.replaceChildren(
    ...entries.map(([value, text]) => h('option', { value, text, selected: String(value) === String(selected) })),
  );
}

/** Agencies in tree order (parents first), indented by depth. */
function agencyOptions() {
  const agencies = state.reference?.agencies ?? [];
  const codes = new Set(agencies.map((agency) => agency.code));
  const children = new Map();
  for (const agency of agencies) {
    const parent = agency.parentCode !== null && codes.has(agency.parentCode) ? agency.parentCode : null;
    if (!children.has(parent)) children.set(parent, []);
    children.get(parent).push(agency);
  }
  const ordered = [];
  const walk = (parent, depth) => {
    for (const agency of (children.get(parent) ?? []).sort((a, b) => a.name.localeCompare(b.name, 'vi'))) {
      ordered.push([agency.code, `${'\u00a0\u00a0'.repeat(depth)}${agency.name}`]);
      walk(agency.code, depth + 1);
    }
  };
  walk(null, 0);
  return [['', t('filters.agency.all')], ...ordered];
}

function renderFilterControls() {
  const filters = state.filters;
  const currentYear = Number(todayLocal().slice(0, 4));
  const years = [];
  for (let year = currentYear; year >= currentYear - 10; year -= 1) years.push(year);
  if (!years.includes(filters.year)) years.push(filters.year);
  options(
    $('f-year'),
    years.sort((a, b) => b - a).map((year) => [year, String(year)]),
    filters.year,
  );
  options(
    $('f-preset'),
    presets().map((preset) => [preset, presetText(preset)]),
    filters.preset,
  );
  $('f-from').value = filters.from;
  $('f-to').value = filters.to;
  options($('f-agency'), agencyOptions(), filters.agency);
  options(
    $('f-interval'),
    INTERVALS.map((interval) => [interval, t(`interval.${interval}`)]),
    state.interval,
  );
  options(
    $('f-rows'),
    FORM_ROWS.map((rows) => [rows, t(`form.rows.${rows}`)]),
    state.rows,
  );
}

function onPresetChange() {
  const year = Number($('f-year').value);
  const preset = $('f-preset').value;
  const period = presetPeriod(year, preset);
  if (period !== null) {
    $('f-from').value = period.from;
    $('f-to').value = period.to;
  }
}

function onDateEdited() {
  const from = $('f-from').value;
  const to = $('f-to').value;
  if (!isDate(from) || !isDate(to)) return;
  $('f-preset').value = presetOf(from, to);
  const year = from.slice(0, 4);
  if ([...$('f-year').options].some((option) => option.value === year)) $('f-year').value = year;
}

function applyFilters(event) {
  event?.preventDefault();
  const from = $('f-from').value;
  const to = $('f-to').value;
  const error = $('filters-error');
  if (!isDate(from) || !isDate(to) || from > to) {
    error.textContent = t('filters.invalid');
    return;
  }
  error.textContent = '';
  state.filters = {
    year: Number($('f-year').value),
    preset: presetOf(from, to),
    from,
    to,
    agency: $('f-agency').value,
  };
  $('f-preset').value = state.filters.preset;
  state.overdue.page = 1;
  const hash = new URLSearchParams({
    from,
    to,
    ...(state.filters.agency === '' ? {} : { agency: state.filters.agency }),
  });
  history.replaceState(null, '', `#${hash.toString()}`);
  void loadAll();
}

// ------------------------------------------------------------------------------------- data load

const scopeParams = () => ({ agency: state.filters.agency });
const periodParams = () => ({ from: state.filters.from, to: state.filters.to, ...scopeParams() });

async function loadAll() {
  const generation = ++state.generation;
  setStatus(t('common.loading'));
  $('dashboard').setAttribute('aria-busy', 'true');
  const tasks = {
    summary: api('/v1/reports/summary', periodParams()),
    timeseries: api('/v1/reports/timeseries', { ...periodParams(), interval: state.interval }),
    byAgency: api('/v1/reports/form-06a', { ...periodParams(), agency: breakdownAgency(), rows: 'agency' }),
    byField: api('/v1/reports/form-06a', { ...periodParams(), rows: 'field' }),
    indicators: api('/v1/reports/indicators', { ...periodParams(), agency: breakdownAgency() }),
    overdue: loadOverdueData(),
  };
  tasks.form = state.rows === 'field' ? tasks.byField : loadFormData();
  const names = Object.keys(tasks);
  const settled = await Promise.allSettled(Object.values(tasks));
  if (generation !== state.generation) return;
  state.data = Object.fromEntries(settled.map((result, index) => [names[index], result]));
  $('dashboard').removeAttribute('aria-busy');
  setStatus('');
  renderAll();
}

/**
 * The agency whose direct children the "by agency" bars and the QĐ 766 rows show: the chosen one, or, for the whole
 * scope, its single top agency when there is one (a province's departments rather than one bar).
 */
function breakdownAgency() {
  if (state.filters.agency !== '') return state.filters.agency;
  const agencies = state.reference?.agencies ?? [];
  const codes = new Set(agencies.map((agency) => agency.code));
  const roots = agencies.filter((agency) => agency.parentCode === null || !codes.has(agency.parentCode));
  return roots.length === 1 ? roots[0].code : '';
}

function loadFormData() {
  return api('/v1/reports/form-06a', { ...periodParams(), rows: state.rows });
}

function loadOverdueData() {
  return api('/v1/reports/overdue', {
    ...scopeParams(),
    page: state.overdue.page,
    pageSize: OVERDUE_PAGE_SIZE,
    sort: state.overdue.sort,
    order: state.overdue.order,
  });
}

async function reloadPart(name, loader, render) {
  const generation = state.generation;
  const result = await loader().then(
    (value) => ({ status: 'fulfilled', value }),
    (reason) => ({ status: 'rejected', reason }),
  );
  if (generation !== state.generation) return;
  state.data[name] = result;
  render();
}

// ------------------------------------------------------------------------------------- rendering

function renderAll() {
  renderSummary();
  renderTrend();
  renderBreakdowns();
  renderForm();
  renderIndicators();
  renderOverdue();
}

/** The fulfilled value of a load, or renders its error into `container` and returns undefined. */
function valueOr(result, container) {
  if (result === undefined) {
    container.replaceChildren(h('p', { class: 'muted', text: t('common.loading') }));
    return undefined;
  }
  if (result.status === 'rejected') {
    container.replaceChildren(h('p', { class: 'error', text: t('common.error', { error: result.reason.message }) }));
    return undefined;
  }
  return result.value;
}

function renderSummary() {
  const headline = $('headline');
  const summary = valueOr(state.data.summary, headline);
  const kpis = $('kpis');
  if (summary === undefined) {
    $('comparison').textContent = '';
    $('headline-period').textContent = '';
    kpis.replaceChildren();
    $('data-as-of').textContent = '';
    return;
  }
  const count = num(summary.resolved.total);
  const rate = summary.onTimeRate.resolved;
  headline.replaceChildren(
    ...emphasised(rate === null ? 'headline.noRate' : 'headline.text', { count, rate: pct(rate) }),
  );
  $('headline-period').textContent = t('headline.period', {
    from: formatDate(summary.period.from),
    to: formatDate(summary.period.to),
    agency: scopeName(summary.agency),
  });
  const previous = summary.previousPeriod;
  const comparison = $('comparison');
  if (previous === undefined) comparison.textContent = '';
  else if (previous.resolved.total === 0) comparison.textContent = t('compare.none');
  else {
    const text = t('compare.text', {
      from: formatDate(previous.period.from),
      to: formatDate(previous.period.to),
      count: num(previous.resolved.total),
      rate: pct(previous.onTimeRate.resolved),
    });
    const delta =
      rate === null || previous.onTimeRate.resolved === null
        ? null
        : Math.round((rate - previous.onTimeRate.resolved) * 1000) / 10;
    const trend = delta === null ? '' : delta > 0 ? 'up' : delta < 0 ? 'down' : 'flat';
    comparison.replaceChildren(
      document.createTextNode(`${text} `),
      h('span', {
        class: `delta ${trend}`,
        text: t('compare.delta', {
          delta: formatSigned(delta, state.lang, 1),
          countDelta: formatSigned(summary.resolved.total - previous.resolved.total, state.lang),
        }),
      }),
    );
  }
  const { received, resolved, pending, onTimeRate } = summary;
  const share = received.new === 0 ? null : received.newByChannel.online / received.new;
  const kpi = (label, value, detail) =>
    h('div', { class: 'kpi' }, [
      h('p', { class: 'kpi-label', text: label }),
      h('p', { class: 'kpi-value', text: value }),
      detail === null ? null : h('p', { class: 'kpi-detail muted', text: detail }),
    ]);
  kpis.replaceChildren(
    kpi(
      t('kpi.received'),
      num(received.total),
      t('kpi.receivedDetail', { new: num(received.new), carried: num(received.carriedOver) }),
    ),
    kpi(t('kpi.online'), num(received.newByChannel.online), t('kpi.onlineDetail', { share: pct(share) })),
    kpi(
      t('kpi.resolved'),
      num(resolved.total),
      t('kpi.resolvedDetail', { early: num(resolved.early), onTime: num(resolved.onTime), late: num(resolved.late) }),
    ),
    kpi(
      t('kpi.pending'),
      num(pending.total),
      t('kpi.pendingDetail', { within: num(pending.withinDeadline), overdue: num(pending.overdue) }),
    ),
    kpi(t('kpi.rateDue'), pct(onTimeRate.due), null),
    kpi(t('kpi.rateAll'), pct(onTimeRate.all), null),
  );
  $('data-as-of').textContent =
    summary.dataAsOf === null || summary.dataAsOf === undefined
      ? t('common.dataAsOfNone')
      : t('common.dataAsOf', { time: formatInstant(summary.dataAsOf) });
}

function rateOf(point) {
  if (point.onTimeRate !== undefined) return point.onTimeRate.resolved;
  return null;
}

const resolvedCount = (value) => (typeof value === 'number' ? value : (value?.total ?? 0));

function renderTrend() {
  const container = $('trend');
  const series = valueOr(state.data.timeseries, container);
  if (series === undefined) return;
  const interval = series.interval ?? state.interval;
  const points = series.points.map((point) => {
    const label = periodLabel(point.period, interval, state.lang);
    const resolved = resolvedCount(point.resolved);
    const rate = rateOf(point);
    return {
      label,
      rate,
      resolved,
      tooltip: `${formatDate(point.period.from)} – ${formatDate(point.period.to)}: ${pct(rate)} · ${t('bars.count', { count: num(resolved) })}`,
      point,
    };
  });
  if (points.length === 0) {
    container.replaceChildren(h('p', { class: 'muted', text: t('common.noData') }));
    return;
  }
  const chart = trendChart(points, {
    title: t('trend.title'),
    rateText: (rate) => pct(rate),
    countText: (count) => num(count),
  });
  const table = h('table', { class: 'data-table compact' }, [
    h('thead', {}, [
      h('tr', {}, [
        h('th', { scope: 'col', text: t('trend.period') }),
        h('th', { scope: 'col', class: 'num', text: t('trend.received') }),
        h('th', { scope: 'col', class: 'num', text: t('trend.resolved') }),
        h('th', { scope: 'col', class: 'num', text: t('trend.rate') }),
      ]),
    ]),
    h(
      'tbody',
      {},
      points.map(({ point, resolved, rate }) =>
        h('tr', {}, [
          h('th', { scope: 'row', text: `${formatDate(point.period.from)} – ${formatDate(point.period.to)}` }),
          h('td', { class: 'num', text: num(resolvedCount(point.received)) }),
          h('td', { class: 'num', text: num(resolved) }),
          h('td', { class: 'num', text: pct(rate) }),
        ]),
      ),
    ),
  ]);
  container.replaceChildren(
    chart,
    h('details', { class: 'chart-data' }, [
      h('summary', { text: t('trend.tableSummary') }),
      h('div', { class: 'table-scroll' }, [table]),
    ]),
  );
}

/** On-time rate of a II.06a row: (early + on time) / resolved. */
const formRowRate = (row) =>
  row.resolved.total === 0 ? null : (row.resolved.early + row.resolved.onTime) / row.resolved.total;

function renderBreakdowns() {
  for (const [name, id] of [
    ['byAgency', 'by-agency'],
    ['byField', 'by-field'],
  ]) {
    const container = $(id);
    const report = valueOr(state.data[name], container);
    if (report === undefined) continue;
    const rows = report.rows
      .filter((row) => row.resolved.total > 0 || row.received.total > 0)
      .map((row) => {
        const rate = formRowRate(row);
        const count = num(row.resolved.total);
        return {
          name: row.name,
          rate,
          rateText: pct(rate),
          countLabel: t('bars.count', { count }),
          label: t('bars.item', { name: row.name, rate: pct(rate), count }),
        };
      });
    container.replaceChildren(barList(rows, { emptyText: t('common.noData') }));
  }
}

/** The figure columns (3)–(13) of a II.06a row, in the layout's order. */
function formNumbers(figures) {
  return state.formLayout.columns
    .filter((column) => column.figure !== null)
    .map((column) => {
      const [group, name] = column.figure.split('.');
      return figures[group][name];
    });
}

/** A column heading as the form prints it: the text, then `(n)` for the figure columns. */
function formHeading(column) {
  const text = column.heading[state.lang] ?? column.heading.vi;
  return column.figure === null ? text : `${text} (${column.number})`;
}

function renderForm() {
  const container = $('form-06a');
  const report = valueOr(state.data.form, container);
  if (report === undefined) return;
  const layout = state.formLayout;
  const headings = layout.columns.map(formHeading);
  const heading = (index, attributes = {}) =>
    h('th', { scope: 'col', class: 'col-heading', 'data-col': index + 1, ...attributes, text: headings[index] });
  const firstFigure = layout.columns.findIndex((column) => column.figure !== null);
  const table = h('table', { class: 'data-table form-06a', id: 'form-06a-table' }, [
    h('caption', {
      text: t('form.caption', {
        agency: scopeName(report.agency),
        from: formatDate(report.period.from),
        to: formatDate(report.period.to),
      }),
    }),
    h('thead', {}, [
      h('tr', {}, [
        ...headings.slice(0, firstFigure).map((_, index) => heading(index, { rowspan: 2 })),
        ...layout.groups.map((group) =>
          h('th', {
            scope: 'colgroup',
            colspan: group.columns.length,
            class: 'group',
            text: group.heading[state.lang] ?? group.heading.vi,
          }),
        ),
      ]),
      h(
        'tr',
        {},
        headings.slice(firstFigure).map((_, index) => heading(index + firstFigure, { class: 'col-heading num' })),
      ),
    ]),
    h(
      'tbody',
      {},
      report.rows.length === 0
        ? [h('tr', {}, [h('td', { colspan: headings.length, class: 'muted', text: t('common.noData') })])]
        : report.rows.map((row, index) =>
            h('tr', { 'data-key': row.key }, [
              h('td', { class: 'num', text: String(index + 1) }),
              h('th', { scope: 'row', text: row.name }),
              ...formNumbers(row).map((value) => h('td', { class: 'num', text: num(value) })),
            ]),
          ),
    ),
    h('tfoot', {}, [
      h('tr', { class: 'total-row' }, [
        h('td', {}),
        h('th', { scope: 'row', text: layout.totalLabel[state.lang] ?? layout.totalLabel.vi }),
        ...formNumbers(report.total).map((value) => h('td', { class: 'num', text: num(value) })),
      ]),
    ]),
  ]);
  container.replaceChildren(table);
}

function renderIndicators() {
  const section = $('indicators-section');
  const result = state.data.indicators;
  if (result === undefined || result.status !== 'fulfilled' || !Array.isArray(result.value.rows)) {
    section.hidden = true;
    return;
  }
  section.hidden = false;
  const rows = result.value.rows;
  const table = h('table', { class: 'data-table' }, [
    h('thead', {}, [
      h(
        'tr',
        {},
        [
          ['indicators.agency', ''],
          ['indicators.part', ''],
          ['indicators.progressRate', 'num'],
          ['indicators.progressPoints', 'num'],
          ['indicators.onlineShare', 'num'],
          ['indicators.onlinePoints', 'num'],
        ].map(([key, cls]) => h('th', { scope: 'col', class: cls, text: t(key) })),
      ),
    ]),
    h(
      'tbody',
      {},
      rows.map((row, index) => {
        const progress = row.indicators?.processingProgress ?? {};
        const online = row.indicators?.onlineShare ?? {};
        return h('tr', { class: index === 0 ? 'strong' : undefined }, [
          h('th', { scope: 'row', text: row.agency?.name ?? '' }),
          h('td', { text: row.part === 'own' ? t('indicators.part.own') : t('indicators.part.whole') }),
          h('td', { class: 'num', text: pct(progress.rate ?? null) }),
          h('td', { class: 'num', text: num(progress.points ?? null, 2) }),
          h('td', { class: 'num', text: pct(online.share ?? null) }),
          h('td', { class: 'num', text: num(online.points ?? null, 2) }),
        ]);
      }),
    ),
  ]);
  $('indicators').replaceChildren(table);
}

const OVERDUE_COLUMNS = [
  { key: 'code', sort: 'code' },
  { key: 'agency', sort: 'agency' },
  { key: 'procedure', sort: null },
  { key: 'dueAt', sort: 'dueAt', num: true },
  { key: 'daysOverdue', sort: 'daysOverdue', num: true },
];

function renderOverdue() {
  const container = $('overdue');
  const pager = $('overdue-pager');
  const list = valueOr(state.data.overdue, container);
  if (list === undefined) {
    pager.replaceChildren();
    return;
  }
  const headerCell = (column) => {
    const label = t(`overdue.${column.key}`);
    if (column.sort === null) return h('th', { scope: 'col', text: label });
    const active = state.overdue.sort === column.sort;
    const ariaSort = active ? (state.overdue.order === 'asc' ? 'ascending' : 'descending') : undefined;
    return h('th', { scope: 'col', class: column.num ? 'num' : undefined, 'aria-sort': ariaSort }, [
      h(
        'button',
        {
          type: 'button',
          class: 'sort-button',
          'data-sort': column.sort,
          title: t('overdue.sortBy', { column: label }),
          onclick: () => sortOverdue(column.sort),
        },
        [
          document.createTextNode(label),
          h('span', {
            class: 'sort-mark',
            'aria-hidden': 'true',
            text: active ? (state.overdue.order === 'asc' ? ' ▲' : ' ▼') : ' ↕',
          }),
        ],
      ),
    ]);
  };
  const rows =
    list.items.length === 0
      ? [h('tr', {}, [h('td', { colspan: 5, class: 'muted', text: t('overdue.empty') })])]
      : list.items.map((item) =>
          h('tr', {}, [
            h('th', { scope: 'row' }, [
              h('button', {
                type: 'button',
                class: 'link-button dossier-link',
                'data-code': item.code,
                text: item.code,
                onclick: () => void openDossier(item.code),
              }),
            ]),
            h('td', { text: item.agency?.name ?? item.agency?.code ?? '' }),
            h('td', { text: item.procedure?.name ?? item.procedure?.code ?? '' }),
            h('td', { class: 'num', text: formatInstant(item.dueAt) }),
            h('td', { class: 'num', text: num(item.daysOverdue) }),
          ]),
        );
  container.replaceChildren(
    h('table', { class: 'data-table overdue-table' }, [
      h('thead', {}, [h('tr', {}, OVERDUE_COLUMNS.map(headerCell))]),
      h('tbody', {}, rows),
    ]),
  );
  const pages = Math.max(1, Math.ceil(list.total / list.pageSize));
  pager.setAttribute('aria-label', t('overdue.title'));
  pager.replaceChildren(
    h('button', {
      type: 'button',
      class: 'button secondary',
      text: t('overdue.prev'),
      disabled: list.page <= 1,
      onclick: () => pageOverdue(list.page - 1),
    }),
    h('span', {
      class: 'muted',
      text: t('overdue.page', { page: num(list.page), pages: num(pages), total: num(list.total) }),
    }),
    h('button', {
      type: 'button',
      class: 'button secondary',
      text: t('overdue.next'),
      disabled: list.page >= pages,
      onclick: () => pageOverdue(list.page + 1),
    }),
  );
}

function sortOverdue(sort) {
  if (state.overdue.sort === sort) state.overdue.order = state.overdue.order === 'asc' ? 'desc' : 'asc';
  else {
    state.overdue.sort = sort;
    state.overdue.order = sort === 'daysOverdue' ? 'desc' : 'asc';
  }
  state.overdue.page = 1;
  void reloadPart('overdue', loadOverdueData, renderOverdue).then(() =>
    document.querySelector(`#overdue .sort-button[data-sort="${sort}"]`)?.focus(),
  );
}

function pageOverdue(page) {
  state.overdue.page = page;
  void reloadPart('overdue', loadOverdueData, renderOverdue);
}

// -------------------------------------------------------------------------------- dossier detail

let openDossierCode = null;
let openDossierData = null;
let lastDossierTrigger = null;

async function openDossier(code) {
  const dialog = $('dossier-dialog');
  openDossierCode = code;
  lastDossierTrigger = code;
  openDossierData = null;
  $('dossier-title').textContent = t('dossier.title', { code });
  $('dossier-body').replaceChildren(h('p', { class: 'muted', text: t('common.loading') }));
  if (!dialog.open) dialog.showModal();
  try {
    const dossier = await api(`/v1/reports/dossiers/${encodeURIComponent(code)}`);
    if (openDossierCode !== code) return;
    openDossierData = dossier;
    renderDossier();
  } catch (caught) {
    if (openDossierCode !== code) return;
    $('dossier-body').replaceChildren(h('p', { class: 'error', text: t('common.error', { error: caught.message }) }));
  }
}

/** The dossier's events in time order: receipt, due changes, waiting intervals, finish. */
function dossierEvents(dossier) {
  const snapshot = dossier.snapshot ?? dossier;
  const events = [
    {
      at: snapshot.receivedAt,
      kind: 'received',
      text: t('event.received', { channel: t(`channel.${snapshot.channel}`) }),
    },
  ];
  for (const interval of snapshot.waiting ?? []) {
    const supplement = interval.kind === 'supplement';
    events.push({ at: interval.from, kind: 'wait', text: t(supplement ? 'event.supplementFrom' : 'event.pauseFrom') });
    if (interval.to !== null) {
      events.push({ at: interval.to, kind: 'resume', text: t(supplement ? 'event.supplementTo' : 'event.pauseTo') });
    }
  }
  if (snapshot.rescheduledDueAt) {
    events.push({
      at: snapshot.rescheduledAt ?? snapshot.rescheduledDueAt,
      kind: 'rescheduled',
      text: t('event.rescheduled', { due: formatInstant(snapshot.rescheduledDueAt) }),
    });
  }
  for (const change of snapshot.dueHistory ?? []) {
    events.push({
      at: change.effectiveAt,
      kind: 'due',
      text:
        change.dueAt === null
          ? `${t('event.dueNone')} (${t(`reason.${change.reason}`)})`
          : `${t('event.due', { due: formatInstant(change.dueAt) })} (${t(`reason.${change.reason}`)})`,
    });
  }
  if (snapshot.finishedAt !== null && snapshot.finishedAt !== undefined) {
    events.push({ at: snapshot.finishedAt, kind: 'finished', text: t(`event.finished.${snapshot.finishKind}`) });
  }
  return events
    .map((event, index) => ({ ...event, index, time: Date.parse(event.at) }))
    .sort((a, b) => a.time - b.time || a.index - b.index);
}

/** Text anchor keeping a label at `x` inside a chart `width` wide. */
const anchorAt = (x, width) => (x < width * 0.25 ? 'start' : x > width * 0.75 ? 'end' : 'middle');

/** A horizontal bar from receipt to finish (or now): waiting intervals shaded, due dates marked, lateness red. */
function dossierChart(snapshot) {
  const start = Date.parse(snapshot.receivedAt);
  const finish = snapshot.finishedAt ? Date.parse(snapshot.finishedAt) : Date.now();
  const dues = (snapshot.dueHistory ?? [])
    .filter((change) => change.dueAt !== null)
    .map((change) => Date.parse(change.dueAt));
  const end = Math.max(finish, ...dues, start + 1);
  const width = 720;
  const left = 16;
  const right = 16;
  const x = (time) => left + ((time - start) / (end - start)) * (width - left - right);
  const chart = svg('svg', {
    viewBox: `0 0 ${width} 90`,
    class: 'chart dossier-chart',
    role: 'img',
    'aria-label': t('dossier.chart'),
  });
  chart.append(svg('title', {}, [t('dossier.chart')]));
  chart.append(
    svg('rect', { x: x(start), y: 30, width: Math.max(1, x(finish) - x(start)), height: 16, class: 'span' }),
  );
  for (const interval of snapshot.waiting ?? []) {
    const from = Date.parse(interval.from);
    const to = interval.to === null ? finish : Date.parse(interval.to);
    const rect = svg('rect', {
      x: x(from),
      y: 30,
      width: Math.max(1, x(to) - x(from)),
      height: 16,
      class: interval.kind === 'supplement' ? 'wait supplement' : 'wait pause',
    });
    rect.append(svg('title', {}, [t(interval.kind === 'supplement' ? 'event.supplementFrom' : 'event.pauseFrom')]));
    chart.append(rect);
  }
  const current = snapshot.dueAt === null ? null : Date.parse(snapshot.dueAt);
  if (current !== null && finish > current) {
    const late = svg('rect', {
      x: x(current),
      y: 30,
      width: Math.max(1, x(finish) - x(current)),
      height: 16,
      class: 'late',
    });
    late.append(svg('title', {}, [t('outcome.late')]));
    chart.append(late);
  }
  for (const due of new Set(dues)) {
    chart.append(
      svg('line', { x1: x(due), x2: x(due), y1: 20, y2: 56, class: due === current ? 'due current' : 'due' }),
    );
  }
  if (current !== null) {
    chart.append(
      svg('text', { x: x(current), y: 14, class: 'axis-label', 'text-anchor': anchorAt(x(current), width) }, [
        `${t('dossier.dueAt')} ${formatInstant(snapshot.dueAt)}`,
      ]),
    );
  }
  chart.append(
    svg('circle', { cx: x(start), cy: 38, r: 6, class: 'point start' }),
    svg('circle', { cx: x(finish), cy: 38, r: 6, class: snapshot.finishedAt ? 'point finish' : 'point now' }),
    svg('text', { x: x(start), y: 74, class: 'axis-label', 'text-anchor': 'start' }, [
      formatInstant(snapshot.receivedAt),
    ]),
    svg('text', { x: x(finish), y: 74, class: 'axis-label', 'text-anchor': 'end' }, [
      snapshot.finishedAt ? formatInstant(snapshot.finishedAt) : t('dossier.now'),
    ]),
  );
  return chart;
}

function renderDossier() {
  const dossier = openDossierData;
  if (dossier === null) return;
  const snapshot = dossier.snapshot ?? dossier;
  $('dossier-title').textContent = t('dossier.title', { code: dossier.code ?? snapshot.dossierCode });
  const outcome =
    dossier.outcome === null || dossier.outcome === undefined
      ? t('outcome.none')
      : `${t(`outcome.${dossier.outcome}`)}${dossier.withdrawn ? ` ${t('outcome.withdrawn')}` : ''}`;
  const facts = [
    ['dossier.agency', dossier.agency?.name ?? snapshot.agencyCode],
    ['dossier.procedure', dossier.procedure?.name ?? snapshot.procedureCode],
    ['dossier.field', dossier.field?.name ?? snapshot.fieldCode],
    ['dossier.status', t(`status.${snapshot.status}`)],
    ['dossier.outcome', outcome],
    ['dossier.dueAt', snapshot.dueAt === null ? t('event.dueNone') : formatInstant(snapshot.dueAt)],
  ];
  $('dossier-body').replaceChildren(
    h(
      'dl',
      { class: 'facts' },
      facts.flatMap(([key, value]) => [h('dt', { text: t(key) }), h('dd', { text: value })]),
    ),
    dossierChart(snapshot),
    h('h3', { text: t('dossier.timeline') }),
    h(
      'ol',
      { class: 'timeline' },
      dossierEvents(dossier).map((event) =>
        h('li', { class: `event ${event.kind}` }, [
          h('time', { datetime: event.at, text: formatInstant(event.at) }),
          h('span', { text: event.text }),
        ]),
      ),
    ),
  );
}

// ------------------------------------------------------------------------------------- exports

async function exportForm(format) {
  const status = $('export-status');
  status.textContent = t('form.exporting');
  try {
    const response = await request('/v1/reports/form-06a', { ...periodParams(), rows: state.rows, format });
    const disposition = response.headers.get('Content-Disposition') ?? '';
    const name = /filename="?([^";]+)"?/.exec(disposition)?.[1] ?? `bieu-II.06a.${format}`;
    const url = URL.createObjectURL(await response.blob());
    const link = h('a', { href: url, download: name, hidden: true });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
    status.textContent = t('form.exported', { name });
  } catch (caught) {
    status.textContent = t('common.error', { error: caught.message });
  }
}

// -------------------------------------------------------------------------------------- language

function applyLanguage() {
  document.documentElement.lang = state.lang;
  document.title = t('app.title');
  for (const element of document.querySelectorAll('[data-i18n]')) element.textContent = t(element.dataset.i18n);
  for (const element of document.querySelectorAll('[data-i18n-aria-label]')) {
    element.setAttribute('aria-label', t(element.dataset.i18nAriaLabel));
  }
  $('lang-toggle').lang = state.lang === 'vi' ? 'en' : 'vi';
  $('export-status').textContent = '';
  if (state.filters !== null && state.reference !== null) {
    renderFilterControls();
    renderUser();
    renderAll();
    renderDossier();
  }
}

function toggleLanguage() {
  state.lang = state.lang === 'vi' ? 'en' : 'vi';
  localStorage.setItem(LANG_STORAGE, state.lang);
  applyLanguage();
}

// ------------------------------------------------------------------------------------------ wire

function wire() {
  $('lang-toggle').addEventListener('click', toggleLanguage);
  $('signout').addEventListener('click', signOut);
  $('signin-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const key = $('signin-key').value.trim();
    if (key === '') {
      $('signin-error').textContent = t('signin.invalid');
      return;
    }
    void signIn(key);
  });
  $('filters-form').addEventListener('submit', applyFilters);
  $('f-year').addEventListener('change', onPresetChange);
  $('f-preset').addEventListener('change', onPresetChange);
  $('f-from').addEventListener('change', onDateEdited);
  $('f-to').addEventListener('change', onDateEdited);
  $('f-interval').addEventListener('change', () => {
    state.interval = $('f-interval').value;
    void reloadPart(
      'timeseries',
      () => api('/v1/reports/timeseries', { ...periodParams(), interval: state.interval }),
      renderTrend,
    );
  });
  $('f-rows').addEventListener('change', () => {
    state.rows = $('f-rows').value;
    void reloadPart('form', loadFormData, renderForm);
  });
  $('export-csv').addEventListener('click', () => void exportForm('csv'));
  $('export-xlsx').addEventListener('click', () => void exportForm('xlsx'));
  $('dossier-close').addEventListener('click', () => $('dossier-dialog').close());
  $('dossier-dialog').addEventListener('close', () => {
    openDossierCode = null;
    openDossierData = null;
    const trigger = [...document.querySelectorAll('#overdue .dossier-link')].find(
      (button) => button.dataset.code === lastDossierTrigger,
    );
    (trigger ?? document.querySelector('#overdue .dossier-link'))?.focus();
  });
}

function start() {
  wire();
  applyLanguage();
  if (state.key === null) showSignIn();
  else void signIn(state.key);
}

start();
