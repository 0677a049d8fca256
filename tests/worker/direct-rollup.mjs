// direct-rollup.mjs: what rollup_daily must hold, counted straight from the raw rows in one pass,
// one set per group: the tests' independent count to hold the sliced rollup (worker/rollup.js) to.
// It reads success fields, dimension, measure and top fields from the catalogue document, walking
// each row's properties in JavaScript (no SQL shared with the Worker but the bucket arithmetic).
import { measureBucket } from '../../worker/fields.js';

const DAY = 86_400_000;
const DIMENSIONS = ['version', 'os', 'arch', 'runtime', 'runtime_version'];

// The stats fields of an event, by dotted path.
function statsFields(event) {
  const out = [];
  const walk = (fields, prefix) => fields.forEach((f) => (f.kind === 'object' ? walk(f.fields, `${prefix}${f.name}.`)
    : f.stats && out.push({ path: `${prefix}${f.name}`, kind: f.kind, stats: f.stats })));
  walk(event.fields, '');
  return out;
}

const at = (object, path) => path.split('.').reduce((o, k) => (o !== null && typeof o === 'object' ? o[k] : undefined), object);

// rowGroups() is what one raw row counts under: [event level, dimension, value] triples.
function rowGroups(r, event) {
  const props = JSON.parse(r.properties);
  const groups = [];
  const dims = [['all', ''], ...DIMENSIONS.map((d) => [d, r[d] ?? ''])];
  const fields = event ? statsFields(event) : [];
  for (const f of fields) {
    if (f.stats !== 'dimension' && f.stats !== 'top') continue;
    const v = at(props, f.path);
    dims.push([f.path, f.kind === 'bool' ? (v === true ? 'true' : v === false ? 'false' : '') : (typeof v === 'string' ? v : '')]);
  }
  for (const level of [r.event, '*']) for (const [d, v] of dims) groups.push([level, d, v]);
  for (const f of fields) {
    const v = at(props, f.path);
    if (f.stats === 'measure' && typeof v === 'number' && v >= 0) groups.push([r.event, `measure:${f.path}`, JSON.stringify([r.version ?? '', measureBucket(v)])]);
    if (f.stats === 'top' && typeof v === 'string') groups.push([r.event, `top:${f.path}`, JSON.stringify([r.version ?? '', v])]);
  }
  return groups;
}

// directRollup() answers, for the raw rows of the days `includes(day)` accepts, one line per rollup
// row: "day|product|event|dimension|value|events|installs|sessions|new installs|successes|failures",
// sorted. New installs: no event of that product on an earlier day among `raw`. A session: a
// session id within one install.
export function directRollup(raw, { includes, catalogue }) {
  const eventOf = (r) => catalogue.products.find((p) => p.product === r.product)?.events.find((e) => e.name === r.event);
  const first = new Map();
  for (const r of raw) {
    if (r.install_id === null) continue;
    const key = `${r.product}/${r.install_id}`;
    first.set(key, Math.min(first.get(key) ?? Infinity, Math.floor(r.occurred_at / DAY)));
  }
  const groups = new Map();
  for (const r of raw) {
    const day = Math.floor(r.occurred_at / DAY);
    if (!includes(day)) continue;
    const event = eventOf(r);
    const success = event?.success_field ? JSON.parse(r.properties)[event.success_field] : undefined;
    for (const [level, dimension, value] of rowGroups(r, event)) {
      {
        const key = [day, r.product, level, dimension, value].join('|');
        const g = groups.get(key) ?? { events: 0, installs: new Set(), sessions: new Set(), fresh: new Set(), successes: 0, failures: 0 };
        g.events++;
        if (r.install_id !== null) {
          g.installs.add(r.install_id);
          if (first.get(`${r.product}/${r.install_id}`) === day) g.fresh.add(r.install_id);
        }
        if (r.session_id !== null) g.sessions.add(JSON.stringify([r.install_id, r.session_id]));
        if (success === true) g.successes++;
        if (success === false) g.failures++;
        groups.set(key, g);
      }
    }
  }
  return [...groups].map(([key, g]) => [key, g.events, g.installs.size, g.sessions.size, g.fresh.size, g.successes, g.failures].join('|')).sort();
}

// storedRollup() is rollup_daily's rows (from `SELECT * FROM rollup_daily`) as the same lines.
export const storedRollup = (rows) => rows.map((r) => [r.day, r.product, r.event, r.dimension, r.value, r.events, r.installs, r.sessions,
  r.new_installs, r.successes, r.failures].join('|')).sort();
