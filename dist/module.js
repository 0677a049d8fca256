// module.js: written by scripts/build-wasm --dist beside phonehome.wasm: its SHA-256, which the
// disclosure page and /v1/schema show (a Worker cannot read a compiled module's bytes).
export const MODULE_SHA256 = '0f08a0eaa5c4c3a04dd5e2a083622718f1b0f14cd25d0573dc2a22915014ee05';
