// settings.mjs: the Worker's settings and identity for the offline pages (`phonehome schema`,
// `phonehome disclosure`): config() of the [vars] in ./wrangler.toml, as the deployed Worker reads
// them, and the SHA-256 of the core and of the catalogue.
import { readFileSync } from 'node:fs';
import { config } from '../worker/config.js';

// A TOML basic string ("…" with backslash escapes) or literal string ('…'), a number or a boolean:
// what [vars] holds. wrangler passes non-string vars to the Worker as JSON values.
const VALUE = /^("(?:[^"\\]|\\.)*"|'[^']*'|-?\d+(?:\.\d+)?|true|false)\s*(?:#.*)?$/;

// wranglerVars() reads the [vars] table of a wrangler.toml; {} when there is none. Only the
// `KEY = value` lines wrangler.toml [vars] uses are read; anything else is reported, not guessed.
export function wranglerVars(file) {
  let text;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if (error.code === 'ENOENT') return {};
    throw error;
  }
  const vars = {};
  let inVars = false;
  for (const [i, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    if (line.startsWith('[')) {
      inVars = line === '[vars]';
      continue;
    }
    if (!inVars) continue;
    const match = /^([A-Za-z_][A-Za-z0-9_-]*)\s*=\s*(.*)$/.exec(line);
    const value = match && VALUE.exec(match[2]);
    if (!value) throw new Error(`${file}:${i + 1}: cannot read this [vars] line: ${line}`);
    const token = value[1];
    if (token.startsWith("'")) vars[match[1]] = token.slice(1, -1);
    else vars[match[1]] = JSON.parse(token);
  }
  return vars;
}

export function settings(wranglerToml = 'wrangler.toml') {
  return config(wranglerVars(wranglerToml));
}
