// adopt.test.mjs: the package as a new maintainer adopts it, with real parts and Node alone.
// `npm pack` makes the tarball; its own `phonehome init` makes a project in a temporary folder;
// `npm install` puts the tarball and the pinned wrangler (from the npm cache this repository's
// `npm ci` filled) into it. Then, with a PATH holding only node, npm and npx (no emcc, cmake,
// ninja or compilers): phonehome check on good and bad payloads, the D1 migrations, wrangler
// deploy --dry-run, wrangler dev with events posted and read back from the local D1 (the rows
// phonehome check promised), and a malformed catalogue stopping the build with the file and field.
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { after, test } from 'node:test';

const root = new URL('../../', import.meta.url).pathname;
const scratch = mkdtempSync(join(tmpdir(), 'phonehome-adopt-'));
const project = join(scratch, 'my-telemetry');
const started = Date.now();
let wrangler = null;

function progress(message) {
  process.stderr.write(`adopt: [${((Date.now() - started) / 1000).toFixed(0).padStart(3)} s] ${message}\n`);
}

function stopWrangler() {
  if (!wrangler) return;
  try { process.kill(-wrangler.pid, 'SIGTERM'); } catch { /* already gone */ }
  wrangler = null;
}

after(() => {
  stopWrangler();
  rmSync(scratch, { recursive: true, force: true });
});
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    stopWrangler();
    rmSync(scratch, { recursive: true, force: true });
    process.exit(1);
  });
}

// nodeOnlyPath() is a folder holding node, npm and npx and nothing else but sh, which npm runs
// install scripts with (every system npm runs on has one): the machine of a maintainer who never
// installed a C++ toolchain.
function nodeOnlyPath() {
  const dir = join(scratch, 'bin');
  mkdirSync(dir);
  const which = (name) => execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim();
  symlinkSync(process.execPath, join(dir, 'node'));
  for (const name of ['npm', 'npx', 'sh']) symlinkSync(realpathSync(which(name)), join(dir, name));
  return dir;
}

let env;
function run(command, args, { cwd = project, allowFail = false, timeout = 300_000 } = {}) {
  const result = spawnSync(command, args, { cwd, env, encoding: 'utf8', timeout });
  const output = `${result.stdout}${result.stderr}`;
  if (!allowFail) assert.equal(result.status, 0, `${command} ${args.join(' ')} failed (${result.status}${result.error ? `, ${result.error.message}` : ''}):\n${output.slice(-6000)}`);
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, output };
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    }).on('error', reject);
  });
}

// envelope() is what a client of /v1/batch sends for one payload line (phonehome check's routing).
function envelope(line) {
  const value = JSON.parse(line);
  if (!Array.isArray(value) && 'events' in value) return line;
  return JSON.stringify({ events: Array.isArray(value) ? value : [value] });
}

let tarball;
let promisedRows;
let catalogueSha256;

