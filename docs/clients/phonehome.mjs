// SPDX-License-Identifier: MIT-0. Copy this file into your SDK as it is: no notice or attribution is needed.
// phonehome client for Node.js 18+ (no dependencies). Events are queued and sent in the
// background, gzipped, in batches, with a 3-second timeout; nothing here ever throws into the host
// program, and a pending send never keeps the process alive. DO_NOT_TRACK=1 turns it off.
import { gzipSync } from 'node:zlib';

const ENDPOINT = process.env.PHONEHOME_URL ?? 'https://t.example.com';
const TIMEOUT_MS = 3000;
const MAX_ATTEMPTS = 3;

export const telemetryDisabled = () => ['1', 'true', 'yes'].includes((process.env.DO_NOT_TRACK ?? '').trim().toLowerCase());

export class Telemetry {
  constructor(product, { endpoint = ENDPOINT, batchSize = 20 } = {}) {
    this.product = product;
    this.endpoint = endpoint.replace(/\/$/, '');
    this.batchSize = batchSize;
    this.queue = [];
    this.sending = new Set();
  }

  track(event, fields) {
    if (telemetryDisabled()) return;
    this.queue.push({ product: this.product, event, ...fields });
    if (this.queue.length >= this.batchSize) this.flush();
  }

  flush() {
    const events = this.queue.splice(0);
    if (events.length === 0) return;
    const sending = this.#send(events).catch(() => {}); // never throws
    this.sending.add(sending);
    sending.finally(() => this.sending.delete(sending));
  }

  // close() flushes and waits for the sends, at most the timeout.
  async close() {
    this.flush();
    let timer;
    const timeout = new Promise((resolve) => { timer = setTimeout(resolve, TIMEOUT_MS); });
    await Promise.race([Promise.all(this.sending), timeout]);
    clearTimeout(timer);
  }

  async #send(events) {
    const body = gzipSync(JSON.stringify({ sent_at: new Date().toISOString(), events }));
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const retryAfter = await this.#post(body);
      if (retryAfter === null) return;
      await new Promise((resolve) => setTimeout(resolve, Math.min(retryAfter, 30) * 1000).unref());
    }
  }

  // #post() sends once: null when done (sent, or refused for good), else seconds to wait.
  async #post(body) {
    try {
      const response = await fetch(`${this.endpoint}/v1/batch`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
        body,
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
      await response.body?.cancel();
      // 429 and 503 say "retry later"; any other 4xx will fail again the same way.
      if (response.status === 429 || response.status === 503) return Number(response.headers.get('retry-after')) || 5;
      return response.status >= 500 ? 2 : null;
    } catch {
      return 2; // network trouble or timeout: worth one more try
    }
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { randomUUID } = await import('node:crypto');
  const telemetry = new Telemetry('agentsonar');
  telemetry.track('session', {
    install_id: process.argv[2] ?? randomUUID(),
    session_id: randomUUID(),
    version: '0.4.0',
    os: process.platform,
    arch: process.arch,
    timestamp: Date.now(),
  });
  await telemetry.close();
}
