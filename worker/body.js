// body.js: reading a request body safely. The media type and encoding are checked first; the
// body is read as a stream and reading stops as soon as it passes the limit, so a 10 MB body or
// an endless stream costs no more than the limit. A compressed body is decompressed in small
// writes whose output is read as each write ends, and decompression stops as soon as the output
// passes the limit, so a gzip bomb costs about twice the limit at most.
//
// Concatenated gzip members (RFC 1952 2.2: `cat a.gz b.gz`) are one body. DecompressionStream
// stops at the end of the first member and refuses any byte after it, without saying where that
// end was; so every place where a member could start (the bytes 1f 8b 08) begins a write of its
// own. When the stream refuses exactly such a write, the bytes before it are decompressed again by
// a fresh stream: if that one ends cleanly there, so did the member, and the next starts there.
// A body of several members costs up to twice the decompression of one; a single member, once.

import { HttpError, shown } from './http.js';

const JSON_TYPES = new Set(['application/json', 'text/plain']); // text/plain: navigator.sendBeacon
// A Map, not an object: an encoding named "constructor" must not find Object.prototype's.
const FORMATS = new Map([['gzip', 'gzip'], ['x-gzip', 'gzip'], ['deflate', 'deflate']]);

// DEFLATE's largest expansion: 258 bytes out for 2 bits in.
const MAX_DEFLATE_RATIO = 1032;
// More members than this is refused: each costs two decompression streams.
const MAX_GZIP_MEMBERS = 64;

function checkMediaType(request) {
  const type = request.headers.get('content-type');
  // No Content-Type is taken as JSON: the body is checked as JSON anyway.
  if (type === null) return;
  const media = type.split(';')[0].trim().toLowerCase();
  if (!JSON_TYPES.has(media)) {
    throw new HttpError(415, 'unsupported_media_type',
      `send Content-Type: application/json (or text/plain from sendBeacon), not ${shown(media) || 'an empty type'}`);
  }
}

// formatOf() is the DecompressionStream format of the body, or null when it is not compressed.
function formatOf(request) {
  const encoding = (request.headers.get('content-encoding') ?? '').trim().toLowerCase();
  if (encoding === '' || encoding === 'identity') return null;
  const format = FORMATS.get(encoding);
  if (!format) {
    throw new HttpError(415, 'unsupported_encoding', `Content-Encoding ${shown(encoding)} is not supported: use gzip or deflate, once`);
  }
  return format;
}

function tooLarge(limit) {
  return new HttpError(413, 'body_too_large', `the body is larger than ${limit} bytes once decompressed`);
}

// Compressed data is never much larger than what it holds (stored blocks add 5 bytes per block):
// a compressed body over the limit and an eighth is refused before it is decompressed.
const compressedLimit = (limit) => limit + Math.ceil(limit / 8);

function compressedTooLarge(limit) {
  return new HttpError(413, 'body_too_large', `the compressed body is larger than ${compressedLimit(limit)} bytes`);
}

function invalidCompression(format, detail = '') {
  return new HttpError(400, 'invalid_compression', `the body is not valid ${format} data${detail}`);
}

function concat(parts, total) {
  if (parts.length === 1) return parts[0];
  const body = new Uint8Array(total);
  let at = 0;
  for (const part of parts) {
    body.set(part, at);
    at += part.byteLength;
  }
  return body;
}

// readAll() returns the bytes of `stream`, throwing refuse() as soon as there are more than max.
async function readAll(stream, max, refuse) {
  const reader = stream.getReader();
  const parts = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > max) {
        await reader.cancel().catch(() => {});
        throw refuse();
      }
      parts.push(value);
    }
  } catch (error) {
    if (error instanceof HttpError) throw error;
    // A stream error here is a client that went away mid-body.
    throw new HttpError(400, 'body_unreadable', 'the body could not be read to its end');
  }
  return concat(parts, total);
}

// memberStarts() lists the offsets past 0 where a gzip member could start: its magic bytes and
// compression method (1f 8b 08). Inside compressed data the three bytes are rare.
function memberStarts(data) {
  const starts = [];
  for (let at = data.indexOf(0x1f, 1); at !== -1; at = data.indexOf(0x1f, at + 1)) {
    if (data[at + 1] === 0x8b && data[at + 2] === 0x08) {
      if (starts.length === MAX_GZIP_MEMBERS - 1) throw invalidCompression('gzip', `: at most ${MAX_GZIP_MEMBERS} members`);
      starts.push(at);
    }
  }
  return starts;
}

