// generated.mjs: the one rule for the generated vector files (derived.json, hostile.json): write
// them, or with --check fail when the file on disk is not what the generator makes today.
import { readFileSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';

const root = new URL('../../', import.meta.url).pathname;

// writeOrCheck() writes `text` to `file`, or (when the command line holds --check) compares them
// and exits 1 on any difference. `generator` is the script to rerun; `count` the cases it made.
export function writeOrCheck(file, text, { generator, count }) {
  const name = relative(root, file);
  if (process.argv.includes('--check')) {
    let current = '';
    try { current = readFileSync(file, 'utf8'); } catch { /* missing counts as stale */ }
    if (current !== text) {
      console.error(`${name} is stale: run node ${relative(root, generator)} and review the diff`);
      process.exit(1);
    }
    console.log(`${name} is current (${count} cases)`);
  } else {
    writeFileSync(file, text);
    console.log(`wrote ${file} (${count} cases)`);
  }
}
