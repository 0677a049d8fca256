// config.js: the Worker's settings, from wrangler.toml [vars], with their defaults. Every value
// is read here, once per request, so the whole list of knobs is in one place.

const MIB = 1024 * 1024;

function integer(value, fallback, { min = 1 } = {}) {
  const number = Number.parseInt(value ?? '', 10);
  return Number.isInteger(number) && number >= min ? number : fallback;
}

// One install may write as many rows a day as one request may carry (the core's limit of 1,000
// events): an install that sends one full batch is never refused for it. A legitimate install's
// volume depends on its SDK, not on the database's plan, so the default is rows, not a percentage.
const DEFAULT_INSTALL_SHARE = '1000';

// installShare() reads DAILY_INSTALL_SHARE: a number of rows, or a percentage of the daily
// budget ("2.5%"). It is never more than the budget; anything unreadable means the default.
function installShare(value, budget) {
  const text = (value ?? DEFAULT_INSTALL_SHARE).trim();
  const percent = /^(\d+(?:\.\d+)?)\s*%$/.exec(text);
  if (percent && Number(percent[1]) > 0 && Number(percent[1]) <= 100) {
    return Math.min(budget, Math.max(1, Math.floor((budget * Number(percent[1])) / 100)));
  }
  if (/^\d+$/.test(text) && Number(text) >= 1) return Math.min(budget, Number(text));
  return installShare(DEFAULT_INSTALL_SHARE, budget);
}

export function config(env) {
  const dailyWriteBudget = integer(env.DAILY_WRITE_BUDGET, 40_000);
  return {
    // Largest request body accepted, counted after decompression.
    maxBodyBytes: integer(env.MAX_BODY_BYTES, MIB),
    // Rows a UTC day may write: protects a free-tier database (100,000 rows written a day, each
    // event costing about two) from a flood. docs/PROTOCOL.md has what a client is answered.
    dailyWriteBudget,
    // Rows one install id may write per UTC day, so that one runaway or forged client cannot
    // spend the whole budget: rows without an install id count against the budget alone.
    installDailyShare: installShare(env.DAILY_INSTALL_SHARE, dailyWriteBudget),
    // How old, in seconds, an isolate's reading of the day's budget may be before D1 is asked
    // again: a "spent" answer is cached this long (queue mode reads the budget this often).
    budgetRecheckSeconds: integer(env.BUDGET_RECHECK_SECONDS, 30, { min: 0 }),
    // Unmatched requests are counted in the isolate and written at most this often (unmatched.js).
    unmatchedFlushSeconds: integer(env.UNMATCHED_FLUSH_SECONDS, 10, { min: 0 }),
    // Origins allowed to post from a browser: "*" or a comma-separated list.
    corsOrigins: (env.CORS_ORIGINS ?? '*').split(',').map((s) => s.trim()).filter(Boolean),
    // DNT: 1 and Sec-GPC: 1 mean "do not store" unless this is "false".
    honourDoNotTrack: (env.HONOR_DNT ?? 'true') !== 'false',
    retentionDays: integer(env.RETENTION_DAYS, 90),
    // Daily rollups outlive the raw events this long.
    rollupRetentionDays: integer(env.ROLLUP_RETENTION_DAYS, 400),
    // Finished days this recent are rolled up again when late events (or a forget) change them.
    rollupLookbackDays: integer(env.ROLLUP_LOOKBACK_DAYS, 7),
    // What one scheduled run may ask of D1: statements (an invocation may run 50 on Workers Free,
    // 1,000 on Paid; a daily budget over the free plan's 100,000 rows means Paid) and seconds.
    // Work left over waits for the next hourly run (maintenance.js).
    // At least 30: the run's fixed statements (pruning, reading, recording) take 11, a day's rollup
    // from one event store at least 8, retention 2; each further store needs 4 more.
    maintenanceQueryLimit: integer(env.MAINTENANCE_QUERY_LIMIT, dailyWriteBudget > 100_000 ? 900 : 45, { min: 30 }),
    maintenanceSeconds: integer(env.MAINTENANCE_SECONDS, 300),
    // The first rollup slice's events and retention's first chunk of rows; both then follow the
    // time D1 takes, aiming at this many milliseconds a statement (rollup.js).
    rollupSliceEvents: integer(env.ROLLUP_SLICE_EVENTS, 2_000),
    rollupStatementMs: integer(env.ROLLUP_STATEMENT_MS, 12),
    retentionDeleteChunk: integer(env.RETENTION_DELETE_CHUNK, 1_000),
    // Stats fold groups smaller than this into "other".
    minGroupSize: integer(env.MIN_GROUP_SIZE, 5),
    // The public page's dimensions (public.js); none: the page and its data answer 404.
    publicStats: (env.PUBLIC_STATS ?? '').split(',').map((s) => s.trim()).filter(Boolean),
    // Where raw events are stored when one D1 database is not enough (stores.js); "" keeps all in DB.
    eventRoutes: env.EVENT_ROUTES ?? '',
    // Queue mode: a batch that D1 refused is retried after base × 2^(attempt-1) seconds, capped.
    queueRetryBaseSeconds: integer(env.QUEUE_RETRY_BASE_SECONDS, 10, { min: 0 }),
    queueRetryMaxSeconds: integer(env.QUEUE_RETRY_MAX_SECONDS, 3600, { min: 0 }),
  };
}
