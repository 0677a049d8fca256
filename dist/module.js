// module.js: written by scripts/build-wasm --dist beside phonehome.wasm: its SHA-256, which the
// disclosure page and /v1/schema show (a Worker cannot read a compiled module's bytes).
export const MODULE_SHA256 = 'b2ab109b07f6068871ff29caf092f5301752a7f15108a71286551c503ddcf21c';
