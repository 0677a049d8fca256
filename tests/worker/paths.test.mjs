// paths.test.mjs: hostile paths, methods and headers through the real worker. Each case gets its
// specific answer (status and error code, read from the body); none gets a 5xx; a refused request
// stores nothing; and afterwards the worker still accepts a good event.
//
// Most cases go through fetch, which normalizes a URL the way every HTTP client does ("..", "\",
// "#" never reach a server). The raw cases write HTTP by hand, for what clients would not send: an
// unnormalized path, raw UTF-8, a Content-Length that lies, a broken chunked body. workerd itself
// refuses some malformed HTTP before any Worker runs (a Content-Length that is not a number, a
// Transfer-Encoding it does not know, CONNECT, the request target "*"); those are not the
// shim's to answer, and not listed here.
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { gzipSync } from 'node:zlib';
import { after, before, beforeEach, describe, test } from 'node:test';
import { SESSION, startWorker } from './harness.mjs';

const TOKEN = 'test-stats-token-0123456789';
const JSON_TYPE = { 'content-type': 'application/json' };
const GOOD = JSON.stringify(SESSION);
const GZIPPED = gzipSync(GOOD);
const INSTALL = { install_id: SESSION.install_id };
const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);

// A case: { id, method (POST), path, headers (JSON), body (a good session event), expect }.
// expect: { status, code (the error code, or for 2xx nothing), stored (rows afterwards, 0), allow
// (the Allow header of a 405), opted (the opt-out answer) }.
const post = (id, path, expect, extra = {}) => ({ id, path, expect, ...extra });
const malformed = { status: 400, code: 'malformed_path' };
const accepted = { status: 200, stored: 1 };
const unknownProduct = { status: 404, code: 'unknown_product' };
const unknownEvent = { status: 404, code: 'unknown_event' };
const notFound = { status: 404, code: 'not_found' };

