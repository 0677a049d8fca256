#!/usr/bin/env node
// phonehome: the command line of the phonehome package. Each command lives in cli/<command>.mjs,
// exports `usage` and `run(args)` → exit status, and is loaded only when called.
import { readFileSync } from 'node:fs';
import { UsageError } from '../cli/args.mjs';

const COMMANDS = {
  init: 'make a project of your own: wrangler.toml, catalogue/ with an example product, src/index.js, CI',
  build: 'check the catalogue, compile it for the Worker (wrangler runs this before bundling)',
  check: 'check the catalogue, then run payload files through the production core',
  schema: "print the Worker's /v1/schema for the catalogue, offline",
  disclosure: "print the Worker's disclosure page for the catalogue, offline",
};

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

const usage = `phonehome ${version}: a privacy-first telemetry collector for Cloudflare Workers

usage: phonehome <command> [options]

${Object.entries(COMMANDS).map(([name, what]) => `  ${name.padEnd(11)} ${what}`).join('\n')}

phonehome <command> --help says more. https://www.npmjs.com/package/phonehome`;

async function main(argv) {
  const [command, ...args] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    if (command === undefined) {
      console.error(usage);
      return 2;
    }
    console.log(usage);
    return 0;
  }
  if (command === '--version' || command === '-v') {
    console.log(version);
    return 0;
  }
  if (!Object.hasOwn(COMMANDS, command)) {
    console.error(`phonehome: unknown command "${command}"\n\n${usage}`);
    return 2;
  }
  const module = await import(`../cli/${command}.mjs`);
  try {
    return await module.run(args);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`phonehome ${command}: ${error.message}${error.showUsage ? `\n\n${module.usage}` : ''}`);
    return 2;
  }
}

// A reader that stops early (`phonehome schema | head`) is not an error of ours.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

process.exitCode = await main(process.argv.slice(2));
