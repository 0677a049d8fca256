// client-reports.js: POST /v1/{product}/client_report (docs/PROTOCOL.md, "Client reports"): how
// many events an SDK dropped itself, by reason, counted per day, product, SDK version (in its safe
// form, semver.js) and reason. Nothing else of the report is kept.

import { readBody } from './body.js';
import { dayOf } from './days.js';
import { HttpError, jsonBody, methodNotAllowed, shown } from './http.js';
import { optedOut } from './ingest.js';
import { countedVersion, parseVersion } from './semver.js';

// The reasons an SDK may report, fixed: a dashboard can then explain each.
export const DROP_REASONS = ['offline', 'queue_full', 'sampled', 'opted_out', 'rejected'];
// Largest count one report may carry for one reason: far above what an SDK's queue drops in a day,
// far below what would let one report outweigh a product's real numbers.
export const MAX_DROPPED = 10_000;
// A report is a few dozen bytes; this leaves room for white space and nothing else.
export const MAX_CLIENT_REPORT_BYTES = 4096;
// Per day and product, at most this many versions keep rows of their own; the rest count under ''
// (as check counts do, check.js).
export const MAX_CLIENT_REPORT_VERSIONS = 64;

const REPORT_KEYS = new Set(['version', 'dropped']);

// The counts of one report ([{ reason, n }] as JSON), added in one statement: the version keeps a
// row of its own when the day already has one for it or has room, else it counts under ''. Like
// rejection counts, none are added once the day's write budget is spent (?5).
const COUNT_REPORT = `INSERT INTO client_reports_daily (day, product, version, reason, count)
  SELECT ?1, ?2, CASE WHEN ?3 = '' OR EXISTS (SELECT 1 FROM client_reports_daily WHERE day = ?1 AND product = ?2 AND version = ?3)
      OR (SELECT count(*) FROM (SELECT DISTINCT version FROM client_reports_daily WHERE day = ?1 AND product = ?2 AND version != ''
        LIMIT ${MAX_CLIENT_REPORT_VERSIONS})) < ${MAX_CLIENT_REPORT_VERSIONS} THEN ?3 ELSE '' END,
    json_extract(r.value, '$.reason'), json_extract(r.value, '$.n')
  FROM json_each(?4) AS r WHERE (SELECT coalesce(max(rows), 0) FROM write_budget WHERE day = ?1) < ?5
  ON CONFLICT (day, product, version, reason) DO UPDATE SET count = count + excluded.count`;

function invalid(message) {
  return new HttpError(400, 'invalid_client_report', message);
}

// readReport() checks a report's bytes: { version (as sent), counts: [{ reason, n }] } or a specific 400.
export function readReport(bytes) {
  let report;
  try {
    report = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw invalid('the body is not JSON in UTF-8: send {"version": "1.2.3", "dropped": {"offline": 3}}');
  }
  if (report === null || typeof report !== 'object' || Array.isArray(report)) throw invalid('the body must be a JSON object');
  const unknown = Object.keys(report).find((key) => !REPORT_KEYS.has(key));
  if (unknown !== undefined) throw invalid(`unknown key ${shown(unknown)}: a report holds version and dropped`);
  if (typeof report.version !== 'string') throw invalid('version must be a string: the SDK\'s version (semver)');
  const parsed = parseVersion(report.version);
  if (parsed.problem) throw invalid(`version ${shown(report.version)} ${parsed.problem}`);
  const { dropped } = report;
  if (dropped === null || typeof dropped !== 'object' || Array.isArray(dropped)) {
    throw invalid(`dropped must be an object of counts by reason (${DROP_REASONS.join(', ')})`);
  }
  const reasons = Object.keys(dropped);
  if (reasons.length === 0) throw invalid(`dropped must give at least one reason (${DROP_REASONS.join(', ')})`);
  const counts = [];
  for (const reason of reasons) {
    if (!DROP_REASONS.includes(reason)) throw invalid(`dropped.${shown(reason)} is not a reason: the reasons are ${DROP_REASONS.join(', ')}`);
    const n = dropped[reason];
    if (!Number.isInteger(n) || n < 0 || n > MAX_DROPPED) throw invalid(`dropped.${reason} must be a whole number from 0 to ${MAX_DROPPED}`);
    if (n > 0) counts.push({ reason, n });
  }
  return { version: report.version, counts };
}

// handleClientReport() answers one report; the counts are added after the answer (a failure there
// costs the counts, never the SDK's answer, which it must not retry). `core` reads the version as
// an event's version field would (countedVersion). A "do not track" signal is honoured as on the
// ingest routes: nothing is read or counted.
export async function handleClientReport(request, env, ctx, settings, catalogue, core, product) {
  if (request.method !== 'POST') return methodNotAllowed(['POST', 'OPTIONS']);
  if (!catalogue.products.some((p) => p.product === product)) throw new HttpError(404, 'unknown_product', `unknown product ${shown(product)}`);
  if (optedOut(request, settings)) return jsonBody(JSON.stringify({ status: 'opted_out' }), 200, { 'cache-control': 'no-store' });
  const report = readReport(await readBody(request, Math.min(settings.maxBodyBytes, MAX_CLIENT_REPORT_BYTES)));
  const counts = report.counts;
  const version = countedVersion(report.version, (text) => core.version(text) !== null);
  if (counts.length > 0) {
    const written = env.DB.prepare(COUNT_REPORT).bind(dayOf(Date.now()), product, version, JSON.stringify(counts), settings.dailyWriteBudget).run();
    ctx.waitUntil(written.catch((error) => console.error(`phonehome: counting a client report failed: ${error?.message ?? error}`)));
  }
  return jsonBody(JSON.stringify({ status: 'accepted' }), 200, { 'cache-control': 'no-store' });
}
