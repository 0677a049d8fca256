// load.mjs: a load generator for a phonehome worker on loopback. Concurrent senders post single
// events and 100-event batches (some events invalid on purpose), retry the way the client kit does
// (503 and network errors, honouring Retry-After), and keep count of every event the worker
// acknowledged, so the caller can check the database holds exactly those.

import { randomUUID } from 'node:crypto';

// Which requests are batches: by default three single-event requests for each batch.
const MIXES = {
  mixed: (i) => i % 4 === 3,
  single: () => false,
  batch: () => true,
};

// A run's ids all start with the run's first 8 hex digits: the result's runSessions finds its rows.
const runPrefix = (run) => run.slice(0, 8);

function sessionEvent(run, n, valid) {
  const hex = n.toString(16).padStart(12, '0');
  return {
    install_id: `${runPrefix(run)}-6a1e-4b5c-9d2f-${(n % 500).toString(16).padStart(12, '0')}`,
    session_id: `${runPrefix(run)}-e5f6-4a7b-8c9d-${hex}`,
    version: valid ? '0.4.0' : '??', python: '3.12', os: 'linux', arch: 'x86_64', adapter: 'crewai',
    timestamp: Date.now() / 1000,
  };
}

function percentile(sorted, p) {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : 0;
}

// runLoad() sends until `requests` are done or `seconds` pass; `mix` is 'mixed', 'single' or
// 'batch'; `batchAs` 'envelope' (/v1/batch) or 'array'. `hooks.beforeRequest(i)` lets a test
// flip faults mid-run. Returns the counts, the acknowledged session ids, and the rates.
export async function runLoad({
  url, requests = 2000, concurrency = 16, batchSize = 100, seconds = 60, invalidEvery = 50, mix = 'mixed',
  batchAs = 'envelope', maxRetryWaitMs = 2000, hooks = {}, onProgress = () => {},
}) {
  const run = randomUUID().replace(/-/g, '');
  const base = url.replace(/\/$/, '');
  const stats = { networkErrors: {}, requests: 0, attempts: 0, retries: 0, status: {}, accepted: 0, duplicate: 0, rejected: 0, events: 0, latencies: [] };
  const acknowledged = new Set();
  const deadline = Date.now() + seconds * 1000;
  let next = 0;
  let eventNumber = 0;
  const started = Date.now();

  async function send(i) {
    const batch = MIXES[mix](i);
    const count = batch ? batchSize : 1;
    const events = Array.from({ length: count }, () => {
      const n = eventNumber++;
      return sessionEvent(run, n, !invalidEvery || n % invalidEvery !== 0); // 0: every event valid
    });
    // A batch goes as a /v1/batch envelope, or (batchAs 'array') as an array on the event's route.
    const envelope = batch && batchAs === 'envelope';
    const path = envelope ? '/v1/batch' : '/v1/agentsonar/session';
    const body = JSON.stringify(envelope ? { sent_at: Date.now(), events: events.map((e) => ({ product: 'agentsonar', event: 'session', ...e })) }
      : batch ? events : events[0]);
    stats.events += count;
    for (let attempt = 0; ; attempt++) {
      await hooks.beforeRequest?.(i, attempt);
      const t0 = performance.now();
      let response;
      try {
        stats.attempts++;
        response = await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      } catch (error) {
        response = null; // a network error: retried like a 503
        const why = error.cause?.code ?? error.cause?.message ?? error.message;
        stats.networkErrors[why] = (stats.networkErrors[why] ?? 0) + 1;
      }
      stats.latencies.push(performance.now() - t0);
      const status = response?.status ?? 'network';
      stats.status[status] = (stats.status[status] ?? 0) + 1;
      if (status === 503 || status === 'network') {
        const wait = Math.min(maxRetryWaitMs, 1000 * Number(response?.headers.get('retry-after') ?? 1));
        await response?.body?.cancel();
        stats.retries++;
        await new Promise((resolve) => setTimeout(resolve, Math.max(10, wait)));
        continue;
      }
      const answer = await response.json();
      for (const verdict of answer.results ?? []) {
        stats[verdict.status]++;
        if (verdict.status !== 'rejected') acknowledged.add(events[verdict.index].session_id);
      }
      return;
    }
  }

  async function sender() {
    while (Date.now() < deadline) {
      const i = next++;
      if (i >= requests) return;
      await send(i);
      stats.requests++;
      if (stats.requests % 250 === 0) onProgress(stats);
    }
  }
  await Promise.all(Array.from({ length: concurrency }, sender));
  const elapsed = (Date.now() - started) / 1000;
  const latencies = stats.latencies.sort((a, b) => a - b);
  return {
    ...stats,
    latencies: undefined,
    acknowledged,
    run,
    // The SQL condition that selects this run's rows in the events table.
    runSessions: `session_id LIKE '${runPrefix(run)}-%'`,
    seconds: elapsed,
    requests_per_second: stats.requests / elapsed,
    events_per_second: stats.events / elapsed,
    latency_ms: { p50: percentile(latencies, 50), p99: percentile(latencies, 99) },
  };
}

// summaryLine() is a one-line report of a load run.
export function summaryLine(result) {
  const status = Object.entries(result.status).map(([k, v]) => `${k}:${v}`).join(' ');
  return `${result.requests} requests, ${result.events} events in ${result.seconds.toFixed(1)} s: ` +
    `${result.requests_per_second.toFixed(0)} req/s, ${result.events_per_second.toFixed(0)} events/s; ` +
    `accepted ${result.accepted}, duplicate ${result.duplicate}, rejected ${result.rejected}; ` +
    `HTTP ${status}; retries ${result.retries}; latency p50 ${result.latency_ms.p50.toFixed(1)} ms, p99 ${result.latency_ms.p99.toFixed(1)} ms`;
}
