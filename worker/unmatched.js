// unmatched.js: requests that match no route, method or envelope, and captured events no catalogue
// mapping names, counted per UTC day by method, route shape and reason, with none of their data: a
// maintainer sees "1,200 GET /v1/langflow/exception: unknown_event" instead of nothing
// (GET /v1/stats/unmatched). Counts are summed in the isolate and written at most once per
// UNMATCHED_FLUSH_SECONDS, so a flood of bad requests costs a few D1 writes a minute, not one each;
// counts an isolate holds when it is evicted are lost.

// The reasons counted: a route, method or envelope that matches nothing. Events rejected for their
// fields are counted in rejections_daily instead.
const UNMATCHED_CODES = new Set([
  'not_found', 'method_not_allowed', 'malformed_path', 'unknown_product', 'unknown_event', 'no_default_event',
  'no_posthog_mapping', 'unknown_api_key', 'wrong_body_type',
]);
// Distinct routes a day keeps rows for; past it, new shapes are counted under OTHER.
export const MAX_UNMATCHED_ROUTES_PER_DAY = 1000;
// Distinct keys an isolate holds between writes.
const MAX_PENDING = 200;
const OTHER = '{other}';

// A path segment is shown when it is a plain word (lower case letters, '_', '-', '.'; no digits,
// so no key, id or address): /v1/langflow/exception. Anything else is a placeholder.
const PLAIN_WORD = /^[a-z][a-z_.-]{0,31}$/;
const shown = (segment, placeholder) => (PLAIN_WORD.test(segment) ? segment : placeholder);

// routeShape() is a path with every segment that could carry data replaced by a placeholder.
export function routeShape(pathname) {
  const segments = pathname.split('/').slice(1);
  const parts = segments.slice(0, 4).map((segment, i) => {
    if (segment === '') return '';
    if (segments[0] === 'v1') return i === 0 ? 'v1' : shown(segment, ['', '{product}', '{event}'][i] ?? '{…}');
    return shown(segment, '{…}');
  });
  return `/${parts.join('/')}${segments.length > 4 ? '/{…}' : ''}`;
}

const pending = new Map();
let lastFlush = 0;

// note() adds to a key's count; when the isolate already holds MAX_PENDING keys, a new route is
// counted under OTHER (those keys are bounded by the methods and reasons).
function note(method, route, reason, count = 1) {
  let key = JSON.stringify([method, route, reason]);
  if (!pending.has(key) && pending.size >= MAX_PENDING) key = JSON.stringify([method.slice(0, 16), OTHER, reason]);
  pending.set(key, (pending.get(key) ?? 0) + count);
}

// noteUnmatchedResponse() counts a 4xx answer whose code says nothing matched.
export async function noteUnmatchedResponse(request, response, env, ctx, settings) {
  if (response.status < 400 || response.status >= 500) return;
  let code;
  try {
    code = (await response.clone().json())?.error?.code;
  } catch {
    return; // a HEAD answer has no body to read
  }
  if (!UNMATCHED_CODES.has(code)) return;
  note(request.method, routeShape(new URL(request.url).pathname), code);
  flushSoon(env, ctx, settings);
}

// noteUnmatchedEvents() counts captured events a product's PostHog mapping does not name.
export function noteUnmatchedEvents(request, product, names, env, ctx, settings) {
  for (const name of names) {
    note(request.method, `${routeShape(new URL(request.url).pathname)} ${product}/${shown(String(name), '{event}')}`, 'unknown_event');
  }
  if (names.length) flushSoon(env, ctx, settings);
}

const upsert = `INSERT INTO unmatched_daily (day, method, route, reason, count)
  SELECT ?1, ?2, CASE WHEN EXISTS (SELECT 1 FROM unmatched_daily WHERE day = ?1 AND method = ?2 AND route = ?3 AND reason = ?4)
    OR (SELECT count(*) FROM unmatched_daily WHERE day = ?1) < ${MAX_UNMATCHED_ROUTES_PER_DAY} THEN ?3 ELSE '${OTHER}' END, ?4, ?5
  ON CONFLICT (day, method, route, reason) DO UPDATE SET count = count + excluded.count`;

function flushSoon(env, ctx, settings) {
  const now = Date.now();
  if (now - lastFlush < settings.unmatchedFlushSeconds * 1000 || !env.DB) return;
  lastFlush = now;
  const day = Math.floor(now / 86_400_000);
  const entries = [...pending];
  pending.clear();
  const statements = entries.map(([key, count]) => env.DB.prepare(upsert).bind(day, ...JSON.parse(key), count));
  // A lost count is a lost count: it never costs a client its answer.
  ctx.waitUntil(env.DB.batch(statements).catch((error) => console.error(`phonehome: unmatched counts lost: ${error?.message ?? error}`)));
}
