// measure.mjs: timing for the Node benchmarks. Each figure is the median of several timed rounds
// after a warm-up, so one noisy round does not decide it; comparisons are only ever made between
// figures taken in the same process, in alternating rounds, as ratios.

// calibrate() finds a call count that makes one round of fn last about minRoundMs (warming it up).
function calibrate(fn, minRoundMs) {
  let calls = 1;
  for (;;) {
    const t0 = performance.now();
    for (let i = 0; i < calls; i++) fn();
    const elapsed = performance.now() - t0;
    if (elapsed >= minRoundMs) return calls;
    calls = Math.ceil(calls * Math.min(10, Math.max(2, (minRoundMs * 1.2) / Math.max(elapsed, 0.01))));
  }
}

// measurePair() times a and b in alternating rounds and returns the median time per call of each
// (µs) and the median of the per-pair ratios a/b: a slow phase of a shared machine falls on both
// halves of a pair, so the ratio holds still while the times move.
export function measurePair(a, b, { pairs = 15, minRoundMs = 20 } = {}) {
  const callsA = calibrate(a, minRoundMs);
  const callsB = calibrate(b, minRoundMs);
  const round = (fn, calls) => {
    const t0 = performance.now();
    for (let i = 0; i < calls; i++) fn();
    return ((performance.now() - t0) * 1000) / calls;
  };
  const as = [];
  const bs = [];
  const ratios = [];
  for (let p = 0; p < pairs; p++) {
    const ta = round(a, callsA);
    const tb = round(b, callsB);
    as.push(ta);
    bs.push(tb);
    ratios.push(ta / tb);
  }
  return { a: median(as), b: median(bs), ratio: median(ratios) };
}

export function median(values) {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.floor(sorted.length / 2)];
}

export function geometricMean(values) {
  return Math.exp(values.reduce((s, v) => s + Math.log(v), 0) / values.length);
}

// table() prints rows of equal-length arrays as aligned columns.
export function table(rows) {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => String(r[c]).length)));
  return rows.map((r) => r.map((cell, c) => (c === 0 ? String(cell).padEnd(widths[c]) : String(cell).padStart(widths[c]))).join('  ')).join('\n');
}
