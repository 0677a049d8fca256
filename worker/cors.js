// cors.js: CORS for the ingest routes only, so SDKs running in browsers can post. Maintainer
// routes get no CORS headers at all.

// x-client-version: the version a version_check product's ingest answer is checked for (check.js).
export const CORS_ALLOW_HEADERS = 'content-type, content-encoding, x-sent-at, x-client-version';

// allowedOrigin() is the Access-Control-Allow-Origin value for this request, or null.
function allowedOrigin(request, settings) {
  if (settings.corsOrigins.includes('*')) return '*';
  const origin = request.headers.get('origin');
  return origin && settings.corsOrigins.includes(origin) ? origin : null;
}

export function withCors(response, request, settings) {
  const origin = allowedOrigin(request, settings);
  if (origin === null) return response;
  const headers = new Headers(response.headers);
  headers.set('access-control-allow-origin', origin);
  if (origin !== '*') headers.append('vary', 'Origin');
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

// preflight() answers an OPTIONS for a route that takes `methods`.
export function preflight(request, settings, methods = 'GET, POST, OPTIONS') {
  const response = new Response(null, {
    status: 204,
    headers: {
      'access-control-allow-methods': methods,
      'access-control-allow-headers': CORS_ALLOW_HEADERS,
      'access-control-max-age': '86400',
    },
  });
  return withCors(response, request, settings);
}
