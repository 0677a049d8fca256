// query.js: events sent as a query string (GET /v1/{product}/{event}?… and GET /v1/{product}?…),
// as Langflow's telemetry sends them. The query becomes a JSON object of strings for the core,
// which reads each value as its field's kind ("true", "3", "1.5"); validation, scrubbing, dedup and
// storage are those of POST.

import { HttpError, shown } from './http.js';

// Limits, written down in docs/PROTOCOL.md. Langflow splits its longest event to keep each URL
// under 2,048 bytes; Workers accept URLs up to 16 KB.
export const MAX_QUERY_URL_BYTES = 8192;
export const MAX_QUERY_FIELDS = 64;

const encoder = new TextEncoder();

// queryBody() is the JSON body the query of `url` stands for. Both `+` and `%20` are spaces (old
// and new httpx write them differently).
export function queryBody(url) {
  if (url.href.length > MAX_QUERY_URL_BYTES) {
    throw new HttpError(414, 'uri_too_long', `the URL is longer than ${MAX_QUERY_URL_BYTES} bytes: send the event as a POST body`);
  }
  // No prototype: a key named __proto__ is a field like any other (and dropped as undeclared).
  const fields = Object.create(null);
  let count = 0;
  for (const [key, value] of url.searchParams) {
    if (Object.hasOwn(fields, key)) {
      throw new HttpError(400, 'repeated_query_field', `${JSON.stringify(shown(key))} appears more than once in the query: give each field once`);
    }
    if (++count > MAX_QUERY_FIELDS) {
      throw new HttpError(400, 'too_many_query_fields', `the query has more than ${MAX_QUERY_FIELDS} fields`);
    }
    fields[key] = value;
  }
  return encoder.encode(JSON.stringify(fields));
}
