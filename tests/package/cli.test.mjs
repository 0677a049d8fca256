// cli.test.mjs: the phonehome package's CLI and JS API against the real core (dist/phonehome.wasm):
// check (verdicts, rows, exit status, --json, NDJSON, envelopes, stdin, broken catalogues), build,
// schema, disclosure, init, createValidator(), and what `npm pack` would ship. Every count comes
// from the catalogue the test runs with.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, describe, test } from 'node:test';
import { loadCatalogue, publicCatalogue } from '../../cli/catalogue.mjs';
import { wranglerVars } from '../../cli/settings.mjs';
import { CatalogueError, CatalogueProblems, createValidator } from '../../cli/validator.mjs';

const root = new URL('../../', import.meta.url).pathname;
const bin = join(root, 'bin/phonehome.mjs');
const catalogueDir = process.env.PHONEHOME_CATALOGUE_DIR ?? join(root, 'catalogue');
const reference = JSON.parse(readFileSync(process.env.PHONEHOME_REFERENCE_VECTORS ?? join(root, 'tests/vectors/catalogue/reference.json'), 'utf8'));
const scratch = mkdtempSync(join(tmpdir(), 'phonehome-package-cli-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

const { products } = loadCatalogue(catalogueDir);
const compiledDoc = publicCatalogue(products);
const eventCount = products.reduce((n, p) => n + p.events.length, 0);
const sha256 = (text) => createHash('sha256').update(text).digest('hex');

let serial = 0;
const fresh = (name) => join(scratch, `${serial++}-${name}`);

function phonehome(args, { cwd = root, input } = {}) {
  const run = spawnSync(process.execPath, [bin, ...args], { cwd, input, encoding: 'utf8', timeout: 60_000 });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr, output: `${run.stdout}${run.stderr}` };
}

// The reference cases: exact payloads with the verdicts and rows the core must give.
const accepted = reference.cases.filter((c) => c.body && c.expect.outcome === 'ok' && c.expect.results.every((r) => r.status === 'accepted'));
const rejected = reference.cases.filter((c) => c.body && c.expect.outcome === 'all_rejected');
const withoutId = ({ event_id: _, ...row }) => row;

function write(name, text) {
  const file = fresh(name);
  writeFileSync(file, text);
  return file;
}
const envelopeLine = (c) => JSON.stringify({ product: c.product, event: c.event, ...c.body });

describe('createValidator', () => {
  test('answers every reference case with its verdicts and rows', async () => {
    const validator = await createValidator({ catalogue: catalogueDir });
    assert.equal(validator.catalogueSha256, sha256(JSON.stringify(compiledDoc)));
    for (const c of reference.cases) {
      const report = validator.check(c.body_text ?? JSON.stringify(c.body), { product: c.product, event: c.event, receivedAt: reference.defaults.received_at });
      assert.equal(report.outcome, c.expect.outcome, c.id);
      assert.deepEqual(report.events.map(({ index, status, code, field }) => ({ index, status, ...(code ? { code, path: field } : {}) })),
        c.expect.results.map(({ index, status, code, path }) => ({ index, status, ...(code ? { code, path } : {}) })), c.id);
      assert.deepEqual(report.events.filter((e) => e.row).map((e) => withoutId(e.row)), c.expect.rows, c.id);
    }
  });

  test('takes a compiled file or object, and a string, bytes or a JS value as the body', async () => {
    const file = write('compiled.json', JSON.stringify(compiledDoc));
    const c = accepted[0];
    for (const catalogue of [file, compiledDoc]) {
      const validator = await createValidator({ catalogue });
      assert.equal(validator.catalogueSha256, sha256(JSON.stringify(compiledDoc)));
      for (const body of [c.body, JSON.stringify(c.body), new TextEncoder().encode(JSON.stringify(c.body))]) {
        const report = validator.check(body, { product: c.product, event: c.event });
        assert.equal(report.events[0].status, 'accepted');
        assert.equal(report.httpStatus, 200);
      }
      // Without a product: a batch; events name their own.
      const batch = validator.check([{ product: c.product, event: c.event, ...c.body }, { product: c.product }]);
      assert.deepEqual(batch.events.map((e) => e.status), ['accepted', 'rejected']);
      assert.deepEqual([batch.events[1].code, batch.events[1].field], ['missing_field', 'event']);
      const refused = validator.check('{"events": [', {});
      assert.equal(refused.outcome, 'malformed_json');
      assert.equal(refused.httpStatus, 400);
      assert.equal(refused.error.code, 'malformed_json');
    }
  });

  test('refuses a malformed catalogue naming the file and the field', async () => {
    const dir = brokenCatalogue();
    await assert.rejects(createValidator({ catalogue: dir }), (error) => error instanceof CatalogueProblems
      && error.problems.some((line) => line.includes(join('products', 'demo.json')) && line.includes('fields[1] (count).kind')));
    const defect = structuredClone(compiledDoc);
    defect.products[0].events[0].fields[0].kind = 'integr';
    await assert.rejects(createValidator({ catalogue: defect }), (error) => error instanceof CatalogueError
      && error.message.includes(`products[0] (${defect.products[0].product})`) && error.message.includes('kind'));
  });
});

// brokenCatalogue() is the reference presets and one product whose field has a misspelt kind.
function brokenCatalogue() {
  const dir = fresh('broken');
  mkdirSync(join(dir, 'products'), { recursive: true });
  cpSync(join(catalogueDir, 'presets.json'), join(dir, 'presets.json'));
  writeFileSync(join(dir, 'products/demo.json'), JSON.stringify({
    product: 'demo', title: 'Demo', description: 'A demo.', opt_out: ['Set DO_NOT_TRACK=1.'],
    events: [{
      name: 'ping', description: 'A ping.', dedup: 'none',
      fields: [
        { name: 'id', kind: 'uuid', required: true, column: 'install_id', description: 'Random id.' },
        { name: 'count', kind: 'integr', min: 0, max: 10, description: 'How many.' },
      ],
    }],
  }));
  return dir;
}

describe('phonehome check', () => {
  test('accepts good payloads: each event with its verdict and row, exit 0', () => {
    const file = write('good.ndjson', `${accepted.map(envelopeLine).join('\n')}\n`);
    const run = phonehome(['check', '--catalogue', catalogueDir, file]);
    assert.equal(run.status, 0, run.output);
    assert.match(run.stdout, new RegExp(`${products.length} products?, ${eventCount} events?, SHA-256 ${sha256(JSON.stringify(compiledDoc))}`));
    accepted.forEach((c, i) => assert.match(run.stdout, new RegExp(`${file}:${i + 1} ${c.product}/${c.event}: accepted`)));
    assert.equal(run.stdout.split('\n').filter((line) => line.startsWith('  row {')).length, accepted.length);
    assert.match(run.stdout, new RegExp(`${accepted.length} events? in ${accepted.length} requests?: ${accepted.length} accepted, 0 rejected`));
  });

  test('rejects bad payloads with the code, the field and the message, exit 1', () => {
    const file = write('bad.ndjson', `${envelopeLine(accepted[0])}\n${rejected.map(envelopeLine).join('\n')}\nnot json\n`);
    const run = phonehome(['check', '--catalogue', catalogueDir, file]);
    assert.equal(run.status, 1, run.output);
    rejected.forEach((c, i) => {
      const verdict = c.expect.results[0];
      assert.ok(run.stdout.includes(`${file}:${i + 2} ${c.product}/${c.event}: rejected: ${verdict.code} at ${verdict.path}: `), run.stdout);
    });
    assert.match(run.stdout, new RegExp(`${file}:${rejected.length + 2}: request rejected: malformed_json`));
  });

  test('--json: one document, with the rows, for machines', () => {
    const c = accepted[0];
    const file = write('one.json', JSON.stringify([c.body, { nonsense: true }], null, 2));
    const run = phonehome(['check', '--catalogue', catalogueDir, '--product', c.product, '--event', c.event, '--json', file]);
    assert.equal(run.status, 1, run.output);
    const doc = JSON.parse(run.stdout);
    assert.equal(doc.ok, false);
    assert.deepEqual([doc.catalogue.products, doc.catalogue.events], [products.length, eventCount]);
    assert.equal(doc.core_sha256, sha256(readFileSync(join(root, 'dist/phonehome.wasm'))));
    assert.equal(doc.requests.length, 1);
    const [first, second] = doc.requests[0].events;
    assert.equal(doc.requests[0].source, file);
    assert.deepEqual(withoutId(first.row), { ...c.expect.rows[0], occurred_at: first.row.occurred_at, received_at: first.row.received_at });
    assert.equal(second.status, 'rejected');
    assert.ok(second.dropped.includes('nonsense'));
    assert.deepEqual(doc.summary, { requests: 1, requests_rejected: 0, events: 2, accepted: 1, duplicate: 0, rejected: 1 });
  });

  test('a batch envelope and standard input', () => {
    const envelope = JSON.stringify({ events: accepted.map((c) => ({ product: c.product, event: c.event, ...c.body })) });
    const run = phonehome(['check', '--catalogue', catalogueDir, '--json', '-'], { input: envelope });
    assert.equal(run.status, 0, run.output);
    const doc = JSON.parse(run.stdout);
    assert.equal(doc.requests[0].source, '<stdin>');
    assert.deepEqual(doc.requests[0].events.map((e) => `${e.product}/${e.event}`), accepted.map((c) => `${c.product}/${c.event}`));
    // Events of one request with the same dedup key are stored once: the later ones are duplicates.
    const stored = doc.requests[0].events.filter((e) => e.status === 'accepted');
    assert.ok(doc.requests[0].events.every((e) => e.status === 'accepted' || e.status === 'duplicate'));
    assert.ok(stored.length > 0 && stored.every((e) => e.row.product === e.product && e.row.event === e.event));
  });

  test('a malformed catalogue: the file and the field, exit 2', () => {
    const run = phonehome(['check', '--catalogue', brokenCatalogue(), write('p.json', '{}')]);
    assert.equal(run.status, 2, run.output);
    assert.match(run.stderr, /products\/demo\.json: events\[0\] \(ping\)\.fields\[1\] \(count\)\.kind: kind "integr"/);
  });

  test('a compiled catalogue the core refuses: the place, exit 2', () => {
    const defect = structuredClone(compiledDoc);
    const product = defect.products.at(-1);
    product.events[0].fields[0].required = 'yes';
    const file = write('defect.json', JSON.stringify(defect));
    const run = phonehome(['check', '--catalogue', file]);
    assert.equal(run.status, 2, run.output);
    assert.ok(run.stderr.includes(`${file}: products[${defect.products.length - 1}] (${product.product}).events[0] (${product.events[0].name}).fields[0] (${product.events[0].fields[0].name}).required`), run.stderr);
  });

  test('a body past MAX_BODY_BYTES is refused as the Worker refuses it (413), before the core', () => {
    const c = accepted[0];
    const limit = 1024 * 1024;
    const big = write('big.json', JSON.stringify({ ...c.body, padding: 'x'.repeat(limit) }));
    const run = phonehome(['check', '--product', c.product, '--event', c.event, '--json', big]);
    assert.equal(run.status, 1, run.output);
    const [request] = JSON.parse(run.stdout).requests;
    assert.equal(request.outcome, 'body_too_large');
    assert.equal(request.http_status, 413);
  });

  test('a compiled catalogue nested past the stack: named, exit 2, no stack trace', () => {
    const file = write('deep.json', `{"products":${'['.repeat(100000)}${']'.repeat(100000)}}`);
    const run = phonehome(['check', '--catalogue', file]);
    assert.equal(run.status, 2, run.output);
    assert.match(run.stderr, /nested too deeply|nests objects and arrays too deeply/);
    assert.doesNotMatch(run.stderr, /RangeError|at [a-zA-Z]+ \(/);
  });

  test('usage mistakes exit 2; --help exits 0', () => {
    assert.equal(phonehome(['check', '--event', 'x']).status, 2);
    assert.equal(phonehome(['check', '--frobnicate']).status, 2);
    assert.equal(phonehome(['check', join(scratch, 'absent.json')]).status, 2);
    for (const command of ['build', 'check', 'schema', 'disclosure', 'init']) {
      const run = phonehome([command, '--help']);
      assert.equal(run.status, 0, run.output);
      assert.match(run.stdout, new RegExp(`^usage: phonehome ${command}`));
    }
    assert.equal(phonehome(['--help']).status, 0);
    const unknown = phonehome(['deploy']);
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /unknown command "deploy"[\s\S]*usage: phonehome <command>/);
  });
});

describe('phonehome build, schema, disclosure', () => {
  test('build writes the compiled catalogue (on change only) and prints counts and SHA-256', () => {
    const out = join(fresh('build'), 'catalogue.json');
    const first = phonehome(['build', '--catalogue', catalogueDir, '--out', out]);
    assert.equal(first.status, 0, first.output);
    assert.deepEqual(JSON.parse(readFileSync(out, 'utf8')), compiledDoc);
    const hash = sha256(JSON.stringify(compiledDoc));
    assert.match(first.stdout, new RegExp(`${products.length} products?, ${eventCount} events?; catalogue SHA-256 ${hash}; .* written`));
    const mtime = statSync(out).mtimeMs;
    const second = phonehome(['build', '--catalogue', catalogueDir, '--out', out]);
    assert.match(second.stdout, /unchanged/);
    assert.equal(statSync(out).mtimeMs, mtime);
  });

  test('build of a malformed catalogue exits 1 naming the file and the field, and writes nothing', () => {
    const out = join(fresh('build-bad'), 'catalogue.json');
    const run = phonehome(['build', '--catalogue', brokenCatalogue(), '--out', out]);
    assert.equal(run.status, 1, run.output);
    assert.match(run.stderr, /products\/demo\.json: events\[0\] \(ping\)\.fields\[1\] \(count\)\.kind/);
    assert.equal(existsSync(out), false);
  });

  test('schema is /v1/schema for the catalogue, with the [vars] of ./wrangler.toml and both SHA-256', () => {
    const run = phonehome(['schema', '--catalogue', catalogueDir]);
    assert.equal(run.status, 0, run.output);
    const doc = JSON.parse(run.stdout);
    assert.deepEqual(doc.products, compiledDoc.products);
    assert.equal(doc.code.catalogue_sha256, sha256(JSON.stringify(compiledDoc)));
    assert.equal(doc.code.core_sha256, sha256(readFileSync(join(root, 'dist/phonehome.wasm'))));
    assert.equal(doc.retention_days, Number(wranglerVars(join(root, 'wrangler.toml')).RETENTION_DAYS));
    // Elsewhere, without a wrangler.toml: the Worker's defaults.
    const dir = fresh('no-wrangler');
    mkdirSync(dir);
    writeFileSync(join(dir, 'wrangler.toml'), '[vars]\nRETENTION_DAYS = "30"\n');
    assert.equal(JSON.parse(phonehome(['schema', '--catalogue', catalogueDir], { cwd: dir }).stdout).retention_days, 30);
  });

  test('disclosure is the page for the catalogue: every product and event, both SHA-256', () => {
    const run = phonehome(['disclosure', '--catalogue', catalogueDir]);
    assert.equal(run.status, 0, run.output);
    assert.match(run.stdout, /^<!doctype html>/);
    for (const p of products) {
      assert.ok(run.stdout.includes(`id="product-${p.product}"`), p.product);
      for (const e of p.events) assert.ok(run.stdout.includes(`id="event-${p.product}-${e.name}"`), `${p.product}/${e.name}`);
    }
    assert.ok(run.stdout.includes(sha256(JSON.stringify(compiledDoc))));
    assert.equal(phonehome(['disclosure', '--catalogue', brokenCatalogue()]).status, 2);
  });
});

describe('phonehome init', () => {
  const templates = join(root, 'templates/init');

  test('makes a project whose example catalogue and payloads pass', () => {
    const dir = join(fresh('init'), 'My Telemetry');
    const run = phonehome(['init', dir]);
    assert.equal(run.status, 0, run.output);
    for (const file of ['package.json', 'wrangler.toml', 'catalogue/presets.json', 'catalogue/products/example.json',
      'payloads/example.ndjson', 'src/index.js', 'README.md', '.github/workflows/phonehome.yml', '.gitignore']) {
      assert.ok(existsSync(join(dir, file)), file);
    }
    assert.match(run.stdout, /npm install/);
    const ours = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    assert.equal(pkg.name, 'my-telemetry');
    assert.equal(pkg.dependencies.phonehome, `^${ours.version}`);
    assert.equal(pkg.devDependencies.wrangler, ours.devDependencies.wrangler);
    assert.ok(!readFileSync(join(dir, 'wrangler.toml'), 'utf8').includes('{{'));
    assert.match(readFileSync(join(dir, 'wrangler.toml'), 'utf8'), /^name = "my-telemetry"$/m);

    const check = phonehome(['check', '--catalogue', join(dir, 'catalogue'), join(dir, 'payloads/example.ndjson')]);
    assert.equal(check.status, 0, check.output);
    // One example product of its own: none of this repository's reference products.
    const own = loadCatalogue(join(dir, 'catalogue')).products.map((p) => p.product);
    const referenceProducts = loadCatalogue(join(root, 'catalogue')).products.map((p) => p.product);
    assert.equal(own.length, 1);
    assert.ok(!referenceProducts.includes(own[0]), own[0]);
  });

  test('the next steps quote the folder for the shell; a folder it cannot write is named, no stack', () => {
    const dir = join(fresh('init'), 'my $(id) project');
    const run = phonehome(['init', dir]);
    assert.equal(run.status, 0, run.output);
    assert.ok(run.stdout.includes(`cd '${relative(root, dir)}'`), run.stdout);
    const file = write('a-file', '');
    const refused = phonehome(['init', join(file, 'sub')]);
    assert.equal(refused.status, 1, refused.output);
    assert.match(refused.stderr, /cannot write .*ENOTDIR/);
    assert.doesNotMatch(refused.stderr, /\n\s+at /);
  });

  test('refuses a folder that is not empty', () => {
    const dir = fresh('full');
    mkdirSync(dir);
    writeFileSync(join(dir, 'keep.txt'), 'mine');
    const run = phonehome(['init', dir]);
    assert.equal(run.status, 1, run.output);
    assert.match(run.stderr, /not empty/);
    assert.deepEqual(readdirSync(dir), ['keep.txt']);
    assert.equal(phonehome(['init']).status, 2);
  });

  test("the template's wrangler.toml has our [vars] and compatibility_date, and presets.json is ours", () => {
    assert.deepEqual(wranglerVars(join(templates, 'wrangler.toml')), wranglerVars(join(root, 'wrangler.toml')));
    const date = (file) => /^compatibility_date = "([^"]+)"$/m.exec(readFileSync(file, 'utf8'))[1];
    assert.equal(date(join(templates, 'wrangler.toml')), date(join(root, 'wrangler.toml')));
    assert.equal(readFileSync(join(templates, 'catalogue/presets.json'), 'utf8'), readFileSync(join(root, 'catalogue/presets.json'), 'utf8'));
    const toml = readFileSync(join(templates, 'wrangler.toml'), 'utf8');
    assert.match(toml, /^command = "npx phonehome build"$/m);
    const crons = (text) => /^crons = .*$/m.exec(text)?.[0];
    assert.equal(crons(toml), crons(readFileSync(join(root, 'wrangler.toml'), 'utf8')), 'the maintenance runs as often as ours');
    assert.ok(crons(toml));
    assert.match(toml, /^migrations_dir = "node_modules\/phonehome\/migrations"$/m);
    assert.match(toml, /^# \[\[queues\.producers\]\]$/m);
  });
});