test('npm pack, then the packed phonehome init makes a project', () => {
  progress('npm pack');
  const pack = JSON.parse(execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', scratch], { cwd: root, encoding: 'utf8' }));
  tarball = join(scratch, pack[0].filename);
  assert.ok(existsSync(tarball));
  const unpacked = join(scratch, 'unpacked');
  mkdirSync(unpacked);
  execFileSync('tar', ['xzf', tarball, '-C', unpacked]);
  progress(`phonehome init from ${pack[0].filename} (${pack[0].entryCount} files)`);
  const init = spawnSync(process.execPath, [join(unpacked, 'package/bin/phonehome.mjs'), 'init', project], { encoding: 'utf8' });
  assert.equal(init.status, 0, init.stderr);
  assert.ok(existsSync(join(project, 'wrangler.toml')));
});

test('with Node alone on PATH: npm install of the tarball and the pinned wrangler', () => {
  const bin = nodeOnlyPath();
  env = {
    HOME: process.env.HOME,
    PATH: bin,
    TMPDIR: tmpdir(),
    WRANGLER_SEND_METRICS: 'false',
    CLOUDFLARE_CF_FETCH_ENABLED: 'false',
    NO_COLOR: '1',
    ...(process.env.npm_config_cache ? { npm_config_cache: process.env.npm_config_cache } : {}),
  };
  for (const tool of ['emcc', 'cmake', 'ninja', 'clang', 'gcc', 'g++']) {
    assert.ok(!env.PATH.split(delimiter).some((dir) => existsSync(join(dir, tool))), `${tool} is on the PATH`);
  }
  progress('npm install (offline from the npm cache)');
  run('npm', ['install', tarball, '--prefer-offline', '--no-audit', '--no-fund'], { timeout: 600_000 });
  const installed = JSON.parse(readFileSync(join(project, 'node_modules/phonehome/package.json'), 'utf8'));
  assert.equal(installed.version, JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version);
  assert.ok(existsSync(join(project, 'node_modules/phonehome/dist/phonehome.wasm')));
  assert.ok(existsSync(join(project, 'node_modules/.bin/wrangler')));
});

test('npx phonehome check: the example payloads pass, bad ones are rejected', () => {
  progress('phonehome check');
  const good = run('npx', ['phonehome', 'check', '--json', 'payloads/example.ndjson']);
  const doc = JSON.parse(good.stdout);
  assert.equal(doc.ok, true);
  const lines = readFileSync(join(project, 'payloads/example.ndjson'), 'utf8').split('\n').filter(Boolean);
  assert.equal(doc.requests.length, lines.length);
  assert.ok(doc.requests.every((r) => r.events.every((e) => e.status === 'accepted')));
  promisedRows = doc.requests.flatMap((r) => r.events.map((e) => e.row));
  catalogueSha256 = doc.catalogue.sha256;

  const example = JSON.parse(lines[0]);
  writeFileSync(join(scratch, 'bad.ndjson'), [
    JSON.stringify({ ...example, install_id: 'not-a-uuid' }),
    JSON.stringify({ ...example, duration_ms: -5 }),
    JSON.stringify({ ...example, event: 'no_such_event' }),
  ].join('\n'));
  const bad = run('npx', ['phonehome', 'check', join(scratch, 'bad.ndjson')], { allowFail: true });
  assert.equal(bad.status, 1, bad.output);
  assert.match(bad.stdout, /bad\.ndjson:1 \S+: rejected: invalid_uuid at install_id/);
  assert.match(bad.stdout, /bad\.ndjson:2 \S+: rejected: out_of_range at duration_ms/);
  assert.match(bad.stdout, /bad\.ndjson:3 \S+: rejected: unknown_event at event/);
});

test('wrangler d1 migrations apply --local, and wrangler deploy --dry-run', () => {
  progress('wrangler d1 migrations apply DB --local');
  run('npx', ['wrangler', 'd1', 'migrations', 'apply', 'DB', '--local']);
  progress('wrangler deploy --dry-run');
  const outdir = join(scratch, 'bundle');
  const deploy = run('npx', ['wrangler', 'deploy', '--dry-run', '--outdir', outdir]);
  assert.match(deploy.output, /phonehome build: \d+ products?, \d+ events?; catalogue SHA-256/);
  assert.ok(readdirSync(outdir).some((file) => file.endsWith('.wasm')), readdirSync(outdir).join(', '));
});

test('wrangler dev stores the posted events as the rows phonehome check promised', async () => {
  const port = await freePort();
  progress(`wrangler dev on 127.0.0.1:${port}`);
  wrangler = spawn('npx', ['wrangler', 'dev', '--ip', '127.0.0.1', '--port', String(port), '--inspector-port', String(await freePort())],
    { cwd: project, env, detached: true });
  let log = '';
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`wrangler dev not ready after 180 s:\n${log}`)), 180_000);
    const watch = (chunk) => {
      log = (log + chunk).slice(-65536);
      if (/Ready on http/.test(log)) { clearTimeout(timer); resolve(); }
    };
    wrangler.stdout.on('data', watch);
    wrangler.stderr.on('data', watch);
    wrangler.on('exit', (code) => { clearTimeout(timer); reject(new Error(`wrangler dev exited with ${code}:\n${log}`)); });
  });
  wrangler.removeAllListeners('exit');
  const base = `http://127.0.0.1:${port}`;
  const post = async (path, body) => {
    const response = await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body })
      .catch((error) => { throw new Error(`${error.message}; wrangler printed:\n${log.slice(-4000)}`); });
    return { status: response.status, body: await response.json() };
  };

  progress('posting the example payloads');
  const lines = readFileSync(join(project, 'payloads/example.ndjson'), 'utf8').split('\n').filter(Boolean);
  for (const line of lines) {
    const answer = await post('/v1/batch', envelope(line));
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.ok(answer.body.results.every((r) => r.status === 'accepted'), JSON.stringify(answer.body));
  }
  const { product, event, ...single } = JSON.parse(lines[0]);
  const direct = await post(`/v1/${product}/${event}`, JSON.stringify({ ...single, run_id: '9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b' }));
  assert.equal(direct.status, 200, JSON.stringify(direct.body));
  const refused = await post(`/v1/${product}/${event}`, JSON.stringify({ ...single, install_id: 'nope' }));
  assert.equal(refused.status, 400);
  assert.equal(refused.body.results[0].code, 'invalid_uuid');

  const schema = await (await fetch(`${base}/v1/schema`)).json();
  assert.equal(schema.code.catalogue_sha256, catalogueSha256);
  assert.deepEqual(schema.products.map((p) => p.product), [product]);

  progress('reading the rows back with wrangler d1 execute --local');
  const query = run('npx', ['wrangler', 'd1', 'execute', 'DB', '--local', '--json', '--command',
    'SELECT event_id, product, event, install_id, session_id, version, os, arch, runtime, runtime_version, occurred_at, time_source, properties, ci, sample_rate FROM events']);
  const stored = JSON.parse(query.stdout)[0].results.map((row) => ({ ...row, properties: JSON.parse(row.properties) }));
  assert.equal(stored.length, promisedRows.length + 1);
  // Every row check promised is stored as it said (the server's clock aside).
  for (const promised of promisedRows) {
    const row = stored.find((r) => r.event_id === promised.event_id);
    assert.ok(row, `row ${promised.event_id} stored`);
    const { received_at: _, ...expected } = promised;
    if (expected.time_source === 'server') expected.occurred_at = row.occurred_at;
    assert.deepEqual(row, expected);
  }

  // A catalogue change reaches the running server without a restart: wrangler dev reruns the
  // [build] step (phonehome build) when a file under catalogue/ changes, and reloads.
  progress('adding a product to the running project\'s catalogue');
  const example = JSON.parse(readFileSync(join(project, `catalogue/products/${product}.json`), 'utf8'));
  const added = join(project, 'catalogue/products/reloaded.json');
  writeFileSync(added, JSON.stringify({ ...example, product: 'reloaded', title: 'Reloaded' }, null, 2));
  const deadline = Date.now() + 90_000;
  let products = [];
  while (Date.now() < deadline && !products.includes('reloaded')) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    products = await fetch(`${base}/v1/schema`).then((r) => r.json()).then((d) => d.products.map((p) => p.product), () => []);
  }
  assert.ok(products.includes('reloaded'), `the new product never appeared in /v1/schema:\n${log.slice(-4000)}`);
  const reloaded = await post(`/v1/reloaded/${event}`, JSON.stringify({ ...single, run_id: '5f4e3d2c-1b0a-4f9e-8d7c-6b5a4f3e2d1c' }));
  assert.equal(reloaded.status, 200, JSON.stringify(reloaded.body));
  rmSync(added);
  stopWrangler();
});

