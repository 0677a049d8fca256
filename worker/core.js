// core.js: the one loader of phonehome's Wasm core, shared by the Worker and the Node tests.
//
// It knows the C ABI of wasm/abi/abi.h and nothing of HTTP or D1. Environment specifics (how the
// module is obtained) stay with the caller: pass a WebAssembly.Module to instantiateCore().

export const ABI_VERSION = 7;
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

// The fields of the module's structs the loader reads and writes, with the type each must have
// (abi.h). Their offsets come from the module itself (ph_layout_json), so a field renamed, removed
// or retyped in abi.h stops the loader at instantiation instead of reading the wrong bytes.
const REQUEST_FIELDS = {
  product: 'ptr', product_length: 'u32', event: 'ptr', event_length: 'u32', body: 'ptr', body_length: 'u32',
  sent_at: 'ptr', sent_at_length: 'u32', received_at_ms: 'f64', nonce: 'u64', flags: 'u32',
};
const RESULT_FIELDS = Object.fromEntries([
  'outcome', 'event_count', 'row_count', 'rows_offset', 'rows_length', 'response_offset', 'response_length',
  'accepted_offsets_offset', 'chunk_count', 'chunks_offset', 'rejections_offset', 'rejections_length',
  'row_installs_offset', 'row_installs_length', 'install_counts_offset', 'install_counts_length',
].map((name) => [name, 'u32']));
const CHUNK_FIELDS = { offset: 'u32', length: 'u32', first_row: 'u32' };
const TYPE_SIZE = { u32: 4, ptr: 4, u64: 8, f64: 8 };

// layoutOf() is one struct of the module's layout: its size in bytes and, for each field the
// loader uses, its offset in units of the field's own size (a word index for u32 and ptr, an
// 8-byte index for f64 and u64), which is how the loader's typed arrays address it.
export function layoutOf(layout, struct, expected) {
  const described = layout?.[struct];
  if (!described) throw new Error(`phonehome core describes no struct ${struct}`);
  const out = { size: described.size };
  for (const [name, type] of Object.entries(expected)) {
    const field = described.fields?.[name];
    if (!field || field.type !== type || field.size !== TYPE_SIZE[type] || field.offset % TYPE_SIZE[type] !== 0) {
      throw new Error(`phonehome core: ${struct}.${name} is ${field ? `${field.type} of ${field.size} bytes at ${field.offset}` : 'absent'}, the loader reads an aligned ${type}`);
    }
    out[name] = field.offset / (type === 'u64' ? 4 : TYPE_SIZE[type]);
  }
  return out;
}

// The description of the last core instantiated (ph_describe_json): status codes with their HTTP
// status and meaning, row columns, field kinds, the row chunk size and the limits. It is a property
// of the module's code, the same for every instance; the Worker makes its core before it answers
// anything (create.js), so the modules that need a fact without a core in hand read it here.
let lastDescription = null;

