// dev-server.mjs: start a local Worker on a spare loopback port for tests, load runs and
// benchmarks, and read back what its local D1 holds. Used by scripts/load, bench/e2e.mjs and the
// tests that need a real `scripts/dev`.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const root = new URL('../../', import.meta.url).pathname;

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    }).on('error', reject);
  });
}

// startServer() runs `command args` with PORT set, in its own process group (so stop() takes
// wrangler and workerd down with it), and resolves once wrangler says it is ready.
async function startServer(command, args, env, port) {
  const child = spawn(command, args, { cwd: root, env: { ...process.env, ...env, PORT: String(port) }, detached: true });
  child.on('error', () => {}); // reported through 'exit'
  let log = '';
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${command} not ready after 180 s:\n${log}`)), 180_000);
    const watch = (chunk) => {
      log = (log + chunk).slice(-65536); // wrangler logs every request: keep the tail
      if (/Ready on http/.test(log)) { clearTimeout(timer); resolve(); }
    };
    child.stdout.on('data', watch);
    child.stderr.on('data', watch);
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`${command} exited with ${code}:\n${log}`)); });
  });
  child.removeAllListeners('exit');
  let exited = null;
  child.on('exit', (code, signal) => { exited = signal ?? code; });
  return {
    url: `http://127.0.0.1:${port}`,
    // logTail() is what wrangler printed last, and whether it has exited: for a test's failure message.
    logTail: () => `${exited === null ? '' : `[exited: ${exited}]\n`}${log.slice(-4000)}`,
    stop: () => { try { process.kill(-child.pid, 'SIGTERM'); } catch { /* already gone */ } },
  };
}

// withLocalD1() gives a started server the local D1 in `persist`: query() reads it, and stop()
// removes it after stopping the server.
function withLocalD1(server, persist, config) {
  return {
    ...server,
    persist,
    query: (sql) => queryLocalD1(persist, sql, config),
    stop: () => { server.stop(); rmSync(persist, { recursive: true, force: true }); },
  };
}

// startDev() serves phonehome through scripts/dev, exactly as the README's first command does, with
// a fresh local D1 in a temporary folder that stop() removes. `args` go to scripts/dev (--queue).
export async function startDev({ env = {}, label = 'dev', args = [] } = {}) {
  const port = await freePort();
  const persist = mkdtempSync(join(tmpdir(), `phonehome-${label}-`));
  // Its own devtools port too: wrangler's default 9229 would collide with any other running.
  const server = await startServer(join(root, 'scripts/dev'), args,
    { ...env, PHONEHOME_PERSIST_DIR: persist, INSPECTOR_PORT: String(await freePort()) }, port);
  return { ...withLocalD1(server, persist), env: { ...process.env, ...env, PHONEHOME_PERSIST_DIR: persist } };
}

// startWrangler() serves another Worker (a wrangler.toml of its own) the same way scripts/dev
// serves phonehome: for comparisons such as the no-op Worker of bench/e2e.mjs. With `d1`, its
// D1 binding "phonehome" gets a fresh local database holding schema.sql.
export async function startWrangler(config, { d1 = false } = {}) {
  const port = await freePort();
  const args = ['--no-install', 'wrangler', 'dev', '--config', config, '--ip', '127.0.0.1', '--port', String(port),
    '--inspector-port', String(await freePort())];
  const env = { WRANGLER_SEND_METRICS: 'false' };
  if (!d1) return startServer('npx', args, env, port);
  const persist = mkdtempSync(join(tmpdir(), 'phonehome-wrangler-'));
  execFileSync('npx', ['--no-install', 'wrangler', 'd1', 'execute', 'phonehome', '--local', '--config', config,
    '--persist-to', persist, '--file', join(root, 'schema.sql')], { cwd: root, stdio: 'ignore', env: { ...process.env, ...env } });
  return withLocalD1(await startServer('npx', [...args, '--persist-to', persist], env, port), persist, config);
}

export function queryLocalD1(persist, sql, config = join(root, 'wrangler.toml')) {
  const out = execFileSync('npx', ['--no-install', 'wrangler', 'd1', 'execute', 'phonehome', '--local', '--config', config,
    '--persist-to', persist, '--json', '--command', sql], { cwd: root, env: { ...process.env, WRANGLER_SEND_METRICS: 'false' } }).toString();
  return JSON.parse(out)[0].results;
}
