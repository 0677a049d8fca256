// module.js: written by scripts/build-wasm --dist beside phonehome.wasm: its SHA-256, which the
// disclosure page and /v1/schema show (a Worker cannot read a compiled module's bytes).
export const MODULE_SHA256 = '525abd9b67d59778085c0316f83ff50d705e8360710bc63e03d72527b35facde';
