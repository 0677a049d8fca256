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
  };
}
