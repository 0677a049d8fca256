// charts.js: the day-by-day charts, drawn by uPlot (vendor/, a global loaded before this module).
// One chart: a line per series over the range's UTC days, a cursor whose legend shows each
// series' exact value on the hovered day, axes with date ticks a reader can use, and beside it the
// same numbers as a table (canvas is not read by screen readers) and a one-sentence summary.
/* global uPlot */
import { DAY_MS, compact, dayMs, dayString, exact, shortDate } from './format.js';
import { el, tableAlternative } from './views.js';

// Okabe–Ito's palette, told apart by most colour-blind readers; previous periods are grey.
export const COLORS = ['#0072b2', '#e69f00', '#009e73', '#cc79a7', '#56b4e9', '#d55e00', '#7a6a00', '#000000'];
export const PREVIOUS = '#8a94a6';
const FONT = '12px system-ui, -apple-system, "Segoe UI", sans-serif';
const DAY_S = DAY_MS / 1000;
const MONTH_S = 30 * DAY_S;
// Tick steps: days and weeks, then calendar months (uPlot splits 30-day multiples on the 1st).
const X_STEPS = [1, 2, 7, 14].map((d) => d * DAY_S).concat([1, 2, 3, 6, 12].map((m) => m * MONTH_S + (m === 12 ? 5 * DAY_S : 0)));
const COUNT_STEPS = [1, 2, 5].flatMap((m) => Array.from({ length: 13 }, (_, e) => m * 10 ** e)).sort((a, b) => a - b);

let ruler;
function textWidth(text) {
  ruler ??= document.createElement('canvas').getContext('2d');
  ruler.font = FONT;
  return ruler.measureText(text).width;
}

