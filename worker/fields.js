// fields.js: what the rollups count per product, read from the catalogue: the built-in dimensions
// (row columns), the fields declared as dimensions, measures and top values (a field's `stats`,
// catalogue/README.md), and the SQL that reads each from an event row.

export const BUILTIN_DIMENSIONS = ['version', 'os', 'arch', 'runtime', 'runtime_version'];

// hasCiColumn() says whether a catalogue product declares a ci column (a field with "column":
// "ci"): then `ci` is one of its built-in dimensions, and its rollups are kept a second time
// without CI (rollup.js).
export const hasCiColumn = (product) => product.events.some((e) => (e.fields ?? []).some((f) => f.column === 'ci'));

// builtinDimensionsOf() is a product's built-in dimensions: the row columns, `ci` when declared.
export const builtinDimensionsOf = (product) => (hasCiColumn(product) ? [...BUILTIN_DIMENSIONS, 'ci'] : BUILTIN_DIMENSIONS);

// ciProducts() names the catalogue's products that declare a ci column.
export const ciProducts = (catalogue) => catalogue.products.filter(hasCiColumn).map((p) => p.product);

// Measures are counted in logarithmic buckets: bucket b holds the values that round to GROWTH^b,
// so a percentile read from the buckets is within ±4.9% (√1.1 − 1) of the true value; 0 has a
// bucket of its own (null). A measure spanning 1 ms to 1 hour uses at most 160 buckets. Buckets
// are clamped to 0.001 … 10^18: a sender cannot spread one measure over thousands of buckets
// (values under 0.001 count as 0.001).
export const MEASURE_GROWTH = 1.1;
export const MEASURE_RELATIVE_ERROR = Math.sqrt(MEASURE_GROWTH) - 1;
const LN_GROWTH = Math.log(MEASURE_GROWTH);
const MIN_BUCKET = -72;
const MAX_BUCKET = 435;

// measureBucket() is the bucket of value v (≥ 0); the same arithmetic as bucketSql().
export function measureBucket(v) {
  if (!(v > 0)) return null;
  const x = Math.log(v) / LN_GROWTH;
  const b = Math.sign(x) * Math.round(Math.abs(x)); // SQLite's round(): halves away from zero
  return Math.max(MIN_BUCKET, Math.min(MAX_BUCKET, b));
}
// bucketValue() is the value a bucket stands for.
export const bucketValue = (b) => (b === null ? 0 : MEASURE_GROWTH ** b);

// Rollup dimension names of the pairs kept per version: 'measure:<field>' holds [version, bucket],
// 'top:<field>' holds [version, value].
export const measureDimension = (field) => `measure:${field}`;
export const topDimension = (field) => `top:${field}`;

// statsFieldsOf() lists a catalogue event's fields that have a stats role, nested ones by dotted
// path: [{ path, kind, stats, description }].
export function statsFieldsOf(event) {
  const out = [];
  const walk = (fields, prefix) => {
    for (const f of fields) {
      if (f.kind === 'object') walk(f.fields ?? [], `${prefix}${f.name}.`);
      else if (f.stats) out.push({ path: `${prefix}${f.name}`, kind: f.kind, stats: f.stats, description: f.description });
    }
  };
  walk(event.fields ?? [], '');
  return out;
}

// productStats() is what can be charted for one product: dimensions (built-in first), measures
// and top fields, each with the events that carry it. Cached per catalogue object.
const cache = new WeakMap();
export function productStats(catalogue, product) {
  if (!cache.has(catalogue)) cache.set(catalogue, new Map());
  const perProduct = cache.get(catalogue);
  if (perProduct.has(product.product)) return perProduct.get(product.product);
  const dimensions = new Map(builtinDimensionsOf(product).map((d) => [d, { name: d, builtin: true, kind: 'column', events: product.events.map((e) => e.name) }]));
  const measures = [];
  const top = [];
  for (const event of product.events) {
    for (const f of statsFieldsOf(event)) {
      if (f.stats === 'dimension' || f.stats === 'top') {
        const d = dimensions.get(f.path) ?? { name: f.path, builtin: false, kind: f.kind, description: f.description, events: [], top: f.stats === 'top' };
        d.events.push(event.name);
        dimensions.set(f.path, d);
      }
      if (f.stats === 'measure') measures.push({ name: f.path, event: event.name, kind: f.kind, description: f.description });
      if (f.stats === 'top') top.push({ name: f.path, event: event.name, kind: f.kind, description: f.description });
    }
  }
  const answer = { dimensions: [...dimensions.values()], measures, top };
  perProduct.set(product.product, answer);
  return answer;
}

// ---- SQL over an events row ----------------------------------------------------------------------
// Paths are checked catalogue names ([a-z][a-z0-9_]* joined by dots), safe to write into SQL.

// fieldTextSql() is a dimension or top field's value as text ('' when absent): bools as
// 'true'/'false', enums and strings as stored.
export function fieldTextSql(path, kind) {
  const extract = `json_extract(properties, '$.${path}')`;
  if (kind === 'bool') return `CASE ${extract} WHEN 1 THEN 'true' WHEN 0 THEN 'false' ELSE '' END`;
  return `CASE WHEN json_type(properties, '$.${path}') = 'text' THEN ${extract} ELSE '' END`;
}

// measurePairSql() is a measure's [version, bucket] (see measureBucket), or NULL when the event
// has no value for it.
export function measurePairSql(path) {
  const extract = `json_extract(properties, '$.${path}')`;
  return `CASE WHEN json_type(properties, '$.${path}') IN ('integer', 'real') AND ${extract} >= 0
    THEN json_array(coalesce(version, ''), CASE WHEN ${extract} > 0
      THEN max(${MIN_BUCKET}, min(${MAX_BUCKET}, CAST(round(ln(${extract}) / ${LN_GROWTH}) AS INTEGER))) END) END`;
}
