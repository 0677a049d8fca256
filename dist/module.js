// module.js: written by scripts/build-wasm --dist beside phonehome.wasm: its SHA-256, which the
// disclosure page and /v1/schema show (a Worker cannot read a compiled module's bytes).
export const MODULE_SHA256 = '74bc40b2e2bc332a0640df6de63f6e5976d525d56c0006dbdc0d997b1c750b21';
