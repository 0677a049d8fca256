// module.js: written by scripts/build-wasm --dist beside phonehome.wasm: its SHA-256, which the
// disclosure page and /v1/schema show (a Worker cannot read a compiled module's bytes).
export const MODULE_SHA256 = '368c424d1b6ff730fc1461996d04392472e671019f792973cc3ae6ce8b9eb99f';
