// SPDX-License-Identifier: MIT-0. Copy this file into your SDK as it is: no notice or attribution is needed.
// phonehome client for Node.js 18+ (no dependencies). Events are queued and sent in the
// background, gzipped, in batches, with a 3-second timeout; nothing here ever throws into the host
// program, and a pending send never keeps the process alive: at exit, what is queued is sent
// within 3 seconds. DO_NOT_TRACK=1 or one of the product's own switches turns it off (then nothing
// is sent and no file is written). A state file keeps the random install id, whether the first-run
// notice was shown, and the last check's settings, fetched at most once a day and honoured (fail
// open: unreachable means the last or default settings). It counts the events it had to drop
// (offline, queue_full, rejected) in the state file and reports them once a day with a later
// flush. PHONEHOME_DEBUG=1 prints the answers.
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';

const ENDPOINT = process.env.PHONEHOME_URL || 'https://t.example.com';
const TIMEOUT_MS = 3000;
const MAX_ATTEMPTS = 3;
const CHECK_EVERY_S = 86400;
const REPORT_EVERY_S = 86400;
const MAX_PENDING = 1000; // events queued or being sent; beyond it, new ones are dropped (and counted)
const MAX_REPORTED = 10000; // per reason in one client report (the collector's limit); the rest go later
const DROP_REASONS = ['offline', 'queue_full', 'rejected']; // those the kit itself can cause

// The CI's name (the `ci` preset) when every variable is set (VAR) or equal (VAR=value); first
// match wins. From ci-info's vendors.json (docs/PROTOCOL.md, "CI detection").
const CI_VARS = [
  ['github_actions', 'GITHUB_ACTIONS'], ['gitlab', 'GITLAB_CI'], ['circleci', 'CIRCLECI'],
  ['travis', 'TRAVIS'], ['jenkins', 'JENKINS_URL BUILD_ID'], ['buildkite', 'BUILDKITE'],
  ['azure_pipelines', 'TF_BUILD'], ['bitbucket', 'BITBUCKET_COMMIT'], ['teamcity', 'TEAMCITY_VERSION'],
  ['appveyor', 'APPVEYOR'], ['drone', 'DRONE'], ['codebuild', 'CODEBUILD_BUILD_ARN'],
  ['google_cloud_build', 'BUILDER_OUTPUT'], ['bamboo', 'bamboo_planKey'], ['semaphore', 'SEMAPHORE'],
  ['woodpecker', 'CI=woodpecker'], ['buddy', 'BUDDY_WORKSPACE_ID'], ['codemagic', 'CM_BUILD_ID'],
  ['netlify', 'NETLIFY'], ['vercel', 'NOW_BUILDER'], ['vercel', 'VERCEL'], ['heroku', 'HEROKU_TEST_RUN_ID'],
];

export function detectCi(env = process.env) {
  if (['false', '0'].includes((env.CI ?? '').toLowerCase())) return 'none';
  const holds = (spec) => { const [name, value] = spec.split('='); return !!env[name] && (value === undefined || env[name] === value); };
  return CI_VARS.find(([, specs]) => specs.split(' ').every(holds))?.[0]
    ?? (env.CI || env.CONTINUOUS_INTEGRATION ? 'unknown' : 'none');
}

// A switch named like NO_/DISABLE/OPTOUT/DO_NOT_TRACK opts out when true (1, true, yes, on);
// one named like MYTOOL_TELEMETRY opts out when false (0, false, no, off).
const saysOff = (name) => /DISABLE|OPT_?OUT|(^|_)NO_|DO_NOT_TRACK/i.test(name);
export const optedOut = (switches = []) => ['DO_NOT_TRACK', ...switches].some((name) =>
  (saysOff(name) ? ['1', 'true', 'yes', 'on'] : ['0', 'false', 'no', 'off']).includes((process.env[name] ?? '').trim().toLowerCase()));

const versionKey = (version) => {
  const m = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(-)?/.exec(version ?? '');
  return m && [+m[1], +(m[2] ?? 0), +(m[3] ?? 0), m[4] ? 0 : 1];
};
// older() is true only when both parse and version < minimum: an unreadable version fails open.
export function older(version, minimum) {
  const [mine, least] = [versionKey(version), versionKey(minimum)];
  if (!mine || !least) return false;
  const i = mine.findIndex((part, k) => part !== least[k]);
  return i >= 0 && mine[i] < least[i];
}

const debug = (message) => {
  if (['1', 'true', 'yes'].includes((process.env.PHONEHOME_DEBUG ?? '').toLowerCase())) console.error(`phonehome: ${message}`);
};