// coreDescription() is that description; it throws before any core was made.
export function coreDescription() {
  if (lastDescription === null) throw new Error('no phonehome core has been instantiated: the description comes from the module');
  return lastDescription;
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

  const layout = JSON.parse(readCString(core.memory, core.ph_layout_json()));
  const REQUEST = layoutOf(layout, 'ph_request', REQUEST_FIELDS);
  const RESULT = layoutOf(layout, 'ph_result', RESULT_FIELDS);
  const CHUNK = layoutOf(layout, 'ph_chunk', CHUNK_FIELDS);
  // The request's texts follow the struct, which stays 8-byte aligned for its double.
  const requestTexts = Math.ceil(layout.ph_request.size / 8) * 8;

  const description = JSON.parse(readCString(core.memory, core.ph_describe_json()));
  lastDescription = description;
  const statusNames = description.statuses.map((s) => s.name);
  const requestStatuses = new Set(description.statuses.filter((s) => s.scope === 'request').map((s) => s.name));

  // Views over the module's memory, made again only when the memory grew (growth detaches them).
  let buffer = null;
  let bytes = null;
  let words = null;
  let doubles = null;
  function views() {
    if (core.memory.buffer !== buffer) {
      buffer = core.memory.buffer;
      bytes = new Uint8Array(buffer);
      words = new Uint32Array(buffer); // Wasm memory is little-endian, as every host here is
      doubles = new Float64Array(buffer);
    }
  }

  // One request buffer (the struct ph_request, then its texts), reused and grown to the next power
  // of two when a body does not fit.
  let bufferPtr = 0;
  let bufferSize = 0;
  function reserve(size) {
    if (size <= bufferSize) return;
    if (bufferPtr) core.ph_free(bufferPtr);
    bufferSize = 2 ** Math.ceil(Math.log2(Math.max(size, 4096)));
    bufferPtr = core.ph_alloc(bufferSize);
    if (!bufferPtr || bufferPtr % 8 !== 0) {
      bufferSize = 0;
      throw new CoreTrap('core could not allocate an aligned request buffer');
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
    // Request layout in the buffer: the struct, then product, event, sent_at, body. UTF-8 needs at
    // most 3 bytes per UTF-16 unit.
    reserve(requestTexts + (product.length + event.length + sentAt.length) * 3 + body.length);
    views();
    const productPtr = bufferPtr + requestTexts;
    const productLength = writeText(product, productPtr);
    const eventPtr = productPtr + productLength;
    const eventLength = writeText(event, eventPtr);
    const sentAtPtr = eventPtr + eventLength;
    const sentAtLength = sentAt === '' ? 0 : writeText(sentAt, sentAtPtr);
    const bodyPtr = sentAtPtr + sentAtLength;
    bytes.set(body, bodyPtr);

    nonceCounter = (nonceCounter + 1) >>> 0;
    const w = bufferPtr >>> 2;
    words[w + REQUEST.product] = productPtr;
    words[w + REQUEST.product_length] = productLength;
    words[w + REQUEST.event] = eventPtr;
    words[w + REQUEST.event_length] = eventLength;
    words[w + REQUEST.body] = bodyPtr;
    words[w + REQUEST.body_length] = body.length;
    words[w + REQUEST.sent_at] = sentAtPtr;
    words[w + REQUEST.sent_at_length] = sentAtLength;
    doubles[(bufferPtr >>> 3) + REQUEST.received_at_ms] = receivedAt;
    // A u64, little-endian: the low word first.
    words[w + REQUEST.nonce] = nonce ? nonce[1] : (nonceBase[1] + nonceCounter) >>> 0;
    words[w + REQUEST.nonce + 1] = nonce ? nonce[0] : nonceBase[0];
    words[w + REQUEST.flags] = valuesAreText ? VALUES_ARE_TEXT : 0;
    core.ph_ingest(bufferPtr);

    resultPtr = core.ph_result_ptr();
    resultLength = core.ph_result_len();
    views();
    const r = resultPtr >>> 2;
    const field = (name) => words[r + RESULT[name]];
    const text = (offset, length) => decoder.decode(bytes.subarray(resultPtr + field(offset), resultPtr + field(offset) + field(length)));
    const rowCount = field('row_count');
    const acceptedAt = (resultPtr + field('accepted_offsets_offset')) >>> 2;
    const acceptedOffsets = words.slice(acceptedAt, acceptedAt + rowCount);
    // Each chunk of rows is one JSON array, bound as one parameter of one statement.
    const chunkCount = field('chunk_count');
    const chunks = new Array(chunkCount);
    const chunkWords = layout.ph_chunk.size >>> 2;
    for (let i = 0, c = (resultPtr + field('chunks_offset')) >>> 2; i < chunkCount; i++, c += chunkWords) {
      const at = resultPtr + words[c + CHUNK.offset];
      chunks[i] = { rowsJson: decoder.decode(bytes.subarray(at, at + words[c + CHUNK.length])), firstRow: words[c + CHUNK.first_row] };
    }
    const installs = withInstalls && rowCount > 0;
    const responseAt = resultPtr + field('response_offset');
    return {
      outcome: statusNames[field('outcome')] ?? 'internal_error',
      eventCount: field('event_count'),
      rowCount,
      chunks,
      rejectionsJson: field('rejections_length') === 2 ? '[]' : text('rejections_offset', 'rejections_length'),
      // For the per-install counters (storage.js): each stored row's [event id, install key], and
      // rows per install key.
      rowInstallsJson: installs ? text('row_installs_offset', 'row_installs_length') : '[]',
      installCountsJson: installs ? text('install_counts_offset', 'install_counts_length') : '{}',
      // A copy: the response outlives this call, the result buffer does not.
      response: bytes.slice(responseAt, responseAt + field('response_length')),
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

  // forget() hands a POST /v1/forget body (a Uint8Array) to the core, which reads it and answers
  // the spellings under which the loaded catalogue stores that install id (abi.h, ph_forget):
  // { forms: [{ install_id, install_key }, …] }, or { error: 'invalid_forget_request' |
  // 'misconfigured' }.
  function forget(body) {
    const ptr = core.ph_alloc(body.length);
    if (!ptr) throw new CoreTrap('core could not allocate the forget buffer');
    try {
      views();
      bytes.set(body, ptr);
      const answer = core.ph_forget(ptr, body.length);
      return JSON.parse(readCString(core.memory, answer));
    } finally {
      core.ph_free(ptr);
    }
  }

  // version() is the core's reading of a version string as a `version` field stores it, or null
  // when the core would refuse it (abi.h, ph_version): what version counts may be kept under.
  function version(text) {
    const encoded = encoder.encode(text);
    const ptr = core.ph_alloc(Math.max(1, encoded.length));
    if (!ptr) throw new CoreTrap('core could not allocate the version buffer');
    try {
      views();
      bytes.set(encoded, ptr);
      const stored = readCString(core.memory, core.ph_version(ptr, encoded.length));
      return stored === '' ? null : stored;
    } finally {
      core.ph_free(ptr);
    }
  }

  // The HTTP status of each request outcome (status.def), for the shim's answers.
  const httpStatus = Object.fromEntries(description.statuses.filter((s) => s.scope === 'request').map((s) => [s.name, s.http]));

  return {
    ingest, lastResult, loadCatalogue, forget, version, statusNames, requestStatuses, httpStatus, description,
    limits: description.limits, memory: core.memory,
  };
}

// markDuplicates() turns the verdicts of the given rows from "accepted" into "duplicate" in place.
export function markDuplicates(result, duplicateRows) {
  for (const row of duplicateRows) result.response.set(DUPLICATE_TOKEN, result.acceptedOffsets[row]);
}

function readCString(memory, ptr) {
  const bytes = new Uint8Array(memory.buffer, ptr);
  return decoder.decode(bytes.subarray(0, bytes.indexOf(0)));
}
