// check.js: GET|HEAD /v1/{product}/check?version=&ci=, the version check (docs/PROTOCOL.md,
// "Version check"): the latest release, whether the caller is outdated, the advisories whose range
// covers its version, and the product's SDK settings. A check stores no event data: it adds one to
// a count per day, product, version (in its safe form) and CI name, after the answer.

import { dayOf } from './days.js';
import { HttpError, jsonBody, methodNotAllowed, shown } from './http.js';
import { optedOut } from './ingest.js';
import { compareVersions, countedVersion, parseRange, parseVersion, satisfies } from './semver.js';
import { effectiveSettings } from './settings-overlay.js';

// The answer may be cached at the edge and by the client this long: a release or an advisory
// reaches callers within five minutes. Counts are of the checks the Worker itself answered.
export const CHECK_CACHE_CONTROL = 'public, max-age=300';

// Per day and product, check counts keep at most this many versions on rows of their own; the
// rest are counted under version '' (like rejections, storage.js MAX_REJECTION_VERSIONS): the
// version is the caller's to invent, and a flood must not add a row per check.
export const MAX_CHECK_VERSIONS = 64;

// The CI names a check may give (catalogue/presets.json, preset `ci`), and the aliases SDKs send.
export const CI_NAMES = ['none', 'github_actions', 'gitlab', 'circleci', 'travis', 'jenkins', 'buildkite', 'azure_pipelines',
  'bitbucket', 'teamcity', 'appveyor', 'drone', 'codebuild', 'google_cloud_build', 'bamboo', 'semaphore', 'woodpecker',
  'buddy', 'codemagic', 'netlify', 'vercel', 'heroku', 'unknown'];
const CI_ALIASES = new Map([['github', 'github_actions'], ['gitlab_ci', 'gitlab'], ['azure', 'azure_pipelines'], ['tfs', 'azure_pipelines'],
  ['aws_codebuild', 'codebuild'], ['false', 'none'], ['no', 'none'], ['true', 'unknown'], ['yes', 'unknown'], ['ci', 'unknown']]);
const CI_SET = new Set(CI_NAMES);

// ciName() is the canonical CI name of a `ci` parameter, or '' (not said, or not a name we know).
export function ciName(text) {
  if (text === null || text.length > 64) return '';
  const name = text.trim().toLowerCase();
  return CI_SET.has(name) ? name : CI_ALIASES.get(name) ?? '';
}

// Counted after the answer. The version keeps a row of its own when the day already has one for
// it, or when fewer than MAX_CHECK_VERSIONS versions have rows that day (read with a LIMIT, so a
// flooded day costs no more); else it is counted under ''. Two isolates may each take the last
// place at once: the cap can be passed by a few, never by a flood. Like rejection counts, checks
// stop being counted once the day's write budget is spent (?5): a flood then costs no writes.
const COUNT_CHECK = `INSERT INTO checks_daily (day, product, version, ci, count)
  SELECT ?1, ?2, CASE WHEN ?3 = '' OR EXISTS (SELECT 1 FROM checks_daily WHERE day = ?1 AND product = ?2 AND version = ?3)
      OR (SELECT count(*) FROM (SELECT DISTINCT version FROM checks_daily WHERE day = ?1 AND product = ?2 AND version != '' LIMIT ${MAX_CHECK_VERSIONS}))
        < ${MAX_CHECK_VERSIONS} THEN ?3 ELSE '' END, ?4, 1
  WHERE (SELECT coalesce(max(rows), 0) FROM write_budget WHERE day = ?1) < ?5
  ON CONFLICT (day, product, version, ci) DO UPDATE SET count = count + 1`;

function invalidVersion(message) {
  return new HttpError(400, 'invalid_version', message);
}

// releaseState() reads a product's release and its advisories in force (one batch).
async function releaseState(db, product) {
  const [release, advisories] = await db.batch([
    db.prepare('SELECT latest, download_url, changelog_url FROM releases WHERE product = ?1').bind(product),
    db.prepare('SELECT id, range, level, message, url FROM advisories WHERE product = ?1 AND withdrawn_at IS NULL ORDER BY created_at, id').bind(product),
  ]);
  return { release: release.results[0] ?? null, advisories: advisories.results };
}

// lenientVersion() reads a min_version for comparison: semver, or a shorter MAJOR[.MINOR] (which
// the catalogue's version kind accepts) read with zeros; null when it is neither.
function lenientVersion(text) {
  const parsed = parseVersion(text);
  if (parsed.version) return parsed.version;
  const short = /^v?(\d{1,9})(?:\.(\d{1,9}))?$/.exec(text);
  return short ? { major: Number(short[1]), minor: Number(short[2] ?? 0), patch: 0, prerelease: [], build: [] } : null;
}

