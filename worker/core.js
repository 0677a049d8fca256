// core.js: the one loader of phonehome's Wasm core, shared by the Worker and the Node tests.
//
// It knows the C ABI of wasm/abi/abi.h and nothing of HTTP or D1. Environment specifics (how the
// module is obtained) stay with the caller: pass a WebAssembly.Module to instantiateCore().

export const ABI_VERSION = 1;

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

export async function instantiateCore(module) {
  const instance = await WebAssembly.instantiate(module, importsFor(module));
  return createCore(instance);
}

const HEADER_WORDS = 12;
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

  // ingest() runs one request through the core. `body` is a Uint8Array (already decompressed);
  // `sentAt` the client's X-Sent-At header or ''; `nonce` two random uint32.
  function ingest({ product, event, body, receivedAt, sentAt = '', nonce = randomNonce() }) {
    // Request layout in the buffer: product, event, sent_at, body. UTF-8 needs at most 3 bytes
    // per UTF-16 unit.
    reserve((product.length + event.length + sentAt.length) * 3 + body.length);
    let view = new Uint8Array(core.memory.buffer, bufferPtr, bufferSize);
    let at = 0;
    const put = (text) => {
      const start = at;
      at += encoder.encodeInto(text, view.subarray(at)).written;
      return [bufferPtr + start, at - start];
    };
    const [productPtr, productLength] = put(product);
    const [eventPtr, eventLength] = put(event);
    const [sentAtPtr, sentAtLength] = put(sentAt);
    view.set(body, at);

    core.ph_ingest(productPtr, productLength, eventPtr, eventLength, bufferPtr + at, body.length,
      sentAtPtr, sentAtLength, receivedAt, nonce[0], nonce[1]);

    const resultPtr = core.ph_result_ptr();
    const resultLength = core.ph_result_len();
    view = new Uint8Array(core.memory.buffer, resultPtr, resultLength);
    const words = new DataView(core.memory.buffer, resultPtr, HEADER_WORDS * 4);
    const word = (i) => words.getUint32(i * 4, true);
    const rowCount = word(2);
    const offsetsAt = word(7);
    const acceptedOffsets = new Array(rowCount);
    const offsets = new DataView(core.memory.buffer, resultPtr + offsetsAt, rowCount * 4);
    for (let row = 0; row < rowCount; row++) acceptedOffsets[row] = offsets.getUint32(row * 4, true);
    // Each chunk of rows is one JSON array, bound as one parameter of one statement.
    const chunks = new Array(word(8));
    const chunkWords = new DataView(core.memory.buffer, resultPtr + word(9), chunks.length * 12);
    for (let i = 0; i < chunks.length; i++) {
      const at = chunkWords.getUint32(i * 12, true);
      const length = chunkWords.getUint32(i * 12 + 4, true);
      chunks[i] = { rowsJson: decoder.decode(view.subarray(at, at + length)), firstRow: chunkWords.getUint32(i * 12 + 8, true) };
    }
    return {
      outcome: statusNames[word(0)] ?? 'internal_error',
      eventCount: word(1),
      rowCount,
      chunks,
      rejectionsJson: decoder.decode(view.subarray(word(10), word(10) + word(11))),
      // A copy: the response outlives this call, the result buffer does not.
      response: view.slice(word(5), word(5) + word(6)),
      acceptedOffsets,
      // The raw result, for the byte-for-byte comparison of the two Wasm builds with native.
      rawResult: () => view.slice(),
    };
  }

  const limits = JSON.parse(readCString(core.memory, core.ph_limits_json()));

  return { ingest, statusNames, requestStatuses, limits, memory: core.memory };
}

// markDuplicates() turns the verdicts of the given rows from "accepted" into "duplicate" in place.
export function markDuplicates(result, duplicateRows) {
  for (const row of duplicateRows) result.response.set(DUPLICATE_TOKEN, result.acceptedOffsets[row]);
}

function randomNonce() {
  return crypto.getRandomValues(new Uint32Array(2));
}

function readCString(memory, ptr) {
  const bytes = new Uint8Array(memory.buffer, ptr);
  return decoder.decode(bytes.subarray(0, bytes.indexOf(0)));
}
