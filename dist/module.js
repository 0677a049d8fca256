// module.js: written by scripts/build-wasm --dist beside phonehome.wasm: its SHA-256, which the
// disclosure page and /v1/schema show (a Worker cannot read a compiled module's bytes).
export const MODULE_SHA256 = '69d745ec9a80c7d89096fc8a1fc5c7438b307166649d9048a0ac9e70a7ede8e0';