// writesOf() cuts data[from, to) into [offset, bytes] writes of at most `slice` bytes, with a cut
// at each member start, so a refused write says where it began.
function* writesOf(data, from, to, slice, starts) {
  let at = from;
  for (const cut of [...starts.filter((start) => start > from && start < to), to]) {
    while (at < cut) {
      const end = Math.min(at + slice, cut);
      yield [at, data.subarray(at, end)];
      at = end;
    }
  }
}

// inflate() runs one DecompressionStream over `writes` and reads its output into `scratch`, an
// ArrayBuffer of at least room + 1 bytes (null: a new one; a stream that fails takes it along).
// Returns { output, scratch } when the stream ended cleanly with the last write, { refusedAt }
// when it refused the write at that offset, { truncated: true } when it wanted more. A read of all
// the room left waits before each write, and workerd hands it the write's whole output before the
// write resolves, so the limit is checked after every write and a full read means over the limit.
async function inflate(format, writes, room, limit, scratch) {
  const stream = new DecompressionStream(format);
  const writer = stream.writable.getWriter();
  const reader = stream.readable.getReader({ mode: 'byob' });
  let buffer = scratch ?? new ArrayBuffer(room + 1);
  let length = 0;
  let reading = null;
  let ended = false;
  let failed = false;
  const read = () => {
    reading ??= reader.read(new Uint8Array(buffer, length, room + 1 - length)).then(({ done, value }) => {
      reading = null;
      ended = done;
      if (value) {
        buffer = value.buffer;
        length += value.byteLength;
      }
    }, () => {
      // The write or close that failed says how.
      reading = null;
      failed = true;
    });
    return reading;
  };
  let clean = false;
  try {
    for (const [offset, bytes] of writes) {
      read();
      try {
        await writer.write(bytes);
      } catch {
        return { refusedAt: offset };
      }
      if (length > room) throw tooLarge(limit);
    }
    try {
      await writer.close();
    } catch {
      return { truncated: true };
    }
    while (!ended && !failed) {
      await read();
      if (length > room) throw tooLarge(limit);
    }
    if (failed) return { truncated: true };
    clean = true;
    return { output: new Uint8Array(buffer, 0, length), scratch: buffer };
  } finally {
    if (!clean) {
      reader.cancel().catch(() => {});
      writer.abort().catch(() => {});
    }
  }
}

// decompress() returns `data` decompressed, at most `limit` bytes: every gzip member in turn.
async function decompress(data, format, limit) {
  // Each write inflates to at most about the limit, so a bomb is stopped within twice the limit.
  const slice = Math.max(1024, Math.ceil(limit / MAX_DEFLATE_RATIO));
  const starts = format === 'gzip' ? memberStarts(data) : [];
  const members = [];
  let total = 0;
  let scratch = null;
  for (let start = 0; ;) {
    const room = limit - total;
    const pass = await inflate(format, writesOf(data, start, data.length, slice, starts), room, limit, scratch);
    if (pass.output) {
      if (members.length === 0) return pass.output;
      members.push(pass.output);
      return concat(members, total + pass.output.byteLength);
    }
    // The stream refused a write: a member ended there only if that write begins a member and
    // the bytes before it are, on their own, a complete member.
    const end = pass.refusedAt;
    if (end === undefined || end === start || !starts.includes(end)) throw invalidCompression(format);
    const member = await inflate(format, writesOf(data, start, end, slice, []), room, limit, null);
    if (!member.output) throw invalidCompression(format);
    // A copy: the next member is read into the same scratch buffer.
    members.push(member.output.slice());
    total += member.output.byteLength;
    scratch = member.scratch;
    start = end;
  }
}

// readBody() returns the decompressed body as one Uint8Array of at most `limit` bytes.
export async function readBody(request, limit) {
  checkMediaType(request);
  const format = formatOf(request);
  const max = format === null ? limit : compressedLimit(limit);
  const refuse = () => (format === null ? tooLarge(limit) : compressedTooLarge(limit));
  if (Number(request.headers.get('content-length')) > max) throw refuse();
  if (request.body === null) return new Uint8Array(0);
  const data = await readAll(request.body, max, refuse);
  // An empty body is empty whatever its encoding says.
  if (format === null || data.byteLength === 0) return data;
  return decompress(data, format, limit);
}
