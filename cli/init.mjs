// init.mjs: `phonehome init <dir>`, a maintainer's own collector project from templates/init/:
// only their products (an example to replace), the Worker in three lines, wrangler.toml with this
// package's settings, a README with the deploy steps and a CI workflow.
import { copyFileSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCommand, UsageError } from './args.mjs';

export const usage = `usage: phonehome init <dir> [--name NAME]

Makes a new collector project in <dir> (which must be empty or absent): package.json depending on
phonehome, wrangler.toml, catalogue/ with one example product, payloads/ that CI checks,
src/index.js, a README with the deploy steps, .github/workflows/phonehome.yml and .gitignore.

  --name NAME   the Worker's and the database's name (default: the folder's name)`;

export const TEMPLATE_DIR = fileURLToPath(new URL('../templates/init/', import.meta.url));
// npm leaves every .gitignore out of a package: the template's is stored as "gitignore".
const RENAMED = new Map([['gitignore', '.gitignore']]);
const TEXT = /\.(json|toml|js|md|yml|ndjson)$|^gitignore$/;

// workerName() makes a folder name a Worker name: lower-case letters, digits and dashes.
function workerName(text) {
  const name = text.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 54);
  return name || 'telemetry';
}

function filesUnder(dir, prefix = '') {
  return readdirSync(join(dir, prefix), { withFileTypes: true }).flatMap((entry) => {
    const path = join(prefix, entry.name);
    return entry.isDirectory() ? filesUnder(dir, path) : [path];
  });
}

export async function run(args) {
  const { values, positionals } = parseCommand(args, { name: { type: 'string' } });
  if (values.help) {
    console.log(usage);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError('name one folder');
  const target = resolve(positionals[0]);
  try {
    return scaffold(target, positionals[0], values.name);
  } catch (error) {
    if (!error?.code) throw error;
    console.error(`phonehome init: cannot write ${positionals[0]}: ${error.code} (${error.syscall ?? 'fs'}${error.path ? ` ${error.path}` : ''}): nothing more was written`);
    return 1;
  }
}

// shellWord() is a path as one word to paste into a POSIX shell.
const shellWord = (text) => (/^[A-Za-z0-9_./@%+=:,-]+$/.test(text) ? text : `'${text.replace(/'/g, "'\\''")}'`);

function scaffold(target, given, nameOption) {
  const existing = statSync(target, { throwIfNoEntry: false });
  if (existing && (!existing.isDirectory() || readdirSync(target).length > 0)) {
    console.error(`phonehome init: ${given} ${existing.isDirectory() ? 'is not empty' : 'is not a folder'}: nothing was written`);
    return 1;
  }
  const name = workerName(nameOption ?? basename(target));
  const ours = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  const fill = {
    name,
    phonehome_version: ours.version,
    wrangler_version: ours.devDependencies?.wrangler ?? ours.peerDependencies.wrangler.replace(/^\^/, ''),
  };

  const written = [];
  for (const file of filesUnder(TEMPLATE_DIR).sort()) {
    const out = join(target, RENAMED.get(file) ?? file);
    mkdirSync(join(out, '..'), { recursive: true });
    if (TEXT.test(basename(file))) {
      const text = readFileSync(join(TEMPLATE_DIR, file), 'utf8').replace(/\{\{(\w+)\}\}/g, (all, key) => fill[key] ?? all);
      writeFileSync(out, text);
    } else {
      copyFileSync(join(TEMPLATE_DIR, file), out);
    }
    written.push(relative(target, out));
  }
  const where = relative(process.cwd(), target) || '.';
  console.log(`phonehome init: made ${name} in ${where}:
${written.map((file) => `  ${file}`).join('\n')}

Next:
  cd ${shellWord(where)}
  npm install
  npx phonehome check payloads/*.ndjson
  npx wrangler d1 migrations apply DB --local && npx wrangler dev
Then replace catalogue/products/example.json with your product; README.md has the deploy steps.`);
  return 0;
}