const PATHS = [
  // Malformed percent-encoding, wherever it stands: 400, never a 500 that SDKs would retry.
  post('a lone %', '/v1/%/session', malformed),
  post('a lone % as the event', '/v1/a/%', malformed),
  post('a truncated escape at the end', '/v1/agentsonar/session%', malformed),
  post('one hex digit', '/v1/agentsonar/%2', malformed),
  post('a non-hex escape', '/v1/%zz/session', malformed),
  post('a non-hex second digit', '/v1/agentsonar/%G0', malformed),
  post('a UTF-8 sequence cut short', '/v1/%E0%A4%A/x', malformed),
  post('a lead byte without its continuation', '/v1/%E0%A4/session', malformed),
  post('a lone continuation byte', '/v1/%80/session', malformed),
  post('an overlong "/" (2 bytes)', '/v1/%C0%AF/session', malformed),
  post('an overlong "/" (3 bytes)', '/v1/%E0%80%AF/session', malformed),
  post('an overlong NUL', '/v1/agentsonar/%C0%80', malformed),
  post('an encoded UTF-16 surrogate', '/v1/%ED%A0%80/session', malformed),
  post('a code point past U+10FFFF', '/v1/%F4%90%80%80/session', malformed),
  post('the byte FF', '/v1/%FF/session', malformed),
  post('a malformed escape under /v1/stats', '/v1/stats/%ZZ', malformed),
  post('a malformed escape under /v1/forget', '/v1/forget/%', malformed),
  post('a malformed escape with a good product', '/v1/agentsonar/sess%ion', malformed),
  // Encoded separators and NULs are data, never structure.
  post('an encoded slash inside the product', '/v1/agentsonar%2Fsession/x', unknownProduct),
  post('an encoded slash ending the event', '/v1/agentsonar/session%2F', unknownEvent),
  // One segment is a bare product path (its default event): "agentsonar/session" is no product.
  post('an encoded slash making one segment', '/v1/agentsonar%2Fsession', unknownProduct),
  post('an encoded slash as both segments', '/v1/%2F/%2F', unknownProduct),
  post('an encoded backslash', '/v1/agentsonar%5Csession/x', unknownProduct),
  post('a NUL after the product', '/v1/agentsonar%00/session', unknownProduct),
  post('a NUL after the event', '/v1/agentsonar/session%00', unknownEvent),
  post('NULs only', '/v1/%00/%00', unknownProduct),
  post('an encoded %', '/v1/%25/session', unknownProduct),
  post('an encoded space after the event', '/v1/agentsonar/session%20', unknownEvent),
  post('an encoded newline after the event', '/v1/agentsonar/session%0A', unknownEvent),
  post('a plus sign (not a space in a path)', '/v1/agentsonar/session+', unknownEvent),
  post('a matrix parameter', '/v1/agentsonar/session;x=1', unknownEvent),
  post('a product in capitals', '/v1/AGENTSONAR/session', unknownProduct),
  post('an encoded letter decodes to the same route', '/v1/agents%6Fnar/sessi%6Fn', accepted),
  // Dot segments, as clients resolve them before sending.
  post('".." back into a real route', '/v1/x/../agentsonar/session', accepted),
  post('".." out of the event', '/v1/agentsonar/session/..', notFound),
  post('".." past the root', '/v1/../../../etc/passwd', notFound),
  post('encoded ".." ', '/v1/%2e%2e/agentsonar/session', notFound),
  post('"." segments', '/v1/./agentsonar/./session', accepted),
  // Empty segments and trailing slashes are different routes.
  post('an empty product', '/v1//session', notFound),
  post('a doubled leading slash', '//v1/agentsonar/session', notFound),
  post('a doubled middle slash', '/v1/agentsonar//session', notFound),
  post('a trailing slash', '/v1/agentsonar/session/', notFound),
  post('a trailing slash on batch', '/v1/batch/', notFound),
  post('a route in capitals', '/V1/batch', notFound),
  post('a third segment', '/v1/agentsonar/session/extra', notFound),
  // Length.
  post('a product of 64 characters', `/v1/${'a'.repeat(64)}/session`, unknownProduct),
  post('a product of 65 characters', `/v1/${'a'.repeat(65)}/session`, notFound),
  post('an event of 10,000 characters', `/v1/agentsonar/${'e'.repeat(10_000)}`, notFound),
  post('a path of 60,000 characters', `/v1/${'a/'.repeat(30_000)}`, notFound),
  // The 64-character limit counts the segment as sent, escapes included.
  post('64 escapes: 192 characters, 64 bytes', `/v1/${'%41'.repeat(64)}/session`, notFound),
  post('7 escapes of a 3-byte character: 63 characters', `/v1/${'%E2%82%AC'.repeat(7)}/session`, unknownProduct),
  // Unicode.
  post('a product with a non-ASCII letter', '/v1/%C3%A4gentsonar/session', unknownProduct),
  post('a raw non-ASCII letter (encoded by the client)', '/v1/ägentsonar/session', unknownProduct),
  post('an emoji', '/v1/%F0%9F%98%80/session', unknownProduct),
  post('a byte-order mark before the product', '/v1/%EF%BB%BFagentsonar/session', unknownProduct),
  post('a right-to-left override', '/v1/agentsonar/%E2%80%AEnoisses', unknownEvent),
  post('a fullwidth solidus', '/v1/agentsonar%EF%BC%8Fsession/x', unknownProduct),
  // Query strings and fragments on ingest routes: ignored, and nothing of them stored.
  post('a query string', '/v1/agentsonar/session?x=1', accepted),
  post('a query naming a field', '/v1/agentsonar/session?install_id=11111111-2222-4333-8444-555555555555&secret=hunter2', accepted),
  post('a malformed query', '/v1/agentsonar/session?%=%&%zz', accepted),
  post('a fragment (never sent)', '/v1/agentsonar/session#install_id=x', accepted),
  post('a query on batch', '/v1/batch?debug=1', accepted, { body: JSON.stringify({ events: [{ product: 'agentsonar', event: 'session', ...SESSION }] }) }),
  post('a query on forget', '/v1/forget?install_id=x', { status: 200 }, { body: JSON.stringify(INSTALL) }),
  post('a huge query string', `/v1/agentsonar/session?${'q'.repeat(30_000)}`, accepted),
  // Not routes.
  post('an unknown top-level path', '/nope', notFound),
  post('an encoded root', '/%2F', notFound),
  post('/v1 alone', '/v1', notFound),
  post('a stats report with a NUL', '/v1/stats/products%00', unknownProduct),
  post('a stats report in capitals', '/v1/stats/PRODUCTS', unknownProduct),
];

