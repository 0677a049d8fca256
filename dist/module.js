// module.js: written by scripts/build-wasm --dist beside phonehome.wasm: its SHA-256, which the
// disclosure page and /v1/schema show (a Worker cannot read a compiled module's bytes).
export const MODULE_SHA256 = '587ec2ff1ab917d036f9a1043c41fc6de6bfcf571373f63fdb8ef57a777a3286';
