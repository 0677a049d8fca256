// module.js: written by scripts/build-wasm --dist beside phonehome.wasm: its SHA-256, which the
// disclosure page and /v1/schema show (a Worker cannot read a compiled module's bytes).
export const MODULE_SHA256 = '5a1b97352fbe6f8c799af419f058ba7d72f00c128c0ab72a261c96bba6e25a1e';