// Every method on every route. The event routes allow GET (a query string), POST and OPTIONS (a
// preflight); /v1/batch and /v1/forget POST and OPTIONS; the pages GET and HEAD; the stats reports
// GET with the token, rollup POST; anything else is 405 with Allow.
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'];
const auth = { authorization: `Bearer ${TOKEN}` };
const ROUTES = [
  // GET reads the event from the query string: an empty one misses every required field.
  { path: '/v1/agentsonar/session', allow: 'GET, POST, OPTIONS', ok: { GET: { status: 400, code: 'all_rejected' }, POST: accepted, OPTIONS: { status: 204 } } },
  { path: '/v1/batch', body: JSON.stringify({ events: [{ product: 'agentsonar', event: 'session', ...SESSION }] }), allow: 'POST, OPTIONS', ok: { POST: accepted, OPTIONS: { status: 204 } } },
  { path: '/v1/forget', body: JSON.stringify(INSTALL), allow: 'POST, OPTIONS', ok: { POST: { status: 200 }, OPTIONS: { status: 204 } } },
  { path: '/v1/%/session', all: malformed },
  { path: '/v1/schema', allow: 'GET, HEAD', ok: { GET: { status: 200 }, HEAD: { status: 200 } } },
  { path: '/', allow: 'GET, HEAD', ok: { GET: { status: 200 }, HEAD: { status: 200 } } },
  { path: '/dashboard', allow: 'GET, HEAD', ok: { GET: { status: 200 }, HEAD: { status: 200 } } },
  { path: '/dashboard/nope.js', allow: 'GET, HEAD', ok: { GET: notFound, HEAD: { status: 404 } } },
  { path: '/public/', allow: 'GET, HEAD', ok: { GET: notFound, HEAD: { status: 404 } } },
  { path: '/v1/stats/products', headers: auth, allow: 'GET', ok: { GET: { status: 200 } } },
  { path: `/v1/stats/rollup?from=${yesterday}&to=${yesterday}`, headers: auth, allow: 'POST', ok: { POST: { status: 200 } } },
  { path: '/v1/stats/overview?product=agentsonar', all: { status: 401, code: 'unauthorized' } },
  { path: '/v1/stats/nosuch', headers: auth, all: { status: 404, code: 'not_found' } },
  { path: '/nope', all: notFound },
];
const METHOD_CASES = ROUTES.flatMap((route) => METHODS.map((method) => {
  const answer = route.all ?? route.ok[method] ?? { status: 405, code: 'method_not_allowed', allow: route.allow };
  // A HEAD answer has no body to read a code from.
  const expect = method === 'HEAD' ? { ...answer, code: undefined } : answer;
  const hasBody = method !== 'GET' && method !== 'HEAD';
  return {
    id: `${method} ${route.path.slice(0, 40)}`,
    method,
    path: route.path,
    headers: { ...JSON_TYPE, ...route.headers },
    body: hasBody ? route.body ?? GOOD : undefined,
    expect,
  };
}));

// Hostile headers on an ingest route, the stats API and the dashboard.
const header = (id, headers, expect, extra = {}) => ({ id, path: '/v1/agentsonar/session', headers, expect, ...extra });
const unsupportedType = { status: 415, code: 'unsupported_media_type' };
const unsupportedEncoding = { status: 415, code: 'unsupported_encoding' };
const invalidCompression = { status: 400, code: 'invalid_compression' };
const invalidSentAt = { status: 400, code: 'invalid_sent_at' };
const unauthorized = { status: 401, code: 'unauthorized' };
const optedOut = { status: 200, opted: true };
const gzipped = { body: GZIPPED };
const stats = (id, authorization, expect = unauthorized) => ({
  id, method: 'GET', path: '/v1/stats/products', headers: { authorization }, expect,
});