// checkAnswer() is the answer for a declared product (`declared`, from the catalogue with remote
// settings merged) and a parsed version, or, with version null, the part that needs no version:
// latest, links and settings (the ingest responses' "check" when the client gave no version).
export function checkAnswer(declared, state, version) {
  const { release, advisories } = state;
  const latest = release ? parseVersion(release.latest).version ?? null : null;
  const settings = effectiveSettings(declared);
  const answer = { product: declared.product };
  if (version) answer.version = version.text;
  answer.latest = release?.latest ?? null;
  if (version) answer.outdated = latest ? compareVersions(version.parsed, latest) < 0 : null;
  answer.download_url = release?.download_url ?? null;
  answer.changelog_url = release?.changelog_url ?? null;
  if (version) {
    answer.advisories = advisories.filter((a) => {
      const range = parseRange(a.range).range;
      return range !== undefined && satisfies(version.parsed, range);
    }).map((a) => ({ id: a.id, level: a.level, message: a.message, url: a.url ?? null, range: a.range }));
  }
  const { events, ...own } = settings;
  if (version) {
    const minimum = own.min_version === null ? null : lenientVersion(own.min_version);
    own.supported = minimum === null || compareVersions(version.parsed, minimum) >= 0;
  }
  answer.settings = { ...own, events };
  return answer;
}

// readCheckVersion() is the `version` parameter, parsed: { text, parsed }.
function readCheckVersion(params) {
  // Given twice, which one counts would be a guess: refused, as query-string events refuse it.
  if (params.getAll('version').length > 1 || params.getAll('ci').length > 1) {
    throw new HttpError(400, 'repeated_query_field', 'version and ci may each be given once');
  }
  const text = params.get('version');
  if (text === null || text === '') throw invalidVersion('send ?version= with the caller\'s version (semver, for example 1.4.0)');
  const { version, problem } = parseVersion(text);
  if (problem) throw invalidVersion(`version ${shown(text)} ${problem}`);
  return { text, parsed: version };
}

// declaredProduct() is the product of the catalogue with remote settings merged, or 404.
export function declaredProduct(catalogue, product) {
  const declared = catalogue.products.find((p) => p.product === product);
  if (!declared) throw new HttpError(404, 'unknown_product', `unknown product ${shown(product)}`);
  return declared;
}

// handleCheck() answers one check; `catalogue` is the merged one (settings-overlay.js).
// `core` reads the version as an event's version field would (countedVersion). A "do not track"
// signal gets the answer (it is the caller's to read) but is not counted.
export async function handleCheck(request, env, ctx, settings, catalogue, core, product) {
  if (request.method !== 'GET' && request.method !== 'HEAD') return methodNotAllowed(['GET', 'HEAD', 'OPTIONS']);
  const declared = declaredProduct(catalogue, product);
  const params = new URL(request.url).searchParams;
  const version = readCheckVersion(params);
  const answer = checkAnswer(declared, await releaseState(env.DB, product), version);
  const headers = { 'cache-control': CHECK_CACHE_CONTROL };
  // A HEAD learns nothing about its version (no body): it is a probe, not a check, and not counted.
  if (request.method === 'HEAD') return new Response(null, { status: 200, headers: { 'content-type': 'application/json; charset=utf-8', ...headers } });
  if (optedOut(request, settings)) return jsonBody(JSON.stringify(answer), 200, headers);
  const stored = countedVersion(version.text, (text) => core.version(text) !== null);
  const counted = env.DB.prepare(COUNT_CHECK).bind(dayOf(Date.now()), product, stored, ciName(params.get('ci')), settings.dailyWriteBudget).run();
  ctx.waitUntil(counted.catch((error) => console.error(`phonehome: counting a check failed: ${error?.message ?? error}`)));
  return jsonBody(JSON.stringify(answer), 200, headers);
}

// withCheck() adds "check" to an ingest response of a product that declares `version_check`: the
// answer for the version in the request's X-Client-Version header (the body's version would need
// the core's reading of it), or without one the part that needs no version. Such checks are not
// counted: the events themselves carry the version. A response that is not a JSON object (or a
// version that does not parse) is left as it is.
export async function withCheck(response, request, env, declared) {
  if (!declared?.version_check || !(response.headers.get('content-type') ?? '').startsWith('application/json')) return response;
  let body;
  try {
    body = await response.clone().json();
  } catch {
    return response;
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return response;
  const header = request.headers.get('x-client-version');
  const parsed = header === null ? {} : parseVersion(header);
  const version = parsed.version ? { text: header, parsed: parsed.version } : null;
  let state;
  try {
    state = await releaseState(env.DB, declared.product);
  } catch (error) {
    // The check is a courtesy: events already stored must still get their verdicts.
    console.error(`phonehome: the check of an ingest response failed: ${error?.message ?? error}`);
    return response;
  }
  body.check = checkAnswer(declared, state, version);
  const headers = new Headers(response.headers);
  headers.delete('content-length');
  return new Response(JSON.stringify(body), { status: response.status, headers });
}
