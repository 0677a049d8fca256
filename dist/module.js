// module.js: written by scripts/build-wasm --dist beside phonehome.wasm: its SHA-256, which the
// disclosure page and /v1/schema show (a Worker cannot read a compiled module's bytes).
export const MODULE_SHA256 = 'cf7146ad1f2ab411ee6ab8d5ff286d686232889624e4d563847ef968abffc6a8';
