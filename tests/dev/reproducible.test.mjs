// reproducible.test.mjs: the module the Worker and the npm package ship (dist/phonehome.wasm) is
// byte for byte the module a fresh build of this source makes (build/wasm/phonehome.wasm, built by
// scripts/test just before), dist/module.js states its SHA-256, and the Worker bundle wrangler
// deploys carries exactly it. After a change to wasm/, `scripts/build-wasm --dist` updates dist/.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

const root = new URL('../../', import.meta.url).pathname;
const fresh = process.env.PHONEHOME_WASM ?? join(root, 'build/wasm/phonehome.wasm');
const shipped = join(root, 'dist/phonehome.wasm');
const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');

test('dist/phonehome.wasm is the module this source builds, byte for byte', () => {
  const a = readFileSync(shipped);
  const b = readFileSync(fresh);
  assert.ok(a.equals(b), `dist/phonehome.wasm (${a.length} bytes, ${sha256(a)}) differs from a fresh build `
    + `(${b.length} bytes, ${sha256(b)}): run scripts/build-wasm --dist and commit dist/`);
});

test('dist/module.js states the SHA-256 of dist/phonehome.wasm', async () => {
  const { MODULE_SHA256 } = await import(join(root, 'dist/module.js'));
  assert.equal(MODULE_SHA256, sha256(readFileSync(shipped)));
});

test('the Worker bundle ships dist/phonehome.wasm', () => {
  const dir = process.env.PHONEHOME_WORKER_BUNDLE;
  assert.ok(dir, 'PHONEHOME_WORKER_BUNDLE must name the bundle folder (ctest sets it)');
  const modules = readdirSync(dir).filter((f) => f.endsWith('.wasm'));
  assert.equal(modules.length, 1, modules.join(', '));
  assert.ok(readFileSync(join(dir, modules[0])).equals(readFileSync(shipped)));
});