describe('the package', () => {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

  test('package.json: publishable, MIT, no runtime dependencies, an executable bin', () => {
    assert.equal(pkg.name, 'phonehome');
    assert.notEqual(pkg.private, true);
    assert.equal(pkg.license, 'MIT');
    assert.equal(pkg.dependencies, undefined);
    const binFile = join(root, pkg.bin.phonehome);
    assert.match(readFileSync(binFile, 'utf8'), /^#!\/usr\/bin\/env node\n/);
    assert.ok(statSync(binFile).mode & 0o111, 'bin/phonehome.mjs is executable');
  });

  test('npm pack ships what a maintainer needs, and no tests, build or node_modules', () => {
    const run = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    const files = JSON.parse(run.stdout)[0].files.map((f) => f.path);
    const needed = [
      'package.json', 'LICENSE', 'README.md', 'schema.sql', 'dist/phonehome.wasm', 'dist/module.js', 'docs/CHECK.md',
      pkg.bin.phonehome, ...Object.values(pkg.exports).map((path) => path.replace(/^\.\//, '')),
      ...readdirSync(join(root, 'migrations')).map((f) => `migrations/${f}`),
      ...readdirSync(join(root, 'docs/clients')).map((f) => `docs/clients/${f}`),
      ...readdirSync(join(root, 'cli')).map((f) => `cli/${f}`),
      'templates/init/.github/workflows/phonehome.yml', 'templates/init/gitignore', 'templates/init/src/index.js',
    ];
    for (const file of needed) assert.ok(files.includes(file), `${file} is packed`);
    for (const file of files) {
      assert.doesNotMatch(file, /^(tests|build|node_modules|scripts|wasm|bench|\.wrangler)\//, file);
    }
  });
});
