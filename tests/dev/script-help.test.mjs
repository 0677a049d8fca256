// script-help.test.mjs: every script in scripts/ answers --help and -h with its usage (its head
// comment, which starts with its own name) and exits 0 at once: nothing installed, built or served.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const scriptsDir = fileURLToPath(new URL('../../scripts/', import.meta.url));
const scripts = readdirSync(scriptsDir).filter((name) => statSync(scriptsDir + name).isFile());

test('scripts/ holds the scripts the README names', () => {
  for (const name of ['dev', 'test', 'setup', 'bench', 'fuzz']) assert.ok(scripts.includes(name), name);
});

for (const name of scripts) {
  for (const flag of ['--help', '-h']) {
    test(`scripts/${name} ${flag} prints its usage and exits 0`, () => {
      // A script that ignored the flag would start installing or serving and hit the timeout.
      const run = spawnSync(scriptsDir + name, [flag], { encoding: 'utf8', timeout: 10_000 });
      assert.equal(run.status, 0, run.stderr);
      assert.equal(run.stderr, '');
      assert.match(run.stdout, new RegExp(`^${name}[ :]`));
      assert.ok(run.stdout.split('\n').length >= 2, run.stdout);
    });
  }
}
