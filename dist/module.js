// module.js: written by scripts/build-wasm --dist beside phonehome.wasm: its SHA-256, which the
// disclosure page and /v1/schema show (a Worker cannot read a compiled module's bytes).
export const MODULE_SHA256 = 'c26eb33ab7261c5461aec842a723d918d55c73acc5198d03eb0e9b96f12c9224';