export class Telemetry {
  constructor(product, { version, endpoint = ENDPOINT, optOutEnv = [], batchSize = 20, notice } = {}) {
    Object.assign(this, { product, version, endpoint: endpoint.replace(/\/$/, ''), batchSize, queue: [], sending: new Set() });
    this.pending = 0; // events queued or in a batch not yet settled
    this.batches = new Set(); // batches not yet settled
    this.deadline = Infinity; // set at exit: what is left to send gets the 3 seconds, all told
    this.off = optedOut(optOutEnv);
    if (this.off) return; // no state file, no notice, nothing sent
    this.ci = detectCi();
    const home = process.env.XDG_CONFIG_HOME || join(homedir(), '.config');
    this.path = join(process.env.PHONEHOME_STATE_DIR || join(home, product), 'telemetry.json');
    this.state = this.#load();
    if (!this.state.notice_shown) {
      const switches = optOutEnv.map((n) => ` or ${n}=${saysOff(n) ? '1' : 'off'}`).join('');
      console.error(notice ?? `${product} sends anonymous usage telemetry: a random install id, versions, platform and CI name, `
        + `never personal data. What is collected and kept: ${this.endpoint}/ . To turn it off, set DO_NOT_TRACK=1${switches}.`);
      this.state.notice_shown = true;
    }
    this.#save();
    // beforeExit comes each time the loop runs dry: flush what is queued; the sends' own timers are
    // unref'd, so once they are done (or abandoned) the process ends.
    process.on('beforeExit', () => {
      if (this.queue.length === 0) return;
      this.deadline = Math.min(this.deadline, Date.now() + TIMEOUT_MS);
      this.flush();
    });
    // At exit, what was never sent (the queue under process.exit(), a send cut short by the
    // budget) is lost: counted offline, saved for a later run's report.
    process.on('exit', () => {
      if (this.queue.length) debug(`${this.queue.length} events not sent: process.exit() leaves no time`);
      const lost = this.queue.length + [...this.batches].reduce((n, batch) => n + batch.sending, 0);
      if (lost === 0) return;
      this.#dropped('offline', lost);
      this.#save();
    });
  }