const HEADERS = [
  // Content-Type.
  header('Content-Type in capitals', { 'content-type': 'APPLICATION/JSON' }, accepted),
  header('Content-Type with a charset', { 'content-type': 'application/json; charset=utf-8' }, accepted),
  header('Content-Type from sendBeacon', { 'content-type': 'text/plain;charset=UTF-8' }, accepted),
  header('no Content-Type', {}, accepted),
  header('a Content-Type of ";" alone', { 'content-type': ';' }, unsupportedType),
  header('a form Content-Type', { 'content-type': 'application/x-www-form-urlencoded' }, unsupportedType),
  header('a multipart Content-Type', { 'content-type': 'multipart/form-data; boundary=x' }, unsupportedType),
  header('a list of two Content-Types', { 'content-type': 'application/json, text/plain' }, unsupportedType),
  header('a lookalike Content-Type', { 'content-type': 'application/jsonx' }, unsupportedType),
  header('a Content-Type of 8,000 characters', { 'content-type': 'a'.repeat(8000) }, unsupportedType),
  // Content-Encoding.
  header('gzip', { ...JSON_TYPE, 'content-encoding': 'gzip' }, accepted, gzipped),
  header('GZIP in capitals', { ...JSON_TYPE, 'content-encoding': 'GZIP' }, accepted, gzipped),
  header('x-gzip', { ...JSON_TYPE, 'content-encoding': 'x-gzip' }, accepted, gzipped),
  header('gzip padded with spaces', { ...JSON_TYPE, 'content-encoding': '  gzip  ' }, accepted, gzipped),
  header('identity', { ...JSON_TYPE, 'content-encoding': 'identity' }, accepted),
  header('an empty Content-Encoding', { ...JSON_TYPE, 'content-encoding': '' }, accepted),
  header('gzip applied twice', { ...JSON_TYPE, 'content-encoding': 'gzip, gzip' }, unsupportedEncoding, { body: gzipSync(GZIPPED) }),
  header('gzip then identity', { ...JSON_TYPE, 'content-encoding': 'gzip, identity' }, unsupportedEncoding, gzipped),
  header('gzip with a parameter', { ...JSON_TYPE, 'content-encoding': 'gzip;q=1' }, unsupportedEncoding, gzipped),
  header('br', { ...JSON_TYPE, 'content-encoding': 'br' }, unsupportedEncoding),
  header('zstd', { ...JSON_TYPE, 'content-encoding': 'zstd' }, unsupportedEncoding),
  header('compress', { ...JSON_TYPE, 'content-encoding': 'compress' }, unsupportedEncoding),
  header('an encoding named constructor', { ...JSON_TYPE, 'content-encoding': 'constructor' }, unsupportedEncoding),
  header('an encoding named __proto__', { ...JSON_TYPE, 'content-encoding': '__proto__' }, unsupportedEncoding),
  header('an encoding named toString', { ...JSON_TYPE, 'content-encoding': 'toString' }, unsupportedEncoding),
  header('an encoding of 10,000 characters', { ...JSON_TYPE, 'content-encoding': 'x'.repeat(10_000) }, unsupportedEncoding),
  header('gzip declared, plain JSON sent', { ...JSON_TYPE, 'content-encoding': 'gzip' }, invalidCompression),
  header('deflate declared, gzip sent', { ...JSON_TYPE, 'content-encoding': 'deflate' }, invalidCompression, gzipped),
  header('gzip declared, an empty body', { ...JSON_TYPE, 'content-encoding': 'gzip' }, { status: 400, code: 'malformed_json' }, { body: '' }),
  // X-Sent-At.
  header('X-Sent-At as epoch seconds', { ...JSON_TYPE, 'x-sent-at': String(Math.floor(Date.now() / 1000)) }, accepted),
  header('X-Sent-At empty', { ...JSON_TYPE, 'x-sent-at': '' }, accepted),
  header('X-Sent-At of words', { ...JSON_TYPE, 'x-sent-at': 'yesterday' }, invalidSentAt),
  header('X-Sent-At negative', { ...JSON_TYPE, 'x-sent-at': '-1' }, invalidSentAt),
  header('X-Sent-At past any double', { ...JSON_TYPE, 'x-sent-at': '1e400' }, invalidSentAt),
  header('X-Sent-At of 40 digits', { ...JSON_TYPE, 'x-sent-at': '9'.repeat(40) }, invalidSentAt),
  header('X-Sent-At on a day that does not exist', { ...JSON_TYPE, 'x-sent-at': '2025-02-30T00:00:00Z' }, invalidSentAt),
  header('X-Sent-At in the year 1900', { ...JSON_TYPE, 'x-sent-at': '1900-01-01T00:00:00Z' }, invalidSentAt),
  header('X-Sent-At with a Latin-1 byte', { ...JSON_TYPE, 'x-sent-at': '2025-01-01T00:00:00\u00ff' }, invalidSentAt),
  header('X-Sent-At of 60,000 characters', { ...JSON_TYPE, 'x-sent-at': '1'.repeat(60_000) }, invalidSentAt),
  // DNT and Sec-GPC: "1" opts out, also when the header came twice.
  header('DNT: 1', { ...JSON_TYPE, dnt: '1' }, optedOut),
  header('DNT sent twice (1, 1)', { ...JSON_TYPE, dnt: '1, 1' }, optedOut),
  header('Sec-GPC sent twice (0, 1)', { ...JSON_TYPE, 'sec-gpc': '0, 1' }, optedOut),
  header('DNT: 10 is not 1', { ...JSON_TYPE, dnt: '10' }, accepted),
  header('DNT: 1 padded with spaces', { ...JSON_TYPE, dnt: '  1  ' }, optedOut),
  header('Sec-GPC: 1', { ...JSON_TYPE, 'sec-gpc': '1' }, optedOut),
  header('DNT: 1 on a malformed path', { ...JSON_TYPE, dnt: '1' }, malformed, { path: '/v1/%/session' }),
  header('DNT: 0', { ...JSON_TYPE, dnt: '0' }, accepted),
  header('DNT empty', { ...JSON_TYPE, dnt: '' }, accepted),
  header('DNT: null', { ...JSON_TYPE, dnt: 'null' }, accepted),
  // Other large or odd headers are ignored.
  header('an Origin of 10,000 characters', { ...JSON_TYPE, origin: `https://${'o'.repeat(10_000)}.example` }, accepted),
  header('a User-Agent of 30,000 characters', { ...JSON_TYPE, 'user-agent': 'u'.repeat(30_000) }, accepted),
  header('200 unknown headers', { ...JSON_TYPE, ...Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`x-junk-${i}`, 'j'.repeat(100)])) }, accepted),
  header('a Cookie', { ...JSON_TYPE, cookie: 'session=abc; install_id=x' }, accepted),
  header('Authorization on an ingest route', { ...JSON_TYPE, authorization: 'Bearer x' }, accepted),
  // Authorization on the maintainer routes.
  stats('no Authorization', undefined),
  stats('an empty Authorization', ''),
  stats('Bearer alone', 'Bearer'),
  stats('Bearer and a space', 'Bearer '),
  stats('Bearer and spaces', 'Bearer     '),
  stats('Basic credentials', `Basic ${btoa(`admin:${TOKEN}`)}`),
  stats('the token with no scheme', TOKEN),
  stats('the token twice', `Bearer ${TOKEN}, Bearer ${TOKEN}`),
  stats('the token with a Latin-1 byte', `Bearer ${TOKEN}\u00ff`),
  stats('the token and 60,000 more characters', `Bearer ${TOKEN}${'x'.repeat(60_000)}`),
  stats('the right token', `Bearer ${TOKEN}`, { status: 200 }),
  { id: 'garbage Authorization on the dashboard (it holds no data)', method: 'GET', path: '/dashboard', headers: { authorization: 'Bearer \u00ff'.repeat(1000) }, expect: { status: 200 } },
  { id: 'garbage Authorization on rollup', method: 'POST', path: `/v1/stats/rollup?from=${yesterday}&to=${yesterday}`, headers: { authorization: 'Bearer garbage' }, expect: unauthorized },
];

