// direct-rollup.mjs: what rollup_daily must hold, counted straight from the raw rows in one pass,
// one set per group: the tests' independent count to hold the sliced rollup (worker/rollup.js) to.
// It reads the catalogue's success fields from `successOf(row)` (true, false or undefined).

const DAY = 86_400_000;
const DIMENSIONS = ['version', 'os', 'arch', 'runtime', 'runtime_version'];

// directRollup() answers, for the raw rows of the days `includes(day)` accepts, one line per rollup
// row: "day|product|event|dimension|value|events|installs|sessions|new installs|successes|failures",
// sorted. New installs: no event of that product on an earlier day among `raw`. A session: a
// session id within one install.
export function directRollup(raw, { includes, successOf }) {
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
    const success = successOf(r);
    for (const event of [r.event, '*']) {
      for (const [dimension, value] of [['all', ''], ...DIMENSIONS.map((d) => [d, r[d] ?? ''])]) {
        const key = [day, r.product, event, dimension, value].join('|');
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