test('a malformed catalogue fails phonehome check, npm run build and wrangler deploy, naming the file and field', () => {
  const file = join(project, 'catalogue/products/example.json');
  const product = JSON.parse(readFileSync(file, 'utf8'));
  const field = product.events[0].fields.findIndex((f) => f.kind === 'integer');
  product.events[0].fields[field].kind = 'integr';
  writeFileSync(file, JSON.stringify(product, null, 2));
  const named = new RegExp(`catalogue/products/example\\.json: events\\[0\\] \\(${product.events[0].name}\\)\\.fields\\[${field}\\] \\(${product.events[0].fields[field].name}\\)\\.kind`);

  progress('a malformed catalogue: phonehome check, npm run build, wrangler deploy --dry-run');
  const check = run('npx', ['phonehome', 'check', 'payloads/example.ndjson'], { allowFail: true });
  assert.equal(check.status, 2, check.output);
  assert.match(check.stderr, named);
  const build = run('npm', ['run', 'build'], { allowFail: true });
  assert.notEqual(build.status, 0, build.output);
  assert.match(build.output, named);
  const deploy = run('npx', ['wrangler', 'deploy', '--dry-run', '--outdir', join(scratch, 'bundle-bad')], { allowFail: true });
  assert.notEqual(deploy.status, 0, deploy.output);
  assert.match(deploy.output, named);
  progress('done');
});
