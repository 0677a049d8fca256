// forget.js: POST /v1/forget {"install_id": "…"} deletes every stored event of that install, and
// its daily write counters. The install id is the only secret a machine holds, so knowing it is
// the authorisation. Every event store is searched (stores.js).
//
// The core reads the body and says under which spellings the loaded catalogue stores the id (a
// uuid field lower case and dashed, a string field as sent, cleaned): each of them is deleted, so
// the shim keeps no second definition of a stored id that could miss one.

import { readBody } from './body.js';
import { HttpError, jsonBody } from './http.js';
import { forgetInstall } from './storage.js';

const MAX_FORGET_BODY = 4096;

export async function handleForget(request, core, stores) {
  const body = await readBody(request, MAX_FORGET_BODY);
  const answer = core.forget(body);
  if (answer.error === 'misconfigured') {
    throw new HttpError(500, 'misconfigured', 'the collector holds no valid catalogue');
  }
  if (!Array.isArray(answer.forms)) {
    throw new HttpError(400, 'invalid_forget_request', 'send {"install_id": "<the id your SDK stores>"}');
  }
  let deleted;
  try {
    deleted = await forgetInstall(stores.stores, answer.forms);
  } catch (error) {
    console.error(`phonehome: forget failed: ${error?.message ?? error}`);
    throw new HttpError(503, 'storage_unavailable', 'the deletion did not complete: retry later', { 'retry-after': '30' });
  }
  return jsonBody(JSON.stringify({ deleted }), 200);
}
