// vendor.test.mjs: the dashboard's copy of uPlot (assets/dashboard/vendor/, which Workers Static
// Assets serves) is the pinned npm package's, byte for byte, and holds nothing else. After an
// upgrade of uplot in package.json, scripts/vendor-uplot copies the new files.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { root } from '../../scripts/lib/dev-server.mjs';

const vendored = join(root, 'assets/dashboard/vendor');
const npm = join(root, 'node_modules/uplot');
const SOURCES = { 'uPlot.iife.min.js': 'dist/uPlot.iife.min.js', 'uPlot.min.css': 'dist/uPlot.min.css', LICENSE: 'LICENSE' };

test('the vendored files are exactly the ones scripts/vendor-uplot copies', () => {
  assert.deepEqual(readdirSync(vendored).sort(), Object.keys(SOURCES).sort());
});

for (const [name, source] of Object.entries(SOURCES)) {
  test(`vendor/${name} equals node_modules/uplot/${source} byte for byte`, () => {
    assert.ok(readFileSync(join(vendored, name)).equals(readFileSync(join(npm, source))),
      `assets/dashboard/vendor/${name} differs from node_modules/uplot/${source}: run scripts/vendor-uplot`);
  });
}

test('the vendored build is the version package.json pins', () => {
  const pinned = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).devDependencies.uplot;
  assert.equal(JSON.parse(readFileSync(join(npm, 'package.json'), 'utf8')).version, pinned);
  assert.match(readFileSync(join(vendored, 'uPlot.iife.min.js'), 'utf8').slice(0, 80), new RegExp(`\\(v${pinned.replaceAll('.', '\\.')}\\)`));
});
