// http.js: responses. Every error body is JSON with a stable code and a human message, and never
// carries an internal detail (a stack, a SQL error, a binding name).

const JSON_TYPE = 'application/json; charset=utf-8';

// HttpError is thrown where a request cannot go on; the router turns it into its response.
export class HttpError extends Error {
  constructor(status, code, message, headers = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.headers = headers;
  }
}

export function jsonBody(body, status, headers = {}) {
  return new Response(body, { status, headers: { 'content-type': JSON_TYPE, ...headers } });
}

export function errorResponse(status, code, message, headers = {}) {
  return jsonBody(JSON.stringify({ error: { code, message } }), status, headers);
}

export function notFound() {
  return errorResponse(404, 'not_found', 'no such route; events go to POST /v1/{product}/{event} or POST /v1/batch');
}

export function methodNotAllowed(allowed) {
  return errorResponse(405, 'method_not_allowed', `this route accepts ${allowed.join(', ')}`, {
    allow: allowed.join(', '),
  });
}

// secondsUntilNextUtcDay() is the Retry-After of a spent daily budget.
export function secondsUntilNextUtcDay(now = Date.now()) {
  const next = Math.floor(now / 86_400_000 + 1) * 86_400_000;
  return Math.max(1, Math.ceil((next - now) / 1000));
}

// shown() is a client's value fit to quote in an error message: what it sent, cut short.
export const shown = (value) => (value.length > 64 ? `${value.slice(0, 64)}…` : value);
