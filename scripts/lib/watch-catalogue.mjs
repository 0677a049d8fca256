// watch-catalogue.mjs: scripts/dev's catalogue reloader. When a file under catalogue/ changes it
// runs `phonehome build`, which rewrites build/catalogue.json; wrangler dev bundles that file and
// reloads the Worker on its own. A catalogue with problems is reported and the running Worker
// keeps the last good one.
//   node scripts/lib/watch-catalogue.mjs [DIR]
import { spawnSync } from 'node:child_process';
import { watch } from 'node:fs';
import { join } from 'node:path';
import { root } from './dev-server.mjs';

const dir = process.argv[2] ?? join(root, 'catalogue');
let timer = null;

function build() {
  timer = null;
  const result = spawnSync(process.execPath, [join(root, 'bin/phonehome.mjs'), 'build', '--catalogue', dir], { cwd: root, encoding: 'utf8' });
  const output = `${result.stdout}${result.stderr}`.trim();
  console.log(result.status === 0 ? `dev: catalogue changed: ${output}` : `dev: the changed catalogue was refused; the Worker keeps the last good one:\n${output}`);
}

// Editors write a file in several steps: build once they are done.
watch(dir, { recursive: true }, () => {
  if (timer) clearTimeout(timer);
  timer = setTimeout(build, 300);
});
