// body.js: reading a request body safely. The media type and encoding are checked first; the
// body is read as a stream and decompressed as a stream, and reading stops as soon as the
// decompressed size passes the limit, so a 10 MB body, an endless stream or a gzip bomb costs no
// more than the limit.

import { HttpError } from './http.js';

const JSON_TYPES = new Set(['application/json', 'text/plain']); // text/plain: navigator.sendBeacon
const DECOMPRESSION = { gzip: 'gzip', 'x-gzip': 'gzip', deflate: 'deflate' };

function checkMediaType(request) {
  const type = request.headers.get('content-type');
  // No Content-Type is taken as JSON: the body is checked as JSON anyway.
  if (type === null) return;
  const media = type.split(';')[0].trim().toLowerCase();
  if (!JSON_TYPES.has(media)) {
    throw new HttpError(415, 'unsupported_media_type',
      `send Content-Type: application/json (or text/plain from sendBeacon), not ${media || 'an empty type'}`);
  }
}

function decoderFor(request) {
  const encoding = (request.headers.get('content-encoding') ?? '').trim().toLowerCase();
  if (encoding === '' || encoding === 'identity') return null;
  const format = DECOMPRESSION[encoding];
  if (!format) {
    throw new HttpError(415, 'unsupported_encoding', `Content-Encoding ${encoding} is not supported: use gzip or deflate`);
  }
  return new DecompressionStream(format);
}

function tooLarge(limit) {
  return new HttpError(413, 'body_too_large', `the body is larger than ${limit} bytes once decompressed`);
}

// readBody() returns the decompressed body as one Uint8Array of at most `limit` bytes.
export async function readBody(request, limit) {
  checkMediaType(request);
  const decoder = decoderFor(request);
  const declared = Number(request.headers.get('content-length'));
  if (decoder === null && declared > limit) throw tooLarge(limit);
  if (request.body === null) return new Uint8Array(0);

  const stream = decoder === null ? request.body : request.body.pipeThrough(decoder);
  const reader = stream.getReader();
  const parts = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > limit) {
        await reader.cancel().catch(() => {});
        throw tooLarge(limit);
      }
      parts.push(value);
    }
  } catch (error) {
    if (error instanceof HttpError) throw error;
    // A stream error here is a corrupt compressed body, or a client that went away mid-body.
    if (decoder !== null) {
      throw new HttpError(400, 'invalid_compression', `the body is not valid ${request.headers.get('content-encoding')} data`);
    }
    throw new HttpError(400, 'body_unreadable', 'the body could not be read to its end');
  }
  if (parts.length === 1) return parts[0];
  const body = new Uint8Array(total);
  let at = 0;
  for (const part of parts) {
    body.set(part, at);
    at += part.byteLength;
  }
  return body;
}
