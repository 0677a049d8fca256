// module.js: written by scripts/build-wasm --dist beside phonehome.wasm: its SHA-256, which the
// disclosure page and /v1/schema show (a Worker cannot read a compiled module's bytes).
export const MODULE_SHA256 = 'eb4df2a828ddcb61279687c8ef58d7e4814c8af8411131064932263dc799c1a3';