// rawRequest() writes `text` to the worker's socket, half-closes, and parses the answer. A server
// may reset the connection once it has answered (workerd does after a 431): the answer counts.
function rawRequest(url, text) {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port), allowHalfOpen: true });
    const chunks = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('end', () => socket.end());
    socket.on('error', (error) => { if (chunks.length === 0) reject(error); });
    socket.on('close', () => {
      if (chunks.length === 0) return reject(new Error('the connection closed without an answer'));
      const answer = Buffer.concat(chunks).toString('latin1');
      const [head, ...rest] = answer.split('\r\n\r\n');
      const [statusLine, ...lines] = head.split('\r\n');
      const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
      resolve({ status: Number(statusLine.split(' ')[1]), headers, text: rest.join('\r\n\r\n') });
    });
    socket.end(text);
  });
}

const http = (method, target, headers, body = '') => `${method} ${target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n${
  Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n${body}`;
const raw = (id, text, expect) => ({ id, raw: text, expect });
const withLength = (body) => ({ 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });

const RAW = [
  raw('a good event, written by hand', http('POST', '/v1/agentsonar/session', withLength(GOOD), GOOD), accepted),
  raw('an unnormalized ".."', http('POST', '/v1/x/../agentsonar/session', withLength(GOOD), GOOD), accepted),
  raw('an unnormalized encoded ".."', http('POST', '/v1/agentsonar/x/%2E%2E/session', withLength(GOOD), GOOD), accepted),
  raw('backslashes for slashes', http('POST', '/v1\\agentsonar\\session', withLength(GOOD), GOOD), accepted),
  raw('a lone % on the wire', http('POST', '/v1/%/session', withLength(GOOD), GOOD), malformed),
  raw('raw UTF-8 bytes in the path', http('POST', '/v1/\u00c3\u00a4gent/session', withLength(GOOD), GOOD), unknownProduct),
  // workerd drops an empty header: the Worker sees no Content-Type, which is read as JSON.
  raw('an empty Content-Type', http('POST', '/v1/agentsonar/session', { ...withLength(GOOD), 'content-type': '' }, GOOD), accepted),
  // workerd ends the target at the space: /v1/a, a bare product path of no product.
  raw('a raw space in the path', http('POST', '/v1/a b/session', withLength(GOOD), GOOD), unknownProduct),
  raw('TRACE on an ingest route', http('TRACE', '/v1/batch', {}), { status: 405, code: 'method_not_allowed', allow: 'POST, OPTIONS' }),
  raw('Content-Length shorter than the body', http('POST', '/v1/agentsonar/session', { ...withLength(GOOD), 'content-length': 5 }, GOOD),
    { status: 400, code: 'malformed_json' }),
  raw('Content-Length longer than the body', http('POST', '/v1/agentsonar/session', { ...withLength(GOOD), 'content-length': GOOD.length + 100 }, GOOD),
    { status: 400, code: 'body_unreadable' }),
  raw('Content-Length of 10 MB, two bytes sent', http('POST', '/v1/agentsonar/session', { 'content-length': 10_000_000 }, '{}'),
    { status: 413, code: 'body_too_large' }),
  raw('a gzip Content-Length of 10 MB, two bytes sent', http('POST', '/v1/agentsonar/session', { 'content-length': 10_000_000, 'content-encoding': 'gzip' }, '{}'),
    { status: 413, code: 'body_too_large' }),
  raw('Content-Length 0 with a body', http('POST', '/v1/agentsonar/session', { 'content-length': 0 }, GOOD), { status: 400, code: 'malformed_json' }),
  raw('a chunked body with a bad chunk size', http('POST', '/v1/agentsonar/session', { 'transfer-encoding': 'chunked' }, 'zz\r\n{}\r\n0\r\n\r\n'),
    { status: 400, code: 'body_unreadable' }),
  raw('a chunked body cut short', http('POST', '/v1/agentsonar/session', { 'transfer-encoding': 'chunked' }, `${GOOD.length.toString(16)}\r\n${GOOD.slice(0, 10)}`),
    { status: 400, code: 'body_unreadable' }),
  raw('a header of 200,000 characters (refused by workerd)', http('POST', '/v1/agentsonar/session', { 'x-sent-at': 'x'.repeat(200_000), 'content-length': 2 }, '{}'),
    { status: 431 }),
];

