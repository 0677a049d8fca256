// payloads.mjs: request bodies from payload files. A file is one JSON body, or NDJSON: one body a
// line (blank lines skipped). Each body keeps its exact bytes, so the core sees what a client
// would send, and says where it came from: `file` for a whole-file body, `file:line` for a line.

const decoder = new TextDecoder();
const NEWLINE = 0x0a;

function parses(bytes) {
  try {
    JSON.parse(decoder.decode(bytes));
    return true;
  } catch {
    return false;
  }
}

function lines(bytes) {
  const out = [];
  let start = 0;
  let number = 1;
  for (let i = 0; i <= bytes.length; i++) {
    if (i < bytes.length && bytes[i] !== NEWLINE) continue;
    let end = i;
    if (end > start && bytes[end - 1] === 0x0d) end--;
    const line = bytes.subarray(start, end);
    if (decoder.decode(line).trim() !== '') out.push({ number, bytes: line });
    start = i + 1;
    number++;
  }
  return out;
}

// bodiesOf() splits one file into [{ source, bytes }]. `.ndjson` and `.jsonl` files are NDJSON;
// any other file is one body when it parses as JSON, and NDJSON when it has several lines and its
// first one parses (a line that does not parse is then sent as it is, and the core says why).
// Anything else is one body, whose error the core reports.
export function bodiesOf(name, bytes) {
  const ndjsonName = /\.(ndjson|jsonl)$/i.test(name);
  if (!ndjsonName && parses(bytes)) return [{ source: name, bytes }];
  const split = lines(bytes);
  if (ndjsonName || (split.length > 1 && parses(split[0].bytes))) {
    return split.map((line) => ({ source: `${name}:${line.number}`, bytes: line.bytes }));
  }
  return decoder.decode(bytes).trim() === '' ? [] : [{ source: name, bytes }];
}
