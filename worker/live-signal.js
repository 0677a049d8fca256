// live-signal.js: when this isolate last stored events, so today's live numbers (live.js) are
// counted again soon after, not only once they are a minute old. Kept apart from live.js so the
// ingest path imports nothing of the rollups.

let lastStored = 0;

export function noteStored(now = Date.now()) {
  lastStored = now;
}

export const storedAt = () => lastStored;
