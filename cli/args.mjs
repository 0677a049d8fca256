// args.mjs: reading a command's arguments. A mistake in them is a UsageError: the CLI prints it
// with the command's usage and exits 2, which tells "you called it wrong" apart from "your
// payloads were rejected" (1) in a CI log.
import { parseArgs } from 'node:util';

// `showUsage: false` for a mistake the usage would not help with, such as a file that is missing.
export class UsageError extends Error {
  constructor(message, { showUsage = true } = {}) {
    super(message);
    this.name = 'UsageError';
    this.showUsage = showUsage;
  }
}

// parseCommand() parses `args` against `options` (node:util parseArgs' form); every command
// also takes --help.
export function parseCommand(args, options, { positionals = true } = {}) {
  try {
    return parseArgs({ args, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: positionals, strict: true });
  } catch (error) {
    throw new UsageError(error.message);
  }
}
