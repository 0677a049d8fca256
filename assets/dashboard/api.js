// api.js: the stats API as the page asks it. The token is asked once and kept in this browser's
// localStorage (never sent anywhere but this origin's /v1/stats; the public /v1/schema is asked
// without it). Every answer is read as data: nothing from the API is ever written into the page as
// HTML.

const TOKEN_KEY = 'phonehome.token';

export const token = {
  get: () => localStorage.getItem(TOKEN_KEY) ?? '',
  set: (value) => localStorage.setItem(TOKEN_KEY, value),
  clear: () => localStorage.removeItem(TOKEN_KEY),
};

// Unauthorized: the token was refused (401). The page asks for it again.
export class Unauthorized extends Error {}

// RouteMissing: this deployment's API has no such route (404): an older Worker, or a route not
// landed yet. Panels that need it say so instead of failing.
export class RouteMissing extends Error {
  constructor(route) {
    super(`this deployment's API has no ${route}`);
    this.route = route;
  }
}

// Refused: any other answer but 200, with the API's own message (400 names the bad parameter).
export class Refused extends Error {
  constructor(route, status, message) {
    super(`${route} answered ${status}${message ? `: ${message}` : ''}`);
    this.status = status;
  }
}

// Answers are kept until refresh() so that panels asking the same question ask once.
const answers = new Map();
export const refresh = () => answers.clear();

// address() is the path and query of a stats report: what the page fetches and what an export
// names as its source.
export function address(report, params = {}) {
  const query = new URLSearchParams(Object.entries(params).filter(([, v]) => v !== undefined && v !== '')).toString();
  return `/v1/stats/${report}${query ? `?${query}` : ''}`;
}

// stats() fetches one report: { data, source }.
export function stats(report, params) {
  const source = address(report, params);
  if (!answers.has(source)) {
    const pending = fetchJson(source, `/v1/stats/${report}`, { authorization: `Bearer ${token.get()}` });
    answers.set(source, pending);
    pending.catch(() => answers.delete(source));
  }
  return answers.get(source).then((data) => ({ data, source }));
}

// schema() is the catalogue as the Worker publishes it (GET /v1/schema, public, no token): the kind
// of every field, which the shapes of rejected events are compared with.
export function schema() {
  const source = '/v1/schema';
  if (!answers.has(source)) {
    const pending = fetchJson(source, source);
    answers.set(source, pending);
    pending.catch(() => answers.delete(source));
  }
  return answers.get(source);
}

export async function fetchJson(source, route, headers = {}) {
  const response = await fetch(source, { headers: { accept: 'application/json', ...headers }, cache: 'no-store' });
  if (response.status === 401) throw new Unauthorized();
  if (response.status === 404) throw new RouteMissing(route);
  if (!response.ok) {
    let message = '';
    try { message = (await response.json())?.error?.message ?? ''; } catch { /* not JSON */ }
    throw new Refused(route, response.status, message);
  }
  return response.json();
}
