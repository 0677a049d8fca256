// module.js: written by scripts/build-wasm --dist beside phonehome.wasm: its SHA-256, which the
// disclosure page and /v1/schema show (a Worker cannot read a compiled module's bytes).
export const MODULE_SHA256 = '1b4cdf5de68d5217b41d69499b881d11d4066b07d810b0480384bd19181547de';
