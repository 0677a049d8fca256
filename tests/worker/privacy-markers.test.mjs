// privacy-markers.test.mjs: the acceptance test of "every stored string obeys a rule". A marker
// of each class (an e-mail, addresses, provider keys, a card, an IBAN, a phone number, a MAC, home
// paths, a personal host name, password=…) is planted in every field kind of every event of every
// product in the catalogue, on top of its reference payload, in requests that are accepted and in
// requests that are rejected; the daily maintenance rolls them up, every stats report is read; then
// no marker is found in any response, any D1 table, any stats answer, the worker's log, or the D1
// files on disk. The fields come from the catalogue at run time: a product added tomorrow is
// covered without editing this file.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadCatalogue } from '../../cli/catalogue.mjs';
import { schemaStatements, startWorker, catalogueDir, referenceVectorsFile } from './harness.mjs';

const root = new URL('../../', import.meta.url).pathname;
const { products, problems } = loadCatalogue(catalogueDir);
const reference = JSON.parse(readFileSync(referenceVectorsFile, 'utf8'));

const DAY = 86_400_000;
const TOKEN = 'test-stats-token-privacy-markers-0123';
const IP_HEADERS = ['cf-connecting-ip', 'x-forwarded-for', 'x-real-ip', 'true-client-ip'];

