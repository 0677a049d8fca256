// core.js: the one loader of phonehome's Wasm core, shared by the Worker and the Node tests.
//
// It knows the C ABI of wasm/abi/abi.h and nothing of HTTP or D1. Environment specifics (how the
// module is obtained) stay with the caller: pass a WebAssembly.Module to instantiateCore().

export const ABI_VERSION = 4;
// ph_ingest()'s flags (wasm/abi/abi.h).
const VALUES_ARE_TEXT = 1;

// WASI errno "function not supported": the core never does I/O, so the few WASI calls libc keeps
// around (for abort messages on stderr) answer that they cannot.
const ENOSYS = 52;

// The core's only way out of a call other than returning is a trap; proc_exit (reached from abort)
// becomes one too, so the caller throws the instance away.
export class CoreTrap extends Error {
  constructor(message) {
    super(message);
    this.name = 'CoreTrap';
  }
}

const IMPORT_STUBS = {
  env: {
    // Memory growth detaches views; the loader makes fresh views after every call anyway.
    emscripten_notify_memory_growth: () => {},
  },
  wasi_snapshot_preview1: {
    proc_exit: (code) => {
      throw new CoreTrap(`core exited with code ${code}`);
    },
    fd_write: () => ENOSYS,
    fd_close: () => ENOSYS,
    fd_seek: () => ENOSYS,
  },
};

// importsFor() builds exactly the imports the module lists, and refuses a module that needs
// anything else: a new import means a new dependency on the host, which must be a decision.
export function importsFor(module) {
  const imports = {};
  for (const { module: namespace, name, kind } of WebAssembly.Module.imports(module)) {
    const stub = IMPORT_STUBS[namespace]?.[name];
    if (kind !== 'function' || typeof stub !== 'function') {
      throw new Error(`phonehome core imports ${namespace}.${name} (${kind}), which the loader does not provide`);
    }
    (imports[namespace] ??= {})[name] = stub;
  }
  return imports;
}

// CatalogueError is a compiled catalogue the core refused; its message names the place and the
// problem ("products[1] (axon).events[0] (heartbeat).fields[3] (tasks).max_items: …").
export class CatalogueError extends Error {
  constructor(message) {
    super(message);
    this.name = 'CatalogueError';
  }
}

