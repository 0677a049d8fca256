// fold.js: small groups folded into "other", the same way in every answer (docs/INSIGHTS.md,
// "Small groups").
//
// Whether a value is shown under its own name is decided per UTC week (Monday to Sunday), product
// and dimension, from the product's counts for all its events: a value is kept in a week when at
// least MIN_GROUP_SIZE installs sent it on one day of that week (for products that declare no
// install id, when it counted MIN_GROUP_SIZE events in the week), counted as stored, before sampled
// events are scaled. When exactly one value of a week
// would be folded, the smallest kept value is folded with it, so "other" never stands for a single
// value of the week. The decision depends on neither the range asked for, nor the event filter, nor any other
// dimension: every answer shows the same values and folds the same ones, so no two answers can be
// subtracted to bring a folded value back.

import { DAY_MS } from './days.js';

import { OVERFLOW } from './rollup.js';

export const OTHER = 'other';
export const UNKNOWN = 'unknown';

// weekOf() is the Monday starting the UTC week of `day` (1970-01-01 was a Thursday).
export const weekOf = (day) => day - ((((day + 3) % 7) + 7) % 7);

// hasInstallIds() says whether a catalogue product declares an install id (a field feeding the
// install_id column): then groups are measured in installs, else in events.
export const hasInstallIds = (product) => product.events.some((e) => e.fields.some((f) => f.column === 'install_id'));

// decide() reads the cells of event '*' of one dimension ({ day, value, events, installs, and
// kept_events, kept_installs when they were sampled }, the weeks covering the answer) and returns
// keep(day, value): whether value is shown on that day. Groups are measured in what was really
// stored (kept_*), not in the sampled estimate: one install kept at rate 0.1 counts 10 in the
// answers, and is still one install here.
export function decide(cells, { measure, minimum }) {
  const weeks = new Map(); // week → Map(value → size)
  for (const c of cells) {
    const week = weekOf(c.day);
    if (!weeks.has(week)) weeks.set(week, new Map());
    const sizes = weeks.get(week);
    const daySize = measure === 'installs' ? c.kept_installs ?? c.installs : c.kept_events ?? c.events;
    sizes.set(c.value, measure === 'installs' ? Math.max(sizes.get(c.value) ?? 0, daySize) : (sizes.get(c.value) ?? 0) + daySize);
  }
  const kept = new Map(); // week → Set of kept values
  for (const [week, sizes] of weeks) kept.set(week, keepMost(sizes, new Set([...sizes].filter(([value, size]) => size >= minimum && value !== OVERFLOW).map(([value]) => value))));
  // Not again per day: folding a large value on every day where one small one shows up made "other"
  // swallow the values it should show. On a day, "other" may hold one of the week's folded values;
  // it never says which.
  return (day, value) => kept.get(weekOf(day))?.has(value) ?? false;
}

// keepMost() folds the smallest kept value (by `sizes`) too when exactly one value of `sizes` is
// not kept, so "other" never stands for a single value; returns `keep`.
function keepMost(sizes, keep) {
  if (sizes.size - keep.size === 1 && keep.size > 0) {
    const smallest = [...keep].sort((a, b) => sizes.get(a) - sizes.get(b) || (a < b ? -1 : 1))[0];
    keep.delete(smallest);
  }
  return keep;
}

// label() is how a stored value is shown: '' (absent) as "unknown", the rollup's overflow row as
// "other".
export const label = (value) => (value === '' ? UNKNOWN : value === OVERFLOW ? OTHER : value);

// weeksAround() is the range of days of the whole weeks holding from..to.
export const weeksAround = (from, to) => ({ from: weekOf(from), to: weekOf(to) + 6 });

