// forget.js: POST /v1/forget {"install_id": "…"} deletes every stored event of that install, and
// its daily write counters. The install id is the only secret a machine holds, so knowing it is
// the authorisation. Every event store is searched (stores.js).

import { readBody } from './body.js';
import { HttpError, jsonBody } from './http.js';
import { forgetInstall, normalizeInstallId } from './storage.js';

const MAX_FORGET_BODY = 4096;

export async function handleForget(request, stores) {
  const body = await readBody(request, MAX_FORGET_BODY);
  let installId;
  try {
    installId = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body))?.install_id;
  } catch {
    installId = undefined;
  }
  if (typeof installId !== 'string' || installId.trim() === '' || installId.length > 128) {
    throw new HttpError(400, 'invalid_forget_request', 'send {"install_id": "<the id your SDK stores>"}');
  }
  let deleted;
  try {
    deleted = await forgetInstall(stores.stores, normalizeInstallId(installId));
  } catch (error) {
    console.error(`phonehome: forget failed: ${error?.message ?? error}`);
    throw new HttpError(503, 'storage_unavailable', 'the deletion did not complete: retry later', { 'retry-after': '30' });
  }
  return jsonBody(JSON.stringify({ deleted }), 200);
}
