// verdicts.mjs: the response bodies, written byte for byte as the core writes them
// (docs/PROTOCOL.md). "accepted" carries a trailing space so that the worker can overwrite it
// with "duplicate", the same length, in place.

// notes() is the verdict's tail: the undeclared fields dropped and the enum fields kept as
// "other", when there are any.
export function notes({ dropped, droppedCount, unknownValues }) {
  let text = '';
  if (droppedCount > 0) text += `,"dropped":${JSON.stringify(dropped)}`;
  if (unknownValues.length > 0) text += `,"unknown_values":${JSON.stringify(unknownValues)}`;
  return text;
}

export const accepted = (index, tail) => `{"index":${index},"status":"accepted" ${tail}}`;

export const duplicate = (index, tail) => `{"index":${index},"status":"duplicate"${tail}}`;

export function rejected(index, rejection, tail) {
  const path = rejection.path === '' ? '' : `,"path":${JSON.stringify(rejection.path)}`;
  return `{"index":${index},"status":"rejected","code":"${rejection.code}"${path},"message":${JSON.stringify(rejection.message)}${tail}}`;
}

const ALL_REJECTED = '{"error":{"code":"all_rejected","message":"every event of the request was rejected"},';

export function results(verdicts, storedAny) {
  return `${storedAny ? '{' : ALL_REJECTED}"results":[${verdicts.join(',')}]}`;
}

export const error = (code, message) => `{"error":{"code":"${code}","message":${JSON.stringify(message)}}}`;
