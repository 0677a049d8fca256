// wrangler-config.mjs: wrangler.toml as the other modes run it. Queue mode is the block between
// "# queue-mode:begin" and "# queue-mode:end", commented out; queueModeConfig() writes a copy of
// wrangler.toml with that block switched on, so what tests and `scripts/dev --queue` run is
// exactly what a maintainer gets by uncommenting it. devConfig() is what scripts/dev runs: the same
// without the [build] step, which scripts/dev runs itself (see there).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { root } from './dev-server.mjs';

export function enableQueueMode(toml) {
  const begin = toml.indexOf('# queue-mode:begin\n');
  const end = toml.indexOf('# queue-mode:end');
  if (begin < 0 || end < begin) throw new Error('wrangler.toml has no "# queue-mode:begin" … "# queue-mode:end" block');
  const block = toml.slice(begin, end).split('\n').slice(1)
    .map((line) => line.replace(/^# ?/, ''))
    .join('\n');
  return toml.slice(0, begin) + block + toml.slice(end);
}

// queueModeConfig() writes the queue-mode copy beside wrangler.toml (so its relative paths hold)
// and returns its path. The file is generated: .gitignore keeps it out of the repository.
export function queueModeConfig() {
  const path = join(root, '.wrangler-queue-mode.toml');
  writeFileSync(path, `# Generated from wrangler.toml by scripts/lib/wrangler-config.mjs: edit wrangler.toml instead.\n${
    enableQueueMode(readFileSync(join(root, 'wrangler.toml'), 'utf8'))}`);
  return path;
}

// withoutBuild() drops the [build] table: wrangler dev runs a custom build twice at start (once for
// the first bundle, once more when its file watcher is ready) and reloads after the second, which
// closes connections a client just opened.
export function withoutBuild(toml) {
  return toml.replace(/^\[build\]\n(?:(?!\[)[^\n]*\n)*/m, '');
}

// devConfig() writes the configuration scripts/dev runs (queue mode or not, no [build]) beside
// wrangler.toml and returns its path. Generated: .gitignore keeps it out of the repository.
export function devConfig({ queue = false } = {}) {
  const path = join(root, '.wrangler-dev.toml');
  let toml = readFileSync(join(root, 'wrangler.toml'), 'utf8');
  if (queue) toml = enableQueueMode(toml);
  writeFileSync(path, `# Generated from wrangler.toml by scripts/lib/wrangler-config.mjs for scripts/dev: edit wrangler.toml instead.\n${withoutBuild(toml)}`);
  return path;
}
