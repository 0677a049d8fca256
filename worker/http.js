// http.js: response helpers. Every error body is JSON with a stable code and a human message,
// and never carries an internal detail (a stack, a SQL error, a binding name).

const JSON_TYPE = 'application/json; charset=utf-8';

export function jsonBody(body, status, headers = {}) {
  return new Response(body, { status, headers: { 'content-type': JSON_TYPE, ...headers } });
}

export function errorResponse(status, code, message, headers = {}) {
  return jsonBody(JSON.stringify({ error: { code, message } }), status, headers);
}

export function notFound() {
  return errorResponse(404, 'not_found', 'no such route; events go to POST /v1/{product}/{event}');
}

export function methodNotAllowed(allowed) {
  return errorResponse(405, 'method_not_allowed', `this route accepts ${allowed.join(', ')}`, {
    allow: allowed.join(', '),
  });
}
