// module.js: written by scripts/build-wasm --dist beside phonehome.wasm: its SHA-256, which the
// disclosure page and /v1/schema show (a Worker cannot read a compiled module's bytes).
export const MODULE_SHA256 = '587cd4d4b1b8628e83d2c2cb314cfc77e868c46ada81676cb407bf04744b84cb';
