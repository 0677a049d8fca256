// clients-kit.mjs: runs the client kit's programs (docs/clients) as an SDK would, each with a state
// folder of its own and an environment without CI variables, through a recording proxy in front of
// the real Worker: a test sees every request a client made (the check's query, the events with
// their `ci`), whether or not the catalogue it runs with stores the field.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

export const root = new URL('../../', import.meta.url).pathname;
export const clients = `${root}docs/clients`;
export const PRODUCT = 'agentsonar';
export const EVENT = 'session';
export const SWITCH = 'AGENTSONAR_TELEMETRY'; // the product's own opt-out switch, as its SDK passes it

// The "CI detection" table of docs/PROTOCOL.md: [variables that must all hold, CI name] per row.
export function ciTable() {
  const doc = readFileSync(`${root}docs/PROTOCOL.md`, 'utf8');
  const section = /^## CI detection\n([\s\S]*?)(?=^## )/m.exec(doc)?.[1] ?? '';
  return [...section.matchAll(/^\| (`[^|]+) \| `([a-z_]+)` \|/gm)]
    .map((m) => [[...m[1].matchAll(/`([^`]+)`/g)].map((v) => v[1]), m[2]]);
}

// Every variable a client reads to detect CI: the test's own CI must not leak into the clients.
const CI_VARIABLES = new Set(['CI', 'CONTINUOUS_INTEGRATION', ...ciTable().flatMap(([vars]) => vars.map((v) => v.split('=')[0]))]);
const withoutCi = () => Object.fromEntries(Object.entries(process.env).filter(([name]) => !CI_VARIABLES.has(name)));

export const newStateDir = () => join(mkdtempSync(join(tmpdir(), 'phonehome-kit-')), 'state');
export const stateFile = (dir) => join(dir, 'telemetry.json');
export const readState = (dir) => JSON.parse(readFileSync(stateFile(dir), 'utf8'));
export const stateExists = (dir) => existsSync(dir);

// The three runnable clients: one AgentSonar session event at `version`.
export const CLIENTS = {
  python: (version) => ['python3', [`${clients}/phonehome.py`, version]],
  node: (version) => [process.execPath, [`${clients}/phonehome.mjs`, version]],
  shell: (version) => ['sh', [`${clients}/phonehome.sh`, PRODUCT, EVENT,
    JSON.stringify({ session_id: randomUUID(), version, os: 'linux' })]],
};

// run() starts a program without blocking this process (the recording proxy lives in it).
export function run(command, args, env = {}, { timeoutMs = 30_000 } = {}) {
  const started = Date.now();
  return new Promise((resolve) => {
    // PYTHONDONTWRITEBYTECODE: a test that imports the kit must not leave __pycache__ in docs/clients
    // (the package would ship it).
    const child = spawn(command, args, { env: { ...withoutCi(), PYTHONDONTWRITEBYTECODE: '1', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr, seconds: (Date.now() - started) / 1000 });
    });
  });
}

// runClient() runs a client with a state folder, no opt-out and no debug unless `env` says so.
export function runClient(name, { url, stateDir, version = '0.4.0', env = {} }) {
  return run(...CLIENTS[name](version), {
    PHONEHOME_URL: url, PHONEHOME_STATE_DIR: stateDir, DO_NOT_TRACK: '', PHONEHOME_DEBUG: '',
    [SWITCH]: '', phonehome_opt_out: SWITCH, ...env,
  });
}

// startRecorder() is a proxy to `target` keeping each request: { method, path, body (unzipped) }.
// `failChecks` makes it drop the check's connection unanswered (a check that cannot be reached).
export async function startRecorder(target, { failChecks = false } = {}) {
  const requests = [];
  const server = createServer(async (request, response) => {
    const chunks = [];
    for await (const chunk of request) chunks.push(chunk);
    const raw = Buffer.concat(chunks);
    const body = request.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw;
    requests.push({ method: request.method, path: request.url, body: body.toString() });
    if (failChecks && request.url.includes('/check')) return request.socket.destroy();
    const headers = {};
    for (const name of ['content-type', 'content-encoding', 'x-sent-at']) if (request.headers[name]) headers[name] = request.headers[name];
    const answer = await fetch(new URL(request.url, target), {
      method: request.method, headers, body: ['GET', 'HEAD'].includes(request.method) ? undefined : raw,
    });
    response.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' });
    response.end(Buffer.from(await answer.arrayBuffer()));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    requests,
    // events() lists the events the clients posted: a batch's events, or a single-event body.
    events() {
      return requests.filter((r) => r.method === 'POST').flatMap((r) => {
        const body = JSON.parse(r.body);
        return r.path === '/v1/batch' ? body.events : [body];
      });
    },
    checks: () => requests.filter((r) => r.method === 'GET' && new URL(r.path, 'http://x').pathname === `/v1/${PRODUCT}/check`)
      .map((r) => Object.fromEntries(new URL(r.path, 'http://x').searchParams)),
    clear() { requests.length = 0; },
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve); }),
  };
}
