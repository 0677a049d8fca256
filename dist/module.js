// module.js: written by scripts/build-wasm --dist beside phonehome.wasm: its SHA-256, which the
// disclosure page and /v1/schema show (a Worker cannot read a compiled module's bytes).
export const MODULE_SHA256 = 'c8576464dad11bec64ea53c2266d56ccd75046037fd1fc10cde3118f5a7aa5a6';
