// module.js: written by scripts/build-wasm --dist beside phonehome.wasm: its SHA-256, which the
// disclosure page and /v1/schema show (a Worker cannot read a compiled module's bytes).
export const MODULE_SHA256 = '54dc88d7505d471affbcd7329d4f7e285f2041298935182ce4048680ad415b49';
