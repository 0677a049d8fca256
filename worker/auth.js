// auth.js: the maintainer routes' bearer token (the STATS_TOKEN secret), compared in constant
// time: both sides are hashed first, so the comparison takes the same time whatever the length
// or the first differing character of what was sent.

import { HttpError } from './http.js';

const encoder = new TextEncoder();

async function digest(text) {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(text)));
}

export async function requireToken(request, env) {
  const expected = env.STATS_TOKEN;
  const header = request.headers.get('authorization') ?? '';
  const sent = header.startsWith('Bearer ') ? header.slice(7) : '';
  // Hash even when nothing was configured or sent, so every refusal costs the same.
  const [a, b] = await Promise.all([digest(sent), digest(expected ?? '')]);
  const same = crypto.subtle.timingSafeEqual(a, b);
  if (!expected || !sent || !same) {
    throw new HttpError(401, 'unauthorized', 'send Authorization: Bearer <STATS_TOKEN>', { 'www-authenticate': 'Bearer' });
  }
}
