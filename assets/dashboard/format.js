// format.js: UTC days and numbers as the dashboard writes them. No DOM: Node's tests import it.
// Days are strings YYYY-MM-DD, as the stats API sends them; every day is a UTC day.

export const DAY_MS = 86_400_000;
const DAY_TEXT = /^\d{4}-\d{2}-\d{2}$/;

export const isDay = (text) => DAY_TEXT.test(text ?? '') && dayString(dayMs(text)) === text;
export const dayMs = (day) => Date.parse(`${day}T00:00:00Z`);
export const dayString = (ms) => new Date(ms).toISOString().slice(0, 10);
export const today = (now = Date.now()) => dayString(now);
export const addDays = (day, n) => dayString(dayMs(day) + n * DAY_MS);
// daysIn() counts the days from `from` to `to`, both included.
export const daysIn = (from, to) => Math.round((dayMs(to) - dayMs(from)) / DAY_MS) + 1;

// dayList() is every day from `from` to `to`, both included.
export function dayList(from, to) {
  const out = [];
  for (let t = dayMs(from), end = dayMs(to); t <= end; t += DAY_MS) out.push(dayString(t));
  return out;
}

// previousPeriod() is the range of the same length that ends the day before `from`.
export function previousPeriod(from, to) {
  const n = daysIn(from, to);
  return { from: addDays(from, -n), to: addDays(from, -1) };
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
// shortDate() is a day as an axis writes it: "20 Nov", with the year when asked ("20 Nov 2026").
export function shortDate(day, withYear = false) {
  const [y, m, d] = day.split('-');
  return `${Number(d)} ${MONTHS[Number(m) - 1]}${withYear ? ` ${y}` : ''}`;
}

// moment() reads a time the API sends (ms, or an ISO 8601 string) as ms; null when absent.
export function moment(value) {
  if (typeof value === 'number') return value;
  const ms = typeof value === 'string' ? Date.parse(value) : NaN;
  return Number.isNaN(ms) ? null : ms;
}

// utcTime() is a moment (ms) as "2026-12-01 14:02 UTC".
export const utcTime = (ms) => `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;

// ago() is how long before `now` a moment was, in words: "42 minutes ago".
export function ago(ms, now = Date.now()) {
  const minutes = Math.round((now - ms) / 60_000);
  if (minutes < 1) return 'less than a minute ago';
  if (minutes < 120) return `${minutes} minute${minutes === 1 ? '' : 's'} ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `${hours} hours ago`;
  return `${Math.round(hours / 24)} days ago`;
}

const EXACT = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });
// exact() is a number in full ("12,345", "3.25"): what hover, tables and cards show.
export const exact = (n) => (n === null || n === undefined || Number.isNaN(n) ? '–' : EXACT.format(n));

// compact() is a number short enough for an axis: 950, 12k, 1.2M, 0.25.
export function compact(n) {
  const a = Math.abs(n);
  if (a >= 1e9) return `${trim(n / 1e9)}G`;
  if (a >= 1e6) return `${trim(n / 1e6)}M`;
  if (a >= 1e4) return `${trim(n / 1e3)}k`;
  return trim(n);
}
const trim = (n) => String(Math.round(n * 100) / 100);

// percent() is a rate (0..1) as "12.3%".
export const percent = (rate) => `${(rate * 100).toFixed(1)}%`;

// change() is how `now` differs from `before`, in words for a card: "+12.0%", "−3.5%", "no change";
// null when there is nothing to compare with.
export function change(now, before) {
  if (before === null || before === undefined || now === null || now === undefined) return null;
  if (before === 0) return now === 0 ? 'no change' : 'up from 0';
  const r = (now - before) / before;
  if (Math.abs(r) < 0.0005) return 'no change';
  return `${r > 0 ? '+' : '−'}${(Math.abs(r) * 100).toFixed(1)}%`;
}
