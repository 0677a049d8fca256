// module.js: written by scripts/build-wasm --dist beside phonehome.wasm: its SHA-256, which the
// disclosure page and /v1/schema show (a Worker cannot read a compiled module's bytes).
export const MODULE_SHA256 = '5d01682fb7595822c872c533d6e9b6a08a1b7cd5c40441066542e96fbedb3da5';