// Each class plants `text`; `keys` are extra spellings that fit a map key pattern; `needles` are
// the secret parts searched for afterwards (case-insensitively): never a placeholder.
const MARKERS = [
  { name: 'e-mail', text: 'zqmail.marker@example.com', needles: ['zqmail.marker'] },
  { name: 'IPv4', text: '198.51.100.23', needles: ['198.51.100.23'] },
  { name: 'IPv6', text: '2001:db8::2323:77', needles: ['2001:db8::2323:77'] },
  { name: 'GitHub token', text: 'ghp_ZqTokenMarker0123456789abcdefghijklm', needles: ['ZqTokenMarker0123456789'] },
  { name: 'AWS key', text: 'AKIAZQMARKERAWS12345', needles: ['ZQMARKERAWS'] },
  { name: 'card', text: '4111 1111 1111 1111', keys: ['4111111111111111'], needles: ['4111 1111 1111 1111', '4111111111111111'] },
  { name: 'IBAN', text: 'DE89370400440532013000', needles: ['370400440532013000'] },
  { name: 'phone', text: '+44 20 7946 0958', needles: ['7946 0958', '79460958'] },
  { name: 'MAC', text: '4a:00:04:10:9b:50', needles: ['04:10:9b:50'] },
  { name: 'home path', text: '/home/zqhomeuser/notes.csv', needles: ['zqhomeuser'] },
  { name: 'Windows home', text: 'C:\\Users\\zqwinuser\\AppData\\run.log', needles: ['zqwinuser'] },
  { name: 'personal host', text: 'Zqhosts-MacBook-Pro.local', needles: ['Zqhosts-MacBook'] },
  { name: 'password', text: 'password=zqpassword99', needles: ['zqpassword99'] },
  { name: 'URL credentials', text: 'https://zquser:zqurlpass77@db.example.com/x', needles: ['zqurlpass77'] },
  { name: 'JWT', text: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ6cW1hcmtlciJ9.c2lnbmF0dXJl', needles: ['eyJzdWIiOiJ6cW1hcmtlciJ9'] },
  // The SSN's secret part is its group and serial: 078 may lose its leading zero on the way.
  { name: 'SSN', text: '078-05-1120', needles: ['05-1120'] },
  // 36 hex digits: 32 bare hex digits are a UUID, which a uuid field rightly stores.
  { name: 'hex secret', text: 'c0ffee00decafbad5eed1234abcdef99a7e3', needles: ['c0ffee00decafbad5eed'] },
];
const NEEDLES = MARKERS.flatMap((m) => m.needles.map((needle) => ({ marker: m.name, needle: needle.toLowerCase() })));

// found() lists the markers in `text`, each with a little of what surrounds it.
function found(text) {
  const lower = text.toLowerCase();
  return NEEDLES.filter(({ needle }) => lower.includes(needle)).map(({ marker, needle }) => {
    const at = lower.indexOf(needle);
    return { marker, needle, context: text.slice(Math.max(0, at - 100), at + needle.length + 40).replace(/[^\x20-\x7e]/g, '.') };
  });
}

// assertNoLeaks() fails with what was found where: counts per marker class and per place (when
// there are few places), then the first few.
function assertNoLeaks(leaks, where) {
  if (leaks.length === 0) return;
  const count = (key) => leaks.reduce((counts, l) => ({ ...counts, [l[key]]: (counts[l[key]] ?? 0) + 1 }), {});
  const places = count('at');
  const first = leaks.slice(0, 12).map((l) => `  ${l.at}: ${l.marker} (${l.needle}) in …${l.context}…`);
  assert.fail(`${leaks.length} markers found in ${where}: ${JSON.stringify(count('marker'))}` +
    `${Object.keys(places).length <= 20 ? `\n  by place: ${JSON.stringify(places)}` : ''}\n${first.join('\n')}` +
    `${leaks.length > first.length ? `\n  … and ${leaks.length - first.length} more` : ''}`);
}
const leaksIn = (at, text) => found(text).map((leak) => ({ at, ...leak }));

// ---- what the catalogue declares -------------------------------------------------------------

const referenceBody = (product, event) => reference.cases.find((c) => c.id === `${product}-${event}-reference`)?.body;

// Every declared field at any depth, as its trail of specs from the event down.
function* trails(fields, above = []) {
  for (const field of fields) {
    const trail = [...above, field];
    yield trail;
    if (field.kind === 'object') yield* trails(field.fields, trail);
  }
}

// The field another field's marker rides beside in a rejected event: the first other top-level one.
const breakerOf = (event, field) => event.fields.find((f) => f !== field);

// The ways a field of each kind can carry a marker. The version column also rides in an event
// rejected for another field's sake, since rejection counts keep it.
function carriersOf(field, event, topLevel) {
  if (field.kind === 'list') return [`list of ${field.item_kind}: item`];
  if (field.kind === 'map') return ['map: key', `map of ${field.item_kind}: value`];
  if (field.kind === 'version' && topLevel && field.column === 'version' && breakerOf(event, field)) {
    return ['version', 'version column of a rejected event'];
  }
  return [field.kind];
}

// The key a field is sent under in `object`: the one the reference payload uses, else the first
// alias (Langflow's PascalCase), else its name.
const inputKey = (field, object) => [field.name, ...field.aliases].find((k) => Object.hasOwn(object ?? {}, k)) ?? field.aliases[0] ?? field.name;

// parentOf() walks (creating objects where absent) to the object that holds the trail's last field.
function parentOf(body, trail) {
  let object = body;
  for (const field of trail.slice(0, -1)) {
    const key = inputKey(field, object);
    if (typeof object[key] !== 'object' || object[key] === null || Array.isArray(object[key])) object[key] = {};
    object = object[key];
  }
  return object;
}

const accepted = { status: 'accepted' };
const rejected = (...codes) => ({ status: 'rejected', codes });
const either = (refusal) => ({ ...refusal, either: true });
const utf8Length = (s) => Buffer.byteLength(s, 'utf8');

// A string kept as sent (a top-level column, or a value with a pattern) is refused when it holds a
// marker; any other string is stored scrubbed. Too long comes first.
function stringVerdict(field, value, { item = false, topLevel }) {
  if (utf8Length(value) > field.max_length && !field.truncate) return rejected('too_long');
  if (field.pattern || (!item && topLevel && field.column)) return rejected('sensitive_value', 'pattern_mismatch');
  return accepted;
}

// stringForms() is the marker alone and inside some words.
function stringForms(marker) {
  return [marker.text, `boom ${marker.text} x`];
}

// plantsOf() lists, for one field and one marker class, each planted value: { carrier, form,
// plant(body) that writes it in, expect }.
function plantsOf(trail, marker, event) {
  const field = trail.at(-1);
  const topLevel = trail.length === 1;
  const set = (value) => (body) => { parentOf(body, trail)[inputKey(field, parentOf(body, trail))] = value; };
  const plants = [];
  const add = (carrier, form, plant, expect) => plants.push({ carrier, form, plant, expect });
  switch (field.kind) {
    case 'string':
      for (const form of stringForms(marker)) add('string', form, set(form), stringVerdict(field, form, { topLevel }));
      break;
    case 'text':
      for (const form of stringForms(marker)) add('text', form, set(form), accepted);
      break;
    case 'model': {
      const owner = field.allowed_owners?.[0];
      for (const form of [marker.text, ...(owner ? [`${owner}/${marker.text}`, `${owner}/model-${marker.text}`] : [])]) {
        add('model', form, set(form), accepted); // stored as "other" or "<path>"
      }
      break;
    }
    case 'enum':
      add('enum', marker.text, set(marker.text), field.enum.unknown === 'other' ? accepted : rejected('invalid_enum'));
      break;
    case 'uuid':
      add('uuid', marker.text, set(marker.text), rejected('invalid_uuid'));
      break;
    case 'version':
      // A version's leading letters are a prefix the core drops (go1.22, AKIA…12345 → 12345): a bare
      // marker may be kept as the digits after it, so its verdict is either; whether anything of the
      // marker was kept is for the searches below. Inside a version it is refused.
      add('version', marker.text, set(marker.text), either(rejected('invalid_version')));
      for (const form of [`1.0.0-${marker.text}`, `1.0.0+${marker.text}`, `v2.3.4-rc.1+${marker.text}`]) {
        add('version', form, set(form), rejected('invalid_version'));
      }
      if (carriersOf(field, event, topLevel).length > 1) {
        // Another field of the wrong JSON type makes the event a rejection, counted with its version.
        const breaker = breakerOf(event, field);
        for (const form of [marker.text, `1.0.0-${marker.text}`]) {
          add('version column of a rejected event', form, (body) => {
            set(form)(body);
            body[inputKey(breaker, body)] = breaker.kind === 'list' ? {} : [];
          }, rejected('wrong_type', 'invalid_version'));
        }
      }
      break;
    case 'timestamp':
      add('timestamp', marker.text, set(marker.text), rejected('invalid_timestamp', 'wrong_type'));
      break;
    case 'bool': case 'integer': case 'number': case 'object':
      add(field.kind, marker.text, set(marker.text), rejected('wrong_type'));
      break;
    case 'list': {
      const [carrier] = carriersOf(field, event, topLevel);
      for (const form of field.item_kind === 'string' ? stringForms(marker) : [marker.text]) {
        const plant = (body) => {
          const holder = parentOf(body, trail);
          const key = inputKey(field, holder);
          const items = Array.isArray(holder[key]) ? holder[key].slice(0, field.max_items - 1) : [];
          holder[key] = [...items, form];
        };
        const expect = field.item_kind === 'string'
          ? stringVerdict(field, form, { item: true, topLevel })
          : field.enum.unknown === 'other' ? accepted : rejected('invalid_enum');
        add(carrier, form, plant, expect);
      }
      break;
    }
    case 'map': {
      const [keyCarrier, valueCarrier] = carriersOf(field, event, topLevel);
      const entry = (k, v) => (body) => {
        const holder = parentOf(body, trail);
        const key = inputKey(field, holder);
        const map = typeof holder[key] === 'object' && holder[key] !== null && !Array.isArray(holder[key]) ? holder[key] : {};
        const kept = Object.entries(map).slice(0, field.max_items - 1);
        holder[key] = Object.fromEntries([...kept, [k, v]]);
      };
      const value = field.item_kind === 'integer' ? Math.max(0, field.min) : field.min;
      for (const form of [marker.text, ...(marker.keys ?? [])]) add(keyCarrier, form, entry(form, value), rejected('invalid_key'));
      add(valueCarrier, marker.text, entry('zq_value_carrier', marker.text), rejected('wrong_type'));
      break;
    }
    default:
      throw new Error(`no carrier for kind ${field.kind}: add one to privacy-markers.test.mjs`);
  }
  return plants;
}

// ---- the events sent -------------------------------------------------------------------------

const hex = (n, width) => n.toString(16).padStart(width, '0');
const uuidOf = (n) => `7a${hex(n, 6)}-0000-4000-8000-${hex(n, 12)}`;

// A planted event: the reference payload with fresh ids (so no event is a duplicate of another,
// and no install reaches its daily share), every time field on `day`, and the marker written in.
function eventBody(product, event, plan, n, day) {
  const body = structuredClone(referenceBody(product.product, event.name));
  for (const field of event.fields) {
    const key = inputKey(field, body);
    if (field.kind === 'uuid') body[key] = uuidOf(n);
    else if (event.dedup.fields.includes(field.name) && (field.kind === 'integer' || field.kind === 'number')) {
      body[key] = Math.min(field.max, field.min + n);
    } else if (event.dedup.fields.includes(field.name) && field.kind === 'string') body[key] = `k${n}`;
  }
  for (const trail of trails(event.fields)) {
    if (trail.at(-1).kind === 'timestamp') {
      parentOf(body, trail)[inputKey(trail.at(-1), parentOf(body, trail))] = day * DAY + 12 * 3600_000 + n;
    }
  }
  plan.plant(body);
  return body;
}

// Every file below `dir`.
function filesUnder(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

describe('a marker of every class in every field kind of every product', () => {
  const now = Date.now();
  const today = Math.floor(now / DAY);
  const yesterday = today - 1; // a finished day: event times go there
  const dayString = (day) => new Date(day * DAY).toISOString().slice(0, 10);

  // Every plan: one marker, one carrier, in one field of one event.
  const plans = [];
  const declaredCarriers = new Set();
  const missingReference = [];
  for (const product of products) {
    for (const event of product.events) {
      if (!referenceBody(product.product, event.name)) missingReference.push(`${product.product}/${event.name}`);
      for (const trail of trails(event.fields)) {
        const path = trail.map((f) => f.name).join('.');
        for (const carrier of carriersOf(trail.at(-1), event, trail.length === 1)) declaredCarriers.add(carrier);
        for (const marker of MARKERS) {
          for (const plant of plantsOf(trail, marker, event)) plans.push({ product, event, path, marker, ...plant });
        }
      }
      // An undeclared field holding a marker is dropped: every event also gets an accepted row.
      for (const marker of MARKERS) {
        plans.push({ product, event, path: 'zq_undeclared', marker, carrier: 'undeclared field', form: marker.text,
          plant: (body) => { body.zq_undeclared = marker.text; }, expect: accepted });
      }
    }
  }

  let worker;
  let persist;
  let logs = '';
  const answers = []; // { what, text }: every response, headers and body
  const statsAnswers = []; // { what, json }
  const mismatches = []; // verdicts other than the plan's
  const verdicts = { accepted: 0, rejected: 0, duplicate: 0 };
  const rejectedPerProduct = new Map();
  const tableDumps = []; // { when, table, rows }
  let tablesSeen = [];
  let diskFiles = [];
  const diskLeaks = [];
  let scheduled;
  let faultStatus;
  let reports = [];
  let dimensions = []; // the first product's; every product has the built-in ones first
  let expectedAnswers = 0;

  async function record(what, response) {
    const text = await response.text();
    answers.push({ what, text: `${response.status} ${JSON.stringify([...response.headers])}\n${text}` });
    return text;
  }

  // check() compares one event's verdict with its plan's.
  function check(plan, result, where) {
    verdicts[result?.status] = (verdicts[result?.status] ?? 0) + 1;
    (plan.results ??= []).push(result?.status);
    const want = plan.expect;
    const ok = (want.either && result?.status === 'accepted')
      || (result?.status === want.status && (want.status !== 'rejected' || want.codes.includes(result.code)));
    if (!ok) {
      mismatches.push(`${where} ${plan.product.product}/${plan.event.name} ${plan.path} (${plan.carrier}, ${plan.marker.name} as ${JSON.stringify(plan.form)}): ` +
        `expected ${want.status}${want.codes ? ` ${want.codes.join('|')}` : ''}, got ${JSON.stringify(result)}`);
    }
    if (result?.status === 'rejected') {
      rejectedPerProduct.set(plan.product.product, (rejectedPerProduct.get(plan.product.product) ?? 0) + 1);
    }
  }

  async function dumpTables(when) {
    const tables = await worker.rows("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_cf\\_%' ESCAPE '\\' ORDER BY name");
    tablesSeen = tables.map((t) => t.name);
    for (const { name } of tables) tableDumps.push({ when, table: name, rows: await worker.rows(`SELECT * FROM "${name}"`) });
  }

  async function stats(report, params = {}, method = 'GET') {
    const what = `${method} /v1/stats/${report}?${new URLSearchParams(params)}`;
    const response = await worker.fetch(what.slice(method.length + 1), { method, headers: { authorization: `Bearer ${TOKEN}` } });
    const text = await record(what, response);
    statsAnswers.push({ what, report, params, status: response.status, text, json: JSON.parse(text) });
    return statsAnswers.at(-1);
  }

  before(async () => {
    persist = mkdtempSync(join(tmpdir(), 'phonehome-markers-'));
    worker = await startWorker({
      faults: true,
      persist,
      vars: { STATS_TOKEN: TOKEN },
      log: (stdout, stderr) => {
        stdout.on('data', (chunk) => { logs += chunk; });
        stderr.on('data', (chunk) => { logs += chunk; });
      },
    });
    // The IPv4 marker also rides in every client-IP header.
    const headers = { 'content-type': 'application/json', ...Object.fromEntries(IP_HEADERS.map((h) => [h, MARKERS[1].text])) };
    let n = 0;

    // One request per plan.
    for (const plan of plans) {
      const body = eventBody(plan.product, plan.event, plan, ++n, yesterday);
      const response = await worker.post(`/v1/${plan.product.product}/${plan.event.name}`, body, headers);
      const text = await record(`POST /v1/${plan.product.product}/${plan.event.name} ${plan.path} (${plan.carrier}, ${plan.marker.name})`, response);
      const answer = JSON.parse(text);
      check(plan, answer.results?.[0], 'single');
      const wantStatus = answer.results?.[0]?.status === 'accepted' ? 200 : 400;
      if (response.status !== wantStatus) mismatches.push(`single ${plan.product.product}/${plan.event.name} ${plan.path}: HTTP ${response.status}, expected ${wantStatus}`);
    }

    // Again through /v1/batch: one request per marker class, every product and event in it.
    for (const marker of MARKERS) {
      const mine = plans.filter((p) => p.marker === marker);
      const events = mine.map((plan) => ({ product: plan.product.product, event: plan.event.name, ...eventBody(plan.product, plan.event, plan, ++n, yesterday) }));
      const response = await worker.post('/v1/batch', { events }, headers);
      const answer = JSON.parse(await record(`POST /v1/batch (${marker.name})`, response));
      mine.forEach((plan, i) => check(plan, answer.results?.find((r) => r.index === i), 'batch'));
    }

    // D1 refuses a batch of accepted markers: the error is logged, nothing is stored.
    await worker.setFault('fail');
    // At most 500: a request holds at most 1,000 events, and the catalogue decides how many plans there are.
    const acceptedOnes = plans.filter((p) => p.results[0] === 'accepted').slice(0, 500);
    const faulted = await worker.post('/v1/batch', {
      events: acceptedOnes.map((plan) => ({ product: plan.product.product, event: plan.event.name, ...eventBody(plan.product, plan.event, plan, ++n, yesterday) })),
    }, headers);
    faultStatus = faulted.status;
    await record('POST /v1/batch (D1 failing)', faulted);
    await worker.setFault('none');

    await dumpTables('after ingest');

    // The daily run two days on: yesterday and today are finished days, rolled up.
    scheduled = await (await worker.mf.getWorker()).scheduled({ scheduledTime: new Date(now + 2 * DAY) });
    // The maintainer's rollup of the planted days, before the stats are read: the daily run rolls up
    // within its statement budget, and on a loaded machine its slices (sized by D1's time) can leave
    // a day for its next run; the stats must then still count every planted row.
    await stats('rollup', { from: dayString(today - 2), to: dayString(today - 1) }, 'POST');

    // Every stats report, for every product, event and dimension, over the days the events fell on.
    // The lists of reports and dimensions are the worker's own, from its answers to a wrong name.
    const reportList = await stats('no_such_report');
    reports = /stats reports: (.*), and POST rollup/.exec(reportList.json.error?.message ?? '')?.[1].split(', ') ?? [];
    const range = { from: dayString(today - 2), to: dayString(today + 1) };
    for (const product of products) {
      // The product's dimensions (built-in and the catalogue's), from the answer to a wrong one; its
      // measures and top fields from the fields report.
      const dimensionList = await stats('breakdown', { product: product.product, dimension: 'zz' });
      const own = /dimension must be one of: (.*)$/.exec(dimensionList.json.error?.message ?? '')?.[1].split(', ') ?? [];
      if (product === products[0]) dimensions = own;
      const { measures = [], top = [] } = (await stats('fields', { product: product.product, event: '*', dimension: 'version', ...range })).json;
      for (const report of reports) {
        if (report === 'measures' || report === 'top') {
          for (const { name, event } of report === 'measures' ? measures : top) {
            await stats(report, { product: product.product, event, dimension: 'version', field: name, ...range });
            expectedAnswers++;
          }
          continue;
        }
        for (const event of ['*', ...product.events.map((e) => e.name)]) {
          for (const dimension of own) {
            await stats(report, { product: product.product, event, dimension, ...range });
            expectedAnswers++;
          }
        }
      }
    }

    await dumpTables('after maintenance and stats');
    await worker.close();
    worker = undefined;
    diskFiles = filesUnder(persist);
    for (const file of diskFiles) {
      diskLeaks.push(...leaksIn(file, readFileSync(file).toString('latin1')));
    }
  });

  after(async () => {
    await worker?.close();
    if (persist) rmSync(persist, { recursive: true, force: true });
  });

  const dumps = (when) => tableDumps.filter((d) => d.when === when);
  const table = (name, when = 'after maintenance and stats') => dumps(when).find((d) => d.table === name)?.rows ?? [];

  test('every field of every event got every marker class, through every carrier its kind has', (t) => {
    const perCarrier = {};
    for (const p of plans) perCarrier[p.carrier] = (perCarrier[p.carrier] ?? 0) + 1;
    t.diagnostic(`${plans.length} planted events (each sent alone and in a batch): ${JSON.stringify(perCarrier)}`);
    assert.deepEqual(problems, [], 'the catalogue loads');
    assert.deepEqual(missingReference, [], 'every event has a reference payload in tests/vectors/catalogue/reference.json');
    const planted = new Set(plans.map((p) => p.carrier));
    for (const carrier of declaredCarriers) assert.ok(planted.has(carrier), `no marker was planted as a ${carrier}`);
    assert.ok(planted.has('undeclared field'));
    for (const product of products) {
      for (const event of product.events) {
        for (const trail of trails(event.fields)) {
          const path = trail.map((f) => f.name).join('.');
          const classes = new Set(plans.filter((p) => p.product === product && p.event === event && p.path === path).map((p) => p.marker));
          assert.equal(classes.size, MARKERS.length, `${product.product}/${event.name} ${path} got ${classes.size} marker classes`);
        }
      }
    }
    const fieldCount = products.flatMap((p) => p.events.flatMap((e) => [...trails(e.fields)])).length;
    assert.ok(plans.length >= (fieldCount + products.flatMap((p) => p.events).length) * MARKERS.length, `${plans.length} plans`);
  });

  test('every planted event got the verdict its field kind calls for, accepted and rejected alike', () => {
    assert.deepEqual(mismatches, []);
    for (const plan of plans) {
      assert.equal(plan.results?.length, 2, 'each plan was sent alone and in a batch');
      assert.equal(plan.results[0], plan.results[1], `${plan.product.product}/${plan.event.name} ${plan.path} ${plan.form}: alone and in a batch alike`);
    }
    assert.equal(verdicts.duplicate, 0, 'fresh ids: no planted event is a duplicate of another');
    const acceptedPlans = plans.filter((p) => p.results[0] === 'accepted').length;
    assert.equal(verdicts.accepted + verdicts.rejected, 2 * plans.length);
    assert.ok(acceptedPlans > 0 && acceptedPlans < plans.length, `both outcomes are exercised: ${acceptedPlans} of ${plans.length} accepted`);
    assert.equal(faultStatus, 503, 'a D1 failure is a 503');
  });

  test('the events made rows, rollups of two days and rejection counts', () => {
    assert.equal(scheduled?.outcome, 'ok', 'the scheduled handler ran');
    const rows = table('events');
    assert.equal(rows.length, verdicts.accepted, 'every accepted event is a row (and none of the failed batch)');
    const rollups = table('rollup_daily');
    // The rollup counts each (day, product, event) exactly as the rows do.
    const fromRows = new Map();
    for (const r of rows) {
      const key = `${Math.floor(r.occurred_at / DAY)}|${r.product}|${r.event}`;
      fromRows.set(key, (fromRows.get(key) ?? 0) + 1);
    }
    const rolled = new Map(rollups.filter((r) => r.dimension === 'all' && r.event !== '*').map((r) => [`${r.day}|${r.product}|${r.event}`, r.events]));
    assert.deepEqual(Object.fromEntries([...rolled].sort()), Object.fromEntries([...fromRows].sort()));
    for (const product of products) {
      for (const event of product.events) {
        assert.ok(rows.some((r) => r.product === product.product && r.event === event.name), `${product.product}/${event.name} has rows`);
      }
    }
    const days = new Set(rollups.map((r) => r.day));
    const timed = products.some((p) => p.events.some((e) => [...trails(e.fields)].some((t) => t.at(-1).kind === 'timestamp' && t.at(-1).column === 'occurred_at')));
    if (timed) assert.ok(days.has(yesterday), 'events dated yesterday by their own time are rolled up');
    assert.ok(days.has(today) || days.has(today + 1), 'events dated by their receive time are rolled up');
    const rejections = table('rejections_daily');
    assert.equal(rejections.reduce((sum, r) => sum + r.count, 0), verdicts.rejected, 'every rejected event is counted once');
    // A rejection count keeps a version only when a row could have stored it (the searches below
    // decide whether a stored version holds a marker).
    const versions = new Set(['', ...rows.map((r) => r.version).filter((v) => v !== null)]);
    for (const r of rejections) assert.ok(versions.has(r.version), `rejection count version ${JSON.stringify(r.version)}`);
    assert.ok(rejections.some((r) => r.version !== ''), 'some rejection counts keep a version');
  });

  test('every stats report answered, with the planted days in it', () => {
    // stats.js's reports today; the list read from the worker must hold at least these.
    for (const report of ['products', 'overview', 'events', 'breakdown', 'outcomes', 'ingest', 'rejections']) {
      assert.ok(reports.includes(report), `the worker lists ${report}: ${reports.join(', ')}`);
    }
    assert.ok(dimensions.length >= 1 && dimensions.includes('version'), `dimensions: ${dimensions.join(', ')}`);
    const read = statsAnswers.filter((a) => reports.includes(a.report) && a.params.event !== undefined && a.params.dimension !== 'zz');
    assert.equal(read.length, expectedAnswers + products.length, 'every report, product, event and dimension (and each product\'s fields)');
    for (const a of read) assert.equal(a.status, 200, `${a.what}: ${a.text.slice(0, 300)}`);
    const rollup = statsAnswers.find((a) => a.report === 'rollup');
    assert.equal(rollup?.status, 200, rollup?.text);
    const answer = (report, product, more = {}) => read.find((a) => a.report === report && a.params.product === product
      && Object.entries({ event: '*', dimension: dimensions[0], ...more }).every(([k, v]) => a.params[k] === v)).json;
    const rows = table('events');
    for (const { product } of products) {
      const mine = rows.filter((r) => r.product === product);
      const overview = answer('overview', product);
      assert.equal(overview.days.reduce((sum, d) => sum + d.events, 0), mine.length, `overview of ${product} counts its rows`);
      const breakdown = answer('breakdown', product);
      assert.equal(breakdown.days.reduce((sum, d) => sum + d.events, 0), mine.length, `breakdown of ${product} counts its rows`);
      const rejections = answer('rejections', product);
      assert.equal(rejections.rejections.reduce((sum, r) => sum + r.count, 0), rejectedPerProduct.get(product) ?? 0, `rejections of ${product}`);
      assert.ok(rejections.rejections.length > 0 || !rejectedPerProduct.has(product));
    }
    const listed = answer('products', products[0].product).products;
    assert.equal(listed.reduce((sum, p) => sum + p.total_events, 0), rows.length, 'the products report counts every row');
  });

  test('no marker in any response body or header', () => {
    assert.ok(answers.length > plans.length);
    assertNoLeaks(answers.flatMap(({ what, text }) => leaksIn(what, text)), 'responses');
  });

  test('no marker in any table of D1, after ingest and after the daily run', () => {
    const created = schemaStatements().map((s) => /^CREATE TABLE IF NOT EXISTS (\w+)/i.exec(s)?.[1]).filter(Boolean);
    for (const name of created) assert.ok(tablesSeen.includes(name), `${name} was read`);
    assert.ok(tableDumps.some((d) => d.table === 'rollup_daily' && d.rows.length > 0));
    assertNoLeaks(tableDumps.flatMap(({ when, table: name, rows }) => rows.flatMap((row) => leaksIn(`${name} (${when})`, JSON.stringify(row)))), 'D1 tables');
  });

  test('no marker in any stats answer', () => {
    assertNoLeaks(statsAnswers.flatMap(({ what, text }) => leaksIn(what, text)), 'stats answers');
  });

  test("no marker in the worker's log, though it logged", () => {
    assert.match(logs, /storing \d+ rows failed/, 'the log capture works');
    assert.match(logs, /maintenance/, 'the daily run logged');
    assertNoLeaks(leaksIn('the log', logs), 'the log');
  });

  test('no marker in the D1 files on disk', () => {
    assert.ok(diskFiles.some((f) => f.endsWith('.sqlite')), `the D1 file is on disk: ${diskFiles.join(', ')}`);
    assertNoLeaks(diskLeaks, 'D1 files');
  });
});
