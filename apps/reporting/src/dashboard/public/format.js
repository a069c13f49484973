// Number, percentage and date formatting, by hand so that every browser shows the same text:
// Vietnamese uses "." for thousands and "," for decimals (2.100.000; 99,1%), English the reverse.

const SEPARATORS = { vi: { group: '.', decimal: ',' }, en: { group: ',', decimal: '.' } };
export const TIME_ZONE = 'Asia/Ho_Chi_Minh';

const separatorsOf = (lang) => SEPARATORS[lang] ?? SEPARATORS.vi;

/** A number with `digits` decimals (trailing zeros of the decimals kept only when `keepZeros`). */
export function formatNumber(value, lang, digits = 0, keepZeros = true) {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  const { group, decimal } = separatorsOf(lang);
  const negative = value < 0;
  const fixed = Math.abs(value).toFixed(digits);
  let [whole, fraction = ''] = fixed.split('.');
  whole = whole.replace(/\B(?=(\d{3})+(?!\d))/g, group);
  if (!keepZeros) fraction = fraction.replace(/0+$/, '');
  const text = fraction === '' ? whole : `${whole}${decimal}${fraction}`;
  return negative && /[1-9]/.test(text) ? `-${text}` : text;
}

/** A rate between 0 and 1 as a percentage with one decimal ("99,1%", "100%"), "—" when null. */
export function formatRate(rate, lang) {
  if (rate === null || rate === undefined || !Number.isFinite(rate)) return '—';
  return `${formatNumber(rate * 100, lang, 1, false)}%`;
}

/** A signed difference ("+1,2", "-0,5", "0"). */
export function formatSigned(value, lang, digits = 0) {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  const text = formatNumber(value, lang, digits, false);
  return value > 0 && text !== '0' ? `+${text}` : text;
}

/** YYYY-MM-DD → DD/MM/YYYY (both languages: the convention of Vietnamese reports). */
export function formatDate(date) {
  if (typeof date !== 'string') return '—';
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  return match === null ? date : `${match[3]}/${match[2]}/${match[1]}`;
}

const partsFormatter = new Intl.DateTimeFormat('en-GB', {
  timeZone: TIME_ZONE,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

/** The local (Asia/Ho_Chi_Minh) parts of an instant. */
export function localParts(instant) {
  const time = typeof instant === 'number' ? instant : Date.parse(instant);
  if (!Number.isFinite(time)) return null;
  const parts = Object.fromEntries(partsFormatter.formatToParts(time).map((part) => [part.type, part.value]));
  return { year: parts.year, month: parts.month, day: parts.day, hour: parts.hour, minute: parts.minute };
}

/** An instant as local DD/MM/YYYY HH:mm. */
export function formatInstant(instant) {
  const parts = localParts(instant);
  if (parts === null) return '—';
  return `${parts.day}/${parts.month}/${parts.year} ${parts.hour}:${parts.minute}`;
}

/** Today's local date (YYYY-MM-DD) in Asia/Ho_Chi_Minh. */
export function todayLocal(now = Date.now()) {
  const parts = localParts(now);
  return `${parts.year}-${parts.month}-${parts.day}`;
}

/** The last day of a month (month 1–12). */
export function lastDayOf(year, month) {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

const pad = (n) => String(n).padStart(2, '0');

/** [from, to] of a preset: 'year', 'q1'…'q4', 'm1'…'m12'. */
export function presetPeriod(year, preset) {
  if (preset === 'year') return { from: `${year}-01-01`, to: `${year}-12-31` };
  const quarter = /^q([1-4])$/.exec(preset);
  if (quarter !== null) {
    const first = (Number(quarter[1]) - 1) * 3 + 1;
    return { from: `${year}-${pad(first)}-01`, to: `${year}-${pad(first + 2)}-${pad(lastDayOf(year, first + 2))}` };
  }
  const month = /^m(\d{1,2})$/.exec(preset);
  if (month !== null) {
    const m = Number(month[1]);
    return { from: `${year}-${pad(m)}-01`, to: `${year}-${pad(m)}-${pad(lastDayOf(year, m))}` };
  }
  return null;
}

/** A short label of a timeseries period for the chart axis. */
export function periodLabel(period, interval, lang) {
  const [y, m, d] = period.from.split('-');
  switch (interval) {
    case 'year':
      return y;
    case 'quarter':
      return `Q${Math.floor((Number(m) - 1) / 3) + 1}/${y}`;
    case 'month':
      return lang === 'en' ? `${m}/${y}` : `T${Number(m)}/${y}`;
    default:
      return `${d}/${m}`;
  }
}