  #load() {
    try {
      const state = JSON.parse(readFileSync(this.path, 'utf8'));
      if (/^[0-9a-f]{8}-([0-9a-f]{4}-){3}[0-9a-f]{12}$/i.test(state?.install_id)) {
        // A value of the wrong type (another kit's, or a hand's) is dropped; the id is kept.
        if (typeof state.checked_at !== 'number') delete state.checked_at;
        if (!Array.isArray(state.advisories_shown)) delete state.advisories_shown;
        if (typeof state.settings !== 'object' || Array.isArray(state.settings)) delete state.settings;
        if (typeof state.reported_at !== 'number') delete state.reported_at;
        state.dropped = Object.fromEntries(DROP_REASONS.filter((r) => Number.isInteger(state.dropped?.[r]) && state.dropped[r] > 0)
          .map((r) => [r, state.dropped[r]]));
        return state;
      }
    } catch {}
    return { install_id: randomUUID(), dropped: {} }; // none yet, or unreadable: start fresh
  }

  #save() {
    try {
      mkdirSync(dirname(this.path), { recursive: true });
      const { install_id, notice_shown, checked_at, advisories_shown, settings, reported_at, dropped } = this.state;
      const temporary = `${this.path}.${process.pid}.tmp`;
      writeFileSync(temporary, JSON.stringify({ install_id, notice_shown, checked_at, advisories_shown, settings, reported_at, dropped }));
      renameSync(temporary, this.path); // whole or not at all, even with two processes
    } catch {}
  }

  track(event, fields) {
    if (this.off) return;
    if (this.pending >= MAX_PENDING) return this.#dropped('queue_full', 1); // saved with the next send's state
    this.pending++;
    this.queue.push({ product: this.product, event, install_id: this.state.install_id, ci: this.ci, ...fields });
    if (this.queue.length >= this.batchSize) this.flush();
  }

  flush() {
    const events = this.queue.splice(0);
    if (events.length === 0) return;
    const batch = { queued: events.length, sending: events.length };
    this.batches.add(batch);
    const sending = this.#send(events, batch).catch(() => {}).finally(() => this.#settle(batch)); // never throws
    this.sending.add(sending);
    sending.finally(() => this.sending.delete(sending));
  }

  // close() flushes and waits for the sends, at most the timeout.
  async close() {
    this.deadline = Math.min(this.deadline, Date.now() + TIMEOUT_MS);
    this.flush();
    let timer;
    const timeout = new Promise((resolve) => { timer = setTimeout(resolve, TIMEOUT_MS); });
    await Promise.race([Promise.all(this.sending), timeout]);
    clearTimeout(timer);
    this.deadline = Infinity; // a program that goes on after close() sends as before
  }

  // check() fetches the check answer when the last is a day old; keeps the last settings when it fails.
  async check() {
    if (Date.now() / 1000 - (this.state.checked_at ?? 0) < CHECK_EVERY_S) return;
    this.checking ??= (async () => {
      const query = new URLSearchParams({ version: this.version, ci: this.ci });
      const answer = await this.#request(`/v1/${this.product}/check?${query}`);
      if (!answer) return; // unreachable: try again next run
      this.state.checked_at = Math.floor(Date.now() / 1000);
      let body = {};
      try { if (answer.status === 200) body = JSON.parse(answer.text) ?? {}; } catch {}
      if (typeof body.settings === 'object' && body.settings) this.state.settings = body.settings;
      const shown = (this.state.advisories_shown ??= []);
      for (const advisory of Array.isArray(body.advisories) ? body.advisories : []) {
        if (['warning', 'critical'].includes(advisory?.level) && !shown.includes(advisory.id)) {
          console.error(`${this.product} ${advisory.level} advisory: ${advisory.message ?? ''} ${advisory.url ?? ''}`);
          shown.push(advisory.id);
        }
      }
      this.#save();
    })().finally(() => { this.checking = undefined; });
    await this.checking;
  }

  allowed(event) {
    const settings = this.state.settings ?? {};
    // An event listed under "events" carries all its values (its product's where it sets none).
    const rule = settings.events?.[event] ?? settings;
    return rule.enabled !== false && !older(this.version, rule.min_version);
  }

  #dropped(reason, count) {
    if (count > 0) this.state.dropped[reason] = (this.state.dropped[reason] ?? 0) + count;
  }

  // #settle() ends a batch once and saves what it dropped.
  #settle(batch, reason, count = 0) {
    if (!this.batches.delete(batch)) return;
    this.pending -= batch.queued;
    if (reason) {
      this.#dropped(reason, count);
      this.#save();
    }
  }

  async #send(queued, batch) {
    await this.check();
    // Drops known before this batch: its own go with a later flush.
    const unreported = Object.fromEntries(Object.entries(this.state.dropped).map(([r, n]) => [r, Math.min(n, MAX_REPORTED)]));
    // Held back by the settings is not a drop: the server knows what it turned off.
    const events = queued.filter((e) => this.allowed(e.event));
    batch.sending = events.length;
    if (events.length === 0) debug('nothing sent: the server\'s settings turn these events off');
    else this.#settle(batch, ...await this.#deliver(events));
    this.#settle(batch);
    await this.#report(unreported);
  }

  // #deliver() sends a batch with its retries: [reason, how many it lost].
  async #deliver(events) {
    const body = gzipSync(JSON.stringify({ sent_at: new Date().toISOString(), events }));
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const [retryAfter, rejected] = await this.#post(body, events.length);
      if (retryAfter === null) return ['rejected', rejected];
      if (attempt + 1 < MAX_ATTEMPTS) await new Promise((resolve) => setTimeout(resolve, Math.min(retryAfter, 30) * 1000).unref());
    }
    return ['offline', events.length]; // given up: every event of the batch is lost
  }

  // #report() sends the drop counts at most once a day; they are reset only when the server took them.
  async #report(unreported) {
    if (!Object.values(unreported).some((n) => n > 0) || this.reporting) return;
    if (Date.now() / 1000 - (this.state.reported_at ?? 0) < REPORT_EVERY_S) return;
    this.reporting = true;
    try {
      const answer = await this.#request(`/v1/${this.product}/client_report`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ version: this.version, dropped: unreported }),
      });
      if (answer?.status !== 200) return; // kept for the next flush
      for (const [reason, count] of Object.entries(unreported)) { // drops counted meanwhile stay
        const left = (this.state.dropped[reason] ?? 0) - count;
        if (left > 0) this.state.dropped[reason] = left;
        else delete this.state.dropped[reason];
      }
      this.state.reported_at = Math.floor(Date.now() / 1000);
      this.#save();
    } finally {
      this.reporting = false;
    }
  }

  // #request() sends once: { status, text, retryAfter }, or null when no answer came in time.
  async #request(path, init = {}) {
    const ms = Math.min(TIMEOUT_MS, this.deadline - Date.now());
    try {
      if (ms <= 0) throw new Error('out of time');
      const response = await fetch(`${this.endpoint}${path}`, { ...init, signal: AbortSignal.timeout(ms) });
      const text = await response.text();
      debug(`${init.method ?? 'GET'} ${path} -> ${response.status} ${text}`);
      return { status: response.status, text, retryAfter: response.headers.get('retry-after') };
    } catch (error) {
      debug(`${init.method ?? 'GET'} ${path} -> ${error?.message ?? error}`);
      return null;
    }
  }

  // #post() sends once: [null, events rejected] when done (sent, or refused for good), else
  // [seconds to wait].
  async #post(body, count) {
    const answer = await this.#request('/v1/batch', {
      method: 'POST', headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, body,
    });
    if (!answer) return [2]; // network trouble or timeout: worth one more try
    // 429 and 503 say "retry later"; any other 4xx will fail again the same way.
    if (answer.status === 429 || answer.status === 503) return [Number(answer.retryAfter) || 5];
    if (answer.status >= 500) return [2];
    try {
      return [null, JSON.parse(answer.text).results.filter((r) => r?.status === 'rejected').length];
    } catch {
      return [null, answer.status >= 400 ? count : 0]; // refused whole, with no verdicts to read
    }
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  // phonehome.mjs [VERSION]: one AgentSonar session event, as its SDK would send it. Nothing
  // waits for it: the exit hook sends it.
  const telemetry = new Telemetry('agentsonar', { version: process.argv[2] ?? '0.4.0', optOutEnv: ['AGENTSONAR_TELEMETRY'] });
  telemetry.track('session', {
    session_id: randomUUID(),
    version: telemetry.version,
    os: process.platform,
    arch: process.arch,
    timestamp: Date.now(),
  });
}
