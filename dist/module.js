// module.js: written by scripts/build-wasm --dist beside phonehome.wasm: its SHA-256, which the
// disclosure page and /v1/schema show (a Worker cannot read a compiled module's bytes).
export const MODULE_SHA256 = '92b5c4c7cb4d7f6cf97da3eae002c109ba8fb883f4cac1167762eb0ca0714255';
