// rejected-versions.js: which versions the reports of rejected events (the rejections report and
// the shapes report) may name. For products with install ids, a version is named only where the
// version breakdown names it: rejected events carry no install to count, and one install must not
// name its version by sending rejected events. For the others, on rejected events (fewer than
// MIN_GROUP_SIZE in a week is "other"). Both reports decide alike, so neither names a version the
// other folds.

import { Cells } from './cells.js';
import { decide, hasInstallIds, weeksAround } from './fold.js';

// rejectedVersionKeeper() is keep(day, version) for a product over [from, to] (whole weeks around
// them are read, as folding decides per week), and the measure it folded on.
export async function rejectedVersionKeeper(db, { catalogue, stores, settings, declared, from, to, ci = 'exclude' }) {
  const around = weeksAround(from, to);
  const byInstalls = hasInstallIds(declared);
  const sizes = byInstalls
    ? await new Cells({ db, catalogue, stores, settings, ci }).decisionCells({ product: declared.product, dimension: 'version', ...around })
    : (await db.prepare(`SELECT day, version AS value, sum(count) AS events, 0 AS installs FROM rejections_daily
        WHERE product = ?1 AND day BETWEEN ?2 AND ?3 GROUP BY day, version`).bind(declared.product, around.from, around.to).all()).results;
  const measure = byInstalls ? 'installs' : 'events';
  return { keep: decide(sizes, { measure, minimum: settings.minGroupSize }), measure };
}
