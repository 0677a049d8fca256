// generator.test.mjs: a malformed catalogue fails the build with messages naming the file and the
// field; a good one compiles to the JSON the core loads (the core in dist/ takes it). Runs
// scripts/gen-catalogue as the build does, and once through CMake itself.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { instantiateCore } from '../../worker/core.js';

const root = new URL('../../', import.meta.url).pathname;
const generator = join(root, 'scripts/gen-catalogue');
const scratch = mkdtempSync(join(tmpdir(), 'phonehome-catalogue-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

const GOOD_EVENT = {
  name: 'ping',
  description: 'A ping.',
  dedup: { fields: ['id'] },
  fields: [
    { name: 'id', kind: 'uuid', required: true, column: 'install_id', description: 'Random id.' },
    { name: 'count', kind: 'integer', min: 0, max: 10, description: 'How many.' },
  ],
};

let serial = 0;
// catalogueWith() writes a catalogue folder holding one product "demo" whose first event is
// changed by `edit` (or whose file text is `rawText`), and returns its path.
function catalogueWith(edit, { rawText, fileName = 'demo.json' } = {}) {
  const dir = join(scratch, `c${serial++}`);
  mkdirSync(join(dir, 'products'), { recursive: true });
  cpSync(join(root, 'catalogue/presets.json'), join(dir, 'presets.json'));
  const product = {
    product: 'demo', title: 'Demo', description: 'A demo.', opt_out: ['Set DO_NOT_TRACK=1.'],
    events: [structuredClone(GOOD_EVENT)],
  };
  edit?.(product, product.events[0]);
  writeFileSync(join(dir, 'products', fileName), rawText ?? JSON.stringify(product, null, 1));
  return dir;
}

function generate(dir) {
  const json = join(dir, 'out.json');
  const run = spawnSync('node', [generator, '--catalogue', dir, '--json', json], { encoding: 'utf8' });
  return { status: run.status, stderr: run.stderr, json };
}

// coreWith() is the shipped core with a compiled catalogue loaded, as the Worker makes it.
function coreWith(json) {
  const module = new WebAssembly.Module(readFileSync(join(root, 'dist/phonehome.wasm')));
  return instantiateCore(module, JSON.stringify(JSON.parse(readFileSync(json, 'utf8'))));
}

function expectProblem(dir, ...fragments) {
  const { status, stderr } = generate(dir);
  assert.equal(status, 1, `the generator should fail:\n${stderr}`);
  for (const fragment of fragments) assert.ok(stderr.includes(fragment), `expected "${fragment}" in:\n${stderr}`);
}

test('a good catalogue compiles to the JSON the core loads', async () => {
  const { status, stderr, json } = generate(catalogueWith());
  assert.equal(status, 0, stderr);
  assert.equal(JSON.parse(readFileSync(json, 'utf8')).products[0].events[0].fields[1].max, 10);
  const core = await coreWith(json);
  const body = new TextEncoder().encode('{"id":"8a4f3b29-6a1e-4b5c-9d2f-0e1f2a3b4c5d","count":3}');
  assert.equal(core.ingest({ product: 'demo', event: 'ping', body, receivedAt: 1795240900000 }).outcome, 'ok');
});

test('the public JSON lists the aliases of enum values, a list item\'s too', () => {
  const { status, stderr, json } = generate(catalogueWith((product, event) => {
    event.fields.push(
      { name: 'tier', kind: 'enum', values: ['free', 'pro'], value_aliases: { gratis: 'free' }, description: 'Plan.' },
      { name: 'tags', kind: 'list', max_items: 4, items: { kind: 'enum', values: ['a', 'b'], value_aliases: { alpha: 'a' } },
        description: 'Tags.' },
    );
  }));
  assert.equal(status, 0, stderr);
  const [, , tier, tags] = JSON.parse(readFileSync(json, 'utf8')).products[0].events[0].fields;
  assert.deepEqual(tier.value_aliases, { gratis: 'free' });
  assert.deepEqual(tags.items.value_aliases, { alpha: 'a' });
});

test('an unknown kind names the file, the event and the field', () => {
  expectProblem(catalogueWith((p, e) => { e.fields[1].kind = 'integr'; }),
    'products/demo.json: events[0] (ping).fields[1] (count).kind: kind "integr" is not one of');
});

test('a misspelt option is refused, not ignored', () => {
  expectProblem(catalogueWith((p, e) => { e.fields[1].maximum = 5; }),
    'events[0] (ping).fields[1] (count).maximum: unknown key "maximum"');
});

test('a field without a description is refused', () => {
  expectProblem(catalogueWith((p, e) => { delete e.fields[0].description; }),
    'fields[0] (id).description: description is required');
});

test('a column fed by the wrong kind is refused', () => {
  expectProblem(catalogueWith((p, e) => { e.fields[1].column = 'os'; }),
    'fields[1] (count).column: column os takes a field of kind enum or string');
});

test('a dedup key must be a required field', () => {
  expectProblem(catalogueWith((p, e) => { e.dedup.fields = ['count']; }),
    'events[0] (ping).dedup.fields: dedup field "count" must be required');
});

test('an enum alias must name one of its values', () => {
  expectProblem(catalogueWith((p, e) => {
    e.fields.push({ name: 'mode', kind: 'enum', values: ['a', 'b'], value_aliases: { x: 'c' }, description: 'Mode.' });
  }), 'fields[2] (mode).value_aliases: alias "x" names "c"');
});

test('a map key pattern must be a plain character class', () => {
  expectProblem(catalogueWith((p, e) => {
    e.fields.push({ name: 'm', kind: 'map', max_keys: 4, key_pattern: '^(a|b)+$', values: { kind: 'integer', min: 0, max: 1 }, description: 'M.' });
  }), 'fields[2] (m).key_pattern: key_pattern must have the form');
});

test('a string pattern must be a plain character class', () => {
  expectProblem(catalogueWith((p, e) => {
    e.fields.push({ name: 's', kind: 'string', max_length: 8, pattern: '[a-z]+', description: 'S.' });
  }), 'fields[2] (s).pattern: pattern must have the form');
});

test('a string pattern reaches the core and the public catalogue', async () => {
  const dir = catalogueWith((p, e) => {
    e.fields.push({ name: 's', kind: 'string', max_length: 8, pattern: '^[a-z_]{1,8}$', description: 'S.' });
    e.fields.push({ name: 'l', kind: 'list', max_items: 2, items: { kind: 'string', max_length: 8, pattern: '^[a-z]{1,8}$' }, description: 'L.' });
  });
  const { status, stderr, json } = generate(dir);
  assert.equal(status, 0, stderr);
  const core = await coreWith(json);
  const ingest = (fields) => JSON.parse(new TextDecoder().decode(core.ingest({
    product: 'demo', event: 'ping', receivedAt: 1795240900000,
    body: new TextEncoder().encode(JSON.stringify({ id: '8a4f3b29-6a1e-4b5c-9d2f-0e1f2a3b4c5d', ...fields })),
  }).response)).results[0];
  assert.equal(ingest({ s: 'ok_value', l: ['abc'] }).status, 'accepted');
  assert.equal(ingest({ s: 'Not-OK' }).code, 'pattern_mismatch');
  assert.equal(ingest({ l: ['ABC'] }).code, 'pattern_mismatch');
  const { fields } = JSON.parse(readFileSync(json, 'utf8')).products[0].events[0];
  assert.equal(fields.find((f) => f.name === 's').pattern, '^[a-z_]{1,8}$');
  assert.equal(fields.find((f) => f.name === 'l').items.pattern, '^[a-z]{1,8}$');
});

test('two fields may not feed the same column', () => {
  expectProblem(catalogueWith((p, e) => {
    e.fields.push({ name: 'other_id', kind: 'uuid', column: 'install_id', description: 'Another.' });
  }), 'column install_id is fed by both id and other_id');
});

test('a file that is not JSON is named', () => {
  expectProblem(catalogueWith(null, { rawText: '{"product": "demo",' }), 'products/demo.json: not valid JSON');
});

test('a product must live in a file of its own name', () => {
  expectProblem(catalogueWith(null, { fileName: 'other.json' }), 'products/other.json: product: the file must be named demo.json');
});

test('the CMake build fails on a malformed catalogue, with the generator message', () => {
  const dir = catalogueWith((p, e) => { e.fields[1].kind = 'integr'; });
  const build = join(scratch, 'cmake-build');
  const configure = spawnSync('cmake', ['-S', root, '-B', build, '-G', 'Ninja', `-DPHONEHOME_CATALOGUE_DIR=${dir}`], { encoding: 'utf8' });
  assert.equal(configure.status, 0, configure.stderr);
  const run = spawnSync('cmake', ['--build', build, '--target', 'phonehome_catalogue'], { encoding: 'utf8' });
  assert.notEqual(run.status, 0, 'the build should fail');
  assert.ok(`${run.stdout}${run.stderr}`.includes('kind "integr" is not one of'), run.stdout + run.stderr);
});

test('default_event names the event a bare product path means, and the public JSON says it', () => {
  const { status, stderr, json } = generate(catalogueWith((product, event) => { product.default_event = event.name; }));
  assert.equal(status, 0, stderr);
  assert.equal(JSON.parse(readFileSync(json, 'utf8')).products[0].default_event, GOOD_EVENT.name);
  expectProblem(catalogueWith((product) => { product.default_event = 'nope'; }),
    'products/demo.json: default_event: default_event must name one of the product\'s events');
});

test('posthog maps captured event names to events, and the public JSON carries the mapping', () => {
  const posthog = { api_keys: ['phc_demo_key_1'], distinct_id: 'id', events: { 'app-ping': 'ping', '*-error': { event: 'ping', name_field: 'label' } } };
  const { status, stderr, json } = generate(catalogueWith((product, event) => {
    product.posthog = posthog;
    event.fields.push({ name: 'label', kind: 'string', max_length: 128, description: 'Where.' });
  }));
  assert.equal(status, 0, stderr);
  assert.deepEqual(JSON.parse(readFileSync(json, 'utf8')).products[0].posthog, {
    api_keys: ['phc_demo_key_1'], distinct_id: 'id',
    events: [{ captured: 'app-ping', event: 'ping' }, { captured: '*-error', event: 'ping', name_field: 'label' }],
  });
});

test('a posthog mapping to no event, a distinct_id no event has, or a name_field that is no string field is refused', () => {
  expectProblem(catalogueWith((product) => { product.posthog = { events: { 'app-ping': 'nope' } }; }),
    'products/demo.json: posthog.events.app-ping: "nope" is not an event of the product');
  expectProblem(catalogueWith((product) => { product.posthog = { distinct_id: 'who', events: { 'app-ping': 'ping' } }; }),
    'posthog.distinct_id: distinct_id "who" must be a top-level field of every mapped event');
  expectProblem(catalogueWith((product) => { product.posthog = { events: { '*-error': { event: 'ping', name_field: 'count' } } }; }),
    'name_field "count" must be a top-level string field of ping');
  expectProblem(catalogueWith((product) => { product.posthog = { api_keys: ['short'], events: { 'app-ping': 'ping' } }; }),
    'posthog.api_keys: api_keys must list project keys');
});

test('posthog.paths nest flat properties into declared fields, and a path to no field is refused', () => {
  const withObject = (product, event) => {
    event.fields.push({ name: 'stats', kind: 'object', description: 'Stats.', fields: [
      { name: 'total', kind: 'integer', min: 0, max: 10, description: 'Total.' },
      { name: 'by_kind', kind: 'map', max_keys: 4, key_pattern: '^[a-z]{1,8}$', values: { kind: 'integer', min: 0, max: 10 }, description: 'Per kind.' }] });
  };
  const { status, stderr } = generate(catalogueWith((product, event) => {
    withObject(product, event);
    product.posthog = { events: { 'app-ping': 'ping' }, paths: { stats_total: 'stats.total', 'kind_*': 'stats.by_kind.*' } };
  }));
  assert.equal(status, 0, stderr);
  expectProblem(catalogueWith((product, event) => {
    withObject(product, event);
    product.posthog = { events: { 'app-ping': 'ping' }, paths: { stats_nope: 'stats.nope' } };
  }), 'posthog.paths.stats_nope: stats.nope names no field of ping');
  expectProblem(catalogueWith((product, event) => {
    withObject(product, event);
    product.posthog = { events: { 'app-ping': 'ping' }, paths: { 'kind_*': 'stats.total.*' } };
  }), 'stats.total.* names no map of ping');
});

// ---- a field's stats role (statsRole, STATS_LIMITS) ---------------------------------------------

// publicFields() is the compiled first event's fields by name.
function publicFields(dir) {
  const { status, stderr, json } = generate(dir);
  assert.equal(status, 0, stderr);
  const event = JSON.parse(readFileSync(json, 'utf8')).products[0].events[0];
  return Object.fromEntries(event.fields.map((f) => [f.name, f]));
}
const field = (name, kind, extra = {}) => ({ name, kind, description: `${name}.`, ...extra });
const enumField = (name, extra = {}) => field(name, 'enum', { values: ['a', 'b'], ...extra });

test('stats defaults: enum and bool fields are dimensions, other kinds none, the success field none', () => {
  const fields = publicFields(catalogueWith((p, e) => {
    e.success_field = 'ok';
    e.fields.push(enumField('mode'), field('webhook', 'bool'), field('ok', 'bool'), field('label', 'string', { max_length: 8 }));
  }));
  assert.equal(fields.mode.stats, 'dimension');
  assert.equal(fields.webhook.stats, 'dimension');
  assert.equal(fields.ok.stats, undefined, 'the success field is counted already: no breakdown unless asked for');
  assert.equal(fields.count.stats, undefined);
  assert.equal(fields.label.stats, undefined);
  assert.equal(fields.id.stats, undefined);
});

test('stats as written: a measure, top values, a success field asked for, none on a default dimension', () => {
  const fields = publicFields(catalogueWith((p, e) => {
    e.success_field = 'ok';
    e.fields[1].stats = 'measure';
    e.fields.push(field('ok', 'bool', { stats: 'dimension' }), enumField('mode', { stats: 'none' }),
      field('label', 'string', { max_length: 8, pattern: '^[a-z]{1,8}$', stats: 'top' }),
      field('model', 'model', { max_length: 64, allowed_owners: ['meta-llama'], stats: 'top' }));
  }));
  assert.deepEqual([fields.count.stats, fields.ok.stats, fields.mode.stats, fields.label.stats, fields.model.stats],
    ['measure', 'dimension', undefined, 'top', 'top']);
});

test('an unknown stats role names the file and the field', () => {
  expectProblem(catalogueWith((p, e) => { e.fields[1].stats = 'median'; }),
    'products/demo.json: events[0] (ping).fields[1] (count).stats: stats "median" is not one of: dimension, measure, top, none');
});

test('a stats role refuses a field of the wrong kind; top never takes text', () => {
  expectProblem(catalogueWith((p, e) => { e.fields[1].stats = 'dimension'; }),
    'products/demo.json: events[0] (ping).fields[1] (count).stats: stats "dimension" takes a field of kind enum or bool');
  expectProblem(catalogueWith((p, e) => { e.fields.push(field('label', 'string', { max_length: 8, stats: 'measure' })); }),
    'products/demo.json: events[0] (ping).fields[2] (label).stats: stats "measure" takes a field of kind integer or number');
  expectProblem(catalogueWith((p, e) => { e.fields.push(field('message', 'text', { max_length: 200, stats: 'top' })); }),
    'products/demo.json: events[0] (ping).fields[2] (message).stats: stats "top" takes a field of kind string or model');
  // A string without a pattern could hold anything a person typed: not a top field.
  expectProblem(catalogueWith((p, e) => { e.fields.push(field('label', 'string', { max_length: 20, stats: 'top' })); }),
    'products/demo.json: events[0] (ping).fields[2] (label).stats: a top string field needs a pattern (^[class]{min,max}$): its values must be identifiers, never free text');
});

test('a measure must be a non-negative quantity', () => {
  expectProblem(catalogueWith((p, e) => { e.fields.push(field('loss', 'number', { min: -1, max: 1, stats: 'measure' })); }),
    'products/demo.json: events[0] (ping).fields[2] (loss).stats: a measure is a non-negative quantity: its min must be 0 or more');
});

test('a field that feeds a column is charted as the column: stats refused, none allowed', () => {
  expectProblem(catalogueWith((p, e) => { e.fields.push(field('os', 'enum', { preset: 'os', column: 'os', stats: 'dimension' })); }),
    'products/demo.json: events[0] (ping).fields[2] (os).stats: a field that feeds column os is charted as that column already');
  // Named unlike any built-in dimension, so only the column keeps it from being one.
  const fields = publicFields(catalogueWith((p, e) => {
    e.fields.push(field('system', 'enum', { preset: 'os', column: 'os' }), field('cpu', 'enum', { preset: 'arch', column: 'arch', stats: 'none' }));
  }));
  assert.equal(fields.system.stats, undefined, 'a column enum is no dimension of its own by default');
  assert.equal(fields.cpu.stats, undefined);
});

test('a field named like a built-in dimension cannot be charted, and is none by default', () => {
  expectProblem(catalogueWith((p, e) => { e.fields.push(enumField('version', { stats: 'dimension' })); }),
    'products/demo.json: events[0] (ping).fields[2] (version).stats: "version" is the name of a built-in dimension');
  expectProblem(catalogueWith((p, e) => { e.fields.push(field('all', 'bool', { stats: 'dimension' })); }),
    'products/demo.json: events[0] (ping).fields[2] (all).stats: "all" is the name of a built-in dimension');
  const fields = publicFields(catalogueWith((p, e) => { e.fields.push(enumField('runtime'), field('all', 'bool')); }));
  assert.equal(fields.runtime.stats, undefined);
  assert.equal(fields.all.stats, undefined);
});

test('a nested field is charted under its dotted path, and named by its nested place when wrong', async () => {
  const { statsFields } = await import('../../cli/catalogue.mjs');
  const nested = (extra) => (p, e) => {
    e.fields.push(field('tasks', 'object', { fields: [
      field('total', 'integer', { min: 0, max: 100, stats: 'measure' }), enumField('version'), field('kind', 'string', { max_length: 8, ...extra }),
    ] }));
  };
  const { status, stderr, json } = generate(catalogueWith(nested({ stats: 'top', pattern: '^[a-z]{1,8}$' })));
  assert.equal(status, 0, stderr);
  const { products } = JSON.parse(readFileSync(json, 'utf8'));
  // tasks.version is no built-in: the built-in names are top-level ones.
  assert.deepEqual(statsFields(products[0].events).map((f) => `${f.path} ${f.stats}`), ['tasks.total measure', 'tasks.version dimension', 'tasks.kind top']);
  expectProblem(catalogueWith(nested({ stats: 'measure' })),
    'products/demo.json: events[0] (ping).fields[2] (tasks).fields[2] (kind).stats: stats "measure" takes a field of kind integer or number');
});

test('a product charts at most STATS_LIMITS fields of each role, dimensions counted once across events', () => {
  const enums = (n) => Array.from({ length: n }, (_, i) => enumField(`e${i}`));
  const measures = (n) => Array.from({ length: n }, (_, i) => field(`m${i}`, 'integer', { min: 0, max: 9, stats: 'measure' }));
  const tops = (n) => Array.from({ length: n }, (_, i) => field(`t${i}`, 'string', { max_length: 8, pattern: '^[a-z]{1,8}$', stats: 'top' }));
  const second = (fields) => ({ ...structuredClone(GOOD_EVENT), name: 'pong', fields: [structuredClone(GOOD_EVENT.fields[0]), ...fields] });
  expectProblem(catalogueWith((p, e) => { e.fields.push(...enums(17)); }),
    'products/demo.json: events: at most 16 fields of the product may have stats "dimension" (17 do, enum and bool fields by default): set "stats": "none" on the others');
  // The same 16 dimensions in a second event are the same 16 breakdowns.
  assert.equal(generate(catalogueWith((p, e) => { e.fields.push(...enums(16)); p.events.push(second(enums(16))); })).status, 0);
  // Measures and top values are kept per event: the same name in two events counts twice.
  expectProblem(catalogueWith((p, e) => { e.fields.push(...measures(7)); p.events.push(second(measures(6))); }),
    'products/demo.json: events: at most 12 fields of the product may have stats "measure" (13 do)');
  expectProblem(catalogueWith((p, e) => { e.fields.push(...tops(7)); }),
    'products/demo.json: events: at most 6 fields of the product may have stats "top" (7 do)');
});

test('the core loads a catalogue whose fields carry every stats role', async () => {
  const { status, stderr, json } = generate(catalogueWith((p, e) => {
    e.fields[1].stats = 'measure';
    e.fields.push(enumField('mode'), field('label', 'string', { max_length: 8, pattern: '^[a-z]{1,8}$', stats: 'top' }), field('flag', 'bool', { stats: 'none' }));
  }));
  assert.equal(status, 0, stderr);
  const core = await coreWith(json);
  const body = new TextEncoder().encode('{"id":"8a4f3b29-6a1e-4b5c-9d2f-0e1f2a3b4c5d","count":3,"mode":"a","label":"x","flag":true}');
  assert.equal(core.ingest({ product: 'demo', event: 'ping', body, receivedAt: 1795240900000 }).outcome, 'ok');
});
