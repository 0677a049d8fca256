// migrations.test.mjs: applying every migration in migrations/, in order, to an empty SQLite
// database yields exactly the schema of schema.sql (tables, columns, constraints, indexes), and the
// migrations are what wrangler expects: NNNN_name.sql, numbered from 0001 without gaps, named by
// wrangler.toml's migrations_dir.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';

const root = new URL('../../', import.meta.url).pathname;
const migrationsDir = join(root, 'migrations');
const migrations = readdirSync(migrationsDir).filter((f) => f.endsWith('.sql')).sort();
const scratch = mkdtempSync(join(tmpdir(), 'phonehome-migrations-'));

function sqlite(database, sql) {
  return execFileSync('sqlite3', [database], { input: sql, encoding: 'utf8' });
}

// schemaOf() lists a database's objects with their SQL, comments and spacing normalized, so two
// schemas compare equal exactly when they declare the same things. IF NOT EXISTS is how a statement
// is applied, not what it makes; nor is quoting a name (SQLite quotes a renamed table's).
function schemaOf(database) {
  const rows = JSON.parse(sqlite(database, ".mode json\nSELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name;\n") || '[]');
  return rows.map((row) => ({
    ...row,
    sql: row.sql.replace(/--[^\n]*/g, '').replace(/\s+/g, ' ').replace(/ IF NOT EXISTS/gi, '').replace(/"(\w+)"/g, '$1').replace(/ ,/g, ',').replace(/\( /g, '(').replace(/ \)/g, ')').trim(),
  }));
}

describe('D1 migrations', () => {
  after(() => rmSync(scratch, { recursive: true, force: true }));

  test('wrangler.toml applies them from migrations/', () => {
    assert.match(readFileSync(join(root, 'wrangler.toml'), 'utf8'), /^migrations_dir = "migrations"$/m);
  });

  test('they are numbered 0001, 0002, … without gaps, as wrangler names them', () => {
    assert.ok(migrations.length > 0);
    migrations.forEach((file, i) => assert.match(file, new RegExp(`^${String(i + 1).padStart(4, '0')}_[a-z0-9_]+\\.sql$`), file));
  });

  test('applied in order, they make exactly the schema of schema.sql', () => {
    const fromMigrations = join(scratch, 'migrations.sqlite');
    for (const file of migrations) sqlite(fromMigrations, readFileSync(join(migrationsDir, file), 'utf8'));
    const fromSchema = join(scratch, 'schema.sqlite');
    sqlite(fromSchema, readFileSync(join(root, 'schema.sql'), 'utf8'));
    const expected = schemaOf(fromSchema);
    assert.ok(expected.some((o) => o.name === 'events'), 'schema.sql makes the events table');
    assert.deepEqual(schemaOf(fromMigrations), expected);
  });

  test('a database made from schema.sql before migrations takes them (0.1 made databases from schema.sql, then 0001)', () => {
    const database = join(scratch, 'legacy.sqlite');
    sqlite(database, readFileSync(join(migrationsDir, migrations[0]), 'utf8').replace(/IF NOT EXISTS /g, ''));
    for (const file of migrations) sqlite(database, readFileSync(join(migrationsDir, file), 'utf8'));
    assert.deepEqual(schemaOf(database), schemaOf(join(scratch, 'schema.sqlite')));
  });

  test('a database of 0.2 keeps its events through 0002, and refuses a wrong day', () => {
    const database = join(scratch, 'v02.sqlite');
    sqlite(database, readFileSync(join(migrationsDir, migrations[0]), 'utf8'));
    // Two events either side of a midnight, one with an install id: 2026-11-29T23:59:59.999Z and the next millisecond.
    const midnight = Date.UTC(2026, 10, 30);
    sqlite(database, `INSERT INTO events (event_id, product, event, install_id, occurred_at, received_at, time_source, properties)
      VALUES ('a', 'p', 'e', 'i-1', ${midnight - 1}, ${midnight}, 'client', '{"x":1}'), ('b', 'p', 'e', NULL, ${midnight}, ${midnight}, 'server', '{}');`);
    for (const file of migrations.slice(1)) sqlite(database, readFileSync(join(migrationsDir, file), 'utf8'));
    const rows = JSON.parse(sqlite(database, '.mode json\nSELECT event_id, install_id, occurred_at, day, properties FROM events ORDER BY event_id;\n'));
    const day = midnight / 86_400_000;
    // Their day is NULL until the maintenance fills it in (tests/worker/rollup-slices.test.mjs).
    assert.deepEqual(rows, [
      { event_id: 'a', install_id: 'i-1', occurred_at: midnight - 1, day: null, properties: '{"x":1}' },
      { event_id: 'b', install_id: null, occurred_at: midnight, day: null, properties: '{}' },
    ]);
    assert.deepEqual(schemaOf(database), schemaOf(join(scratch, 'schema.sqlite')));
    // The CHECK refuses a row whose day is not its occurred_at's.
    assert.throws(() => execFileSync('sqlite3', [database], { input: `INSERT INTO events (event_id, product, event, occurred_at, received_at, time_source, day) VALUES ('c', 'p', 'e', ${midnight}, ${midnight}, 'server', ${day - 1});`, stdio: 'pipe' }));
  });
});