const CASES = [...PATHS, ...METHOD_CASES, ...HEADERS, ...RAW];

describe('hostile paths, methods and headers', () => {
  let worker;
  let health = 0;
  const statuses = [];
  before(async () => { worker = await startWorker({ vars: { STATS_TOKEN: TOKEN } }); });
  after(async () => { await worker?.close(); });
  beforeEach(async () => { await worker.clear(); });

  test('the corpus is large and each case is named once', () => {
    assert.ok(CASES.length >= 150, `${CASES.length} cases`);
    assert.equal(new Set(CASES.map((c) => c.id)).size, CASES.length, 'case ids are unique');
  });

  for (const c of CASES) {
    test(c.id, async () => {
      let status;
      let text;
      let allow;
      if (c.raw) {
        ({ status, text, headers: { allow } = {} } = await rawRequest(worker.url, c.raw));
      } else {
        const method = c.method ?? 'POST';
        const body = c.body ?? (method === 'GET' || method === 'HEAD' ? undefined : GOOD);
        const response = await worker.fetch(c.path, { method, headers: c.headers ?? JSON_TYPE, body });
        status = response.status;
        allow = response.headers.get('allow');
        text = await response.text();
      }
      statuses.push(status);
      assert.ok(status < 500, `${status}: ${text.slice(0, 200)}`);
      assert.equal(status, c.expect.status, text.slice(0, 300));
      if (c.expect.code) assert.equal(JSON.parse(text).error.code, c.expect.code);
      if (status >= 400 && text !== '' && c.expect.status !== 431) {
        const { error } = JSON.parse(text);
        assert.deepEqual(Object.keys(error), ['code', 'message'], 'every error is {"error":{"code","message"}}');
        assert.ok(error.message.length < 300, 'the message does not echo a huge header');
      }
      if (c.expect.allow) assert.equal(allow, c.expect.allow);
      if (c.expect.opted) assert.deepEqual(JSON.parse(text), { results: [], opted_out: true });
      const rows = await worker.rows('SELECT product, event, install_id, properties FROM events');
      assert.equal(rows.length, c.expect.stored ?? 0, 'rows stored');
      for (const row of rows) {
        assert.deepEqual([row.product, row.event, row.install_id], ['agentsonar', 'session', SESSION.install_id]);
        assert.doesNotMatch(JSON.stringify(row), /hunter2|debug|11111111-2222|secret/, 'nothing of the query is stored');
      }
      // And the worker is healthy afterwards.
      health++;
      const good = await worker.post('/v1/agentsonar/session', { ...SESSION, session_id: `a1b2c3d4-e5f6-4a7b-8c9d-${String(health).padStart(12, '0')}` });
      assert.equal(good.status, 200);
    });
  }

  test('no case got a 5xx, and malformed paths are answered with CORS', async () => {
    assert.equal(statuses.length, CASES.length);
    assert.deepEqual(statuses.filter((s) => s >= 500), []);
    const response = await worker.fetch('/v1/%/session', { method: 'POST', body: GOOD, headers: { ...JSON_TYPE, origin: 'https://app.example.com' } });
    assert.equal(response.status, 400);
    assert.equal(response.headers.get('access-control-allow-origin'), '*', 'browsers can read the error');
  });
});