const utc = (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC');

// dateTicks() writes x ticks: "20 Nov", or "Nov" when ticks are months apart, the year under the
// first tick and under each January one.
function dateTicks(u, splits, axisIdx, space, step) {
  let year = null;
  return splits.map((ts) => {
    if (ts === null) return null;
    const day = dayString(ts * 1000);
    const y = day.slice(0, 4);
    const text = step >= MONTH_S ? shortDate(day).split(' ')[1] : shortDate(day);
    const withYear = y !== year;
    year = y;
    return withYear ? `${text}\n${y}` : text;
  });
}

// axisWidth() fits the y axis to its widest value, so no number is ever cut.
const axisWidth = (u, values) => (values ? Math.ceil(Math.max(24, ...values.map((v) => textWidth(String(v ?? ''))))) + 14 : 40);

const charts = new Map();
const resizer = new ResizeObserver((entries) => {
  requestAnimationFrame(() => {
    for (const { target } of entries) {
      const u = charts.get(target);
      const width = Math.floor(target.clientWidth);
      if (u && width > 0 && width !== u.width) u.setSize({ width, height: heightFor(width) });
    }
  });
});
const heightFor = (width) => (width < 480 ? 200 : 250);

// destroyChart() removes a host's chart, if any.
export function destroyChart(host) {
  charts.get(host)?.destroy();
  charts.delete(host);
  resizer.unobserve(host);
}

// timeChart() draws `series` ([{ label, values, color?, dash?, hover? }], one value or null per day
// of `days`) into `host`, and returns the chart's nodes: the plot, then its table alternative.
//   unit: written after every value ("ms"); integer: counts, so ticks are whole numbers;
//   dayNote(day): a remark for a day in the legend and the table ("today, partial");
//   today: the day still being counted, shaded.
export function timeChart(host, { days, series, unit = '', integer = true, dayNote = () => '', title, today = '' }) {
  destroyChart(host);
  const withUnit = (v) => (v === null || v === undefined ? '–' : `${exact(v)}${unit ? ` ${unit}` : ''}`);
  const xs = days.map((d) => dayMs(d) / 1000);
  const plot = el('div', { class: 'plot', role: 'img', 'aria-label': summarize(title, days, series, withUnit) });
  host.replaceChildren(plot);
  const width = Math.max(200, Math.floor(host.clientWidth));
  // Away from the plot the legend shows the last day with a value, not dashes.
  const known = (i) => series.some((s) => s.values[i] !== null && s.values[i] !== undefined);
  let idle = days.length - 1;
  while (idle > 0 && !known(idle)) idle--;
  const u = new uPlot({
    width,
    height: heightFor(width),
    tzDate: utc,
    padding: [12, 18, 0, 4],
    cursor: { y: false, drag: { x: false, y: false }, points: { size: 7 } },
    legend: { live: true },
    scales: {
      x: { time: true, range: (self, min, max) => (min === max ? [min - DAY_S / 2, max + DAY_S / 2] : [min, max]) },
      y: { range: (self, min, max) => [0, max > 0 ? max * 1.08 : 1] },
    },
    axes: [
      { font: FONT, space: 52, incrs: X_STEPS, values: dateTicks, size: 44, gap: 4, ticks: { size: 4 } },
      {
        font: FONT, space: 36, gap: 6, size: axisWidth, ticks: { size: 4 },
        incrs: integer ? COUNT_STEPS : undefined,
        values: (self, splits) => splits.map((v) => `${compact(v)}${unit ? ` ${unit}` : ''}`),
      },
    ],
    series: [
      { label: 'Day', value: (self, ts) => (ts === null ? '–' : dayLabel(dayString(ts * 1000), dayNote)) },
      ...series.map((s, i) => ({
        label: s.label,
        stroke: s.color ?? COLORS[i % COLORS.length],
        width: s.dash ? 1.5 : 2,
        dash: s.dash,
        spanGaps: false,
        value: (self, v, si, idx) => (s.hover ? s.hover(v, idx) : withUnit(v)),
      })),
    ],
    hooks: {
      // Today, still being counted, is shaded: a drop on the last day is the day not being over.
      drawClear: [(self) => {
        const at = days.indexOf(today);
        if (at < 0) return;
        const { ctx, bbox } = self;
        const left = Math.max(bbox.left, self.valToPos(xs[at] - DAY_S / 2, 'x', true));
        ctx.save();
        ctx.fillStyle = 'rgba(36, 86, 196, 0.07)';
        ctx.fillRect(left, bbox.top, bbox.left + bbox.width - left, bbox.height);
        ctx.restore();
      }],
      setCursor: [(self) => { if (self.cursor.idx === null || self.cursor.idx === undefined) self.setLegend({ idx: idle }, false); }],
      ready: [(self) => self.setLegend({ idx: idle }, false)],
    },
  }, [xs, ...series.map((s) => s.values)], plot);
  charts.set(host, u);
  resizer.observe(host);
  host.dataset.points = String(series.reduce((n, s) => n + s.values.filter((v) => v !== null && v !== undefined).length, 0));
  const columns = [{ key: 'day', label: 'Day', format: (d) => dayLabel(d, dayNote) },
    ...series.map((s, i) => ({ key: `s${i}`, label: s.label, numeric: true, format: (v, row) => (s.hover ? s.hover(v, row.i) : withUnit(v)) }))];
  const rows = days.map((day, i) => Object.fromEntries([['day', day], ['i', i], ...series.map((s, j) => [`s${j}`, s.values[i]])]));
  return tableAlternative(`Table of this chart (${days.length} days)`, columns, rows);
}

const dayLabel = (day, dayNote) => {
  const note = dayNote(day);
  return note ? `${day} (${note})` : day;
};

// summarize() is the chart in one sentence, for its aria-label: range, and per series (up to
// four) the total, the highest day and the last day.
function summarize(title, days, series, withUnit) {
  const parts = series.slice(0, 4).map((s) => {
    const known = s.values.map((v, i) => [v, i]).filter(([v]) => v !== null && v !== undefined);
    if (!known.length) return `${s.label}: no data`;
    const [top, at] = known.reduce((a, b) => (b[0] > a[0] ? b : a));
    const [last, lastAt] = known[known.length - 1];
    return `${s.label}: highest ${withUnit(top)} on ${days[at]}, last ${withUnit(last)} on ${days[lastAt]}`;
  });
  const more = series.length > 4 ? `; ${series.length - 4} more series in the table` : '';
  return `${title}, ${days[0]} to ${days[days.length - 1]}. ${parts.join('; ')}${more}.`;
}
