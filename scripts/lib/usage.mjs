// usage.mjs, imported first by each Node script: `--help` or `-h` prints the script's head comment
// (its usage) and exits, before anything is parsed, built or started.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export function exitWithUsageOnHelp(scriptUrl, args = process.argv.slice(2)) {
  if (args[0] !== '--help' && args[0] !== '-h') return;
  const lines = readFileSync(fileURLToPath(scriptUrl), 'utf8').split('\n').slice(1);
  const head = lines.slice(0, lines.findIndex((line) => !line.startsWith('//')));
  process.stdout.write(`${head.map((line) => line.replace(/^\/\/ ?/, '')).join('\n')}\n`);
  process.exit(0);
}