// instantiateCore() makes a core from a compiled module; with `catalogueJson` (the compiled
// catalogue's text) it loads that catalogue too, and throws CatalogueError when it is refused.
export async function instantiateCore(module, catalogueJson) {
  const instance = await WebAssembly.instantiate(module, importsFor(module));
  const core = createCore(instance);
  if (catalogueJson !== undefined) {
    const problem = core.loadCatalogue(catalogueJson);
    if (problem !== null) throw new CatalogueError(problem);
  }
  return core;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const DUPLICATE_TOKEN = encoder.encode('"duplicate"');

// createCore() wraps an instantiated module. Calls are synchronous: no await may sit between a
// call and the reading of its result, since the next call reuses the result buffer.
export function createCore(instance) {
  const core = instance.exports;
  if (typeof core._initialize === 'function') core._initialize();
  const abi = core.ph_abi_version();
  if (abi !== ABI_VERSION) throw new Error(`phonehome core speaks ABI ${abi}, the loader ${ABI_VERSION}`);

  const statusNames = [];
  const requestStatuses = new Set();
  for (let code = 0; code < core.ph_status_count(); code++) {
    const name = readCString(core.memory, core.ph_status_name(code));
    statusNames.push(name);
    if (core.ph_status_is_request(code)) requestStatuses.add(name);
  }

  // Views over the module's memory, made again only when the memory grew (growth detaches them).
  let buffer = null;
  let bytes = null;
  let words = null;
  function views() {
    if (core.memory.buffer !== buffer) {
      buffer = core.memory.buffer;
      bytes = new Uint8Array(buffer);
      words = new Uint32Array(buffer); // Wasm memory is little-endian, as every host here is
    }
  }

  // One request buffer, reused and grown to the next power of two when a body does not fit.
  let bufferPtr = 0;
  let bufferSize = 0;
  function reserve(size) {
    if (size <= bufferSize) return;
    if (bufferPtr) core.ph_free(bufferPtr);
    bufferSize = 2 ** Math.ceil(Math.log2(Math.max(size, 4096)));
    bufferPtr = core.ph_alloc(bufferSize);
    if (!bufferPtr) {
      bufferSize = 0;
      throw new CoreTrap('core could not allocate the request buffer');
    }
  }

  // writeText() writes text as UTF-8 at `at` (inside the reserved buffer) and returns its length.
  // Route names and X-Sent-At are short and ASCII: a loop beats TextEncoder's call for those.
  function writeText(text, at) {
    for (let i = 0; i < text.length; i++) {
      const unit = text.charCodeAt(i);
      if (unit >= 0x80) return encoder.encodeInto(text, bytes.subarray(at, bufferPtr + bufferSize)).written;
      bytes[at + i] = unit;
    }
    return text.length;
  }

  // Nonces only have to differ between requests: a random base per instance and a counter, which
  // costs nothing per request where a fresh random value would cost a system call.
  const nonceBase = crypto.getRandomValues(new Uint32Array(2));
  let nonceCounter = 0;

  let resultPtr = 0;
  let resultLength = 0;

  // ingest() runs one request through the core. `body` is a Uint8Array (already decompressed);
  // `sentAt` the client's X-Sent-At header or ''; `nonce` two uint32 (tests pin it). With
  // `withInstalls` the result also carries what the per-install counters need (storage.js).
  // `valuesAreText` says the body is a query string read as an object: a boolean or numeric field
  // reads its string as that kind.
  function ingest({ product, event, body, receivedAt, sentAt = '', nonce, withInstalls = false, valuesAreText = false }) {
    // Request layout in the buffer: product, event, sent_at, body. UTF-8 needs at most 3 bytes
    // per UTF-16 unit.
    reserve((product.length + event.length + sentAt.length) * 3 + body.length);
    views();
    const productLength = writeText(product, bufferPtr);
    const eventPtr = bufferPtr + productLength;
    const eventLength = writeText(event, eventPtr);
    const sentAtPtr = eventPtr + eventLength;
    const sentAtLength = sentAt === '' ? 0 : writeText(sentAt, sentAtPtr);
    const bodyPtr = sentAtPtr + sentAtLength;
    bytes.set(body, bodyPtr);

    nonceCounter = (nonceCounter + 1) >>> 0;
    core.ph_ingest(bufferPtr, productLength, eventPtr, eventLength, bodyPtr, body.length, sentAtPtr, sentAtLength,
      receivedAt, nonce ? nonce[0] : nonceBase[0], nonce ? nonce[1] : (nonceBase[1] + nonceCounter) >>> 0,
      valuesAreText ? VALUES_ARE_TEXT : 0);

    resultPtr = core.ph_result_ptr();
    resultLength = core.ph_result_len();
    views();
    const header = resultPtr >>> 2;
    const rowCount = words[header + 2];
    const acceptedOffsets = words.slice((resultPtr + words[header + 7]) >>> 2, ((resultPtr + words[header + 7]) >>> 2) + rowCount);
    // Each chunk of rows is one JSON array, bound as one parameter of one statement.
    const chunkCount = words[header + 8];
    const chunks = new Array(chunkCount);
    for (let i = 0, w = (resultPtr + words[header + 9]) >>> 2; i < chunkCount; i++, w += 3) {
      const at = resultPtr + words[w];
      chunks[i] = { rowsJson: decoder.decode(bytes.subarray(at, at + words[w + 1])), firstRow: words[w + 2] };
    }
    const rejectionsAt = resultPtr + words[header + 10];
    const rejectionsLength = words[header + 11];
    const responseAt = resultPtr + words[header + 5];
    const text = (word) => decoder.decode(bytes.subarray(resultPtr + words[header + word], resultPtr + words[header + word] + words[header + word + 1]));
    const installs = withInstalls && rowCount > 0;
    return {
      outcome: statusNames[words[header]] ?? 'internal_error',
      eventCount: words[header + 1],
      rowCount,
      chunks,
      rejectionsJson: rejectionsLength === 2 ? '[]' : decoder.decode(bytes.subarray(rejectionsAt, rejectionsAt + rejectionsLength)),
      // For the per-install counters (storage.js): each stored row's [event id, install key], and
      // rows per install key.
      rowInstallsJson: installs ? text(12) : '[]',
      installCountsJson: installs ? text(14) : '{}',
      // A copy: the response outlives this call, the result buffer does not.
      response: bytes.slice(responseAt, responseAt + words[header + 6]),
      acceptedOffsets,
    };
  }

  // lastResult() copies the whole raw result of the last ingest(), for the byte-for-byte
  // comparison of the Wasm builds with native.
  function lastResult() {
    views();
    return bytes.slice(resultPtr, resultPtr + resultLength);
  }

  // loadCatalogue() hands the compiled catalogue (its JSON text) to the core, which checks it and
  // builds its tables: null when loaded, else the core's message. Until a load succeeds, and after
  // one fails, ingest() answers `misconfigured`.
  function loadCatalogue(jsonText) {
    const text = encoder.encode(jsonText);
    const ptr = core.ph_alloc(text.length);
    if (!ptr) throw new CoreTrap('core could not allocate the catalogue buffer');
    try {
      views();
      bytes.set(text, ptr);
      const status = core.ph_load_catalogue(ptr, text.length);
      views();
      return status === 0 ? null : readCString(core.memory, core.ph_catalogue_error());
    } finally {
      core.ph_free(ptr);
    }
  }

  const limits = JSON.parse(readCString(core.memory, core.ph_limits_json()));

  return { ingest, lastResult, loadCatalogue, statusNames, requestStatuses, limits, memory: core.memory };
}

// markDuplicates() turns the verdicts of the given rows from "accepted" into "duplicate" in place.
export function markDuplicates(result, duplicateRows) {
  for (const row of duplicateRows) result.response.set(DUPLICATE_TOKEN, result.acceptedOffsets[row]);
}

function readCString(memory, ptr) {
  const bytes = new Uint8Array(memory.buffer, ptr);
  return decoder.decode(bytes.subarray(0, bytes.indexOf(0)));
}
