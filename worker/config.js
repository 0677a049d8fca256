// config.js: the Worker's settings, from wrangler.toml [vars], with their defaults. Every value
// is read here, once per request, so the whole list of knobs is in one place.

const MIB = 1024 * 1024;

function integer(value, fallback, { min = 1 } = {}) {
  const number = Number.parseInt(value ?? '', 10);
  return Number.isInteger(number) && number >= min ? number : fallback;
}

export function config(env) {
  return {
    // Largest request body accepted, counted after decompression.
    maxBodyBytes: integer(env.MAX_BODY_BYTES, MIB),
    // Rows a UTC day may write before ingest answers 503 until midnight: protects a free-tier
    // database (100,000 rows written a day, each event costing about two) from a flood.
    dailyWriteBudget: integer(env.DAILY_WRITE_BUDGET, 40_000),
    // Origins allowed to post from a browser: "*" or a comma-separated list.
    corsOrigins: (env.CORS_ORIGINS ?? '*').split(',').map((s) => s.trim()).filter(Boolean),
    // DNT: 1 and Sec-GPC: 1 mean "do not store" unless this is "false".
    honourDoNotTrack: (env.HONOR_DNT ?? 'true') !== 'false',
    retentionDays: integer(env.RETENTION_DAYS, 90),
    // Daily rollups outlive the raw events this long.
    rollupRetentionDays: integer(env.ROLLUP_RETENTION_DAYS, 400),
    // Each scheduled run recomputes this many recent days, so late events are counted.
    rollupLookbackDays: integer(env.ROLLUP_LOOKBACK_DAYS, 7),
    // Retention deletes at most this many rows per statement, and this many statements per run.
    retentionDeleteChunk: integer(env.RETENTION_DELETE_CHUNK, 5_000),
    retentionMaxChunks: integer(env.RETENTION_MAX_CHUNKS, 20),
    // Stats fold groups smaller than this into "other".
    minGroupSize: integer(env.MIN_GROUP_SIZE, 5),
    // Where raw events are stored when one D1 database is not enough (stores.js); "" keeps all in DB.
    eventRoutes: env.EVENT_ROUTES ?? '',
    // Queue mode: a batch that D1 refused is retried after base × 2^(attempt-1) seconds, capped.
    queueRetryBaseSeconds: integer(env.QUEUE_RETRY_BASE_SECONDS, 10, { min: 0 }),
    queueRetryMaxSeconds: integer(env.QUEUE_RETRY_MAX_SECONDS, 3600, { min: 0 }),
  };
}
