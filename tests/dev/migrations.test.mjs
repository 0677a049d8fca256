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
// is applied, not what it makes.
function schemaOf(database) {
  const rows = JSON.parse(sqlite(database, ".mode json\nSELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name;\n") || '[]');
  return rows.map((row) => ({
    ...row,
    sql: row.sql.replace(/--[^\n]*/g, '').replace(/\s+/g, ' ').replace(/ IF NOT EXISTS/gi, '').replace(/\( /g, '(').replace(/ \)/g, ')').trim(),
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

  test('a database made from schema.sql takes every migration without error (deployments made before migrations)', () => {
    const database = join(scratch, 'legacy.sqlite');
    sqlite(database, readFileSync(join(root, 'schema.sql'), 'utf8'));
    for (const file of migrations) sqlite(database, readFileSync(join(migrationsDir, file), 'utf8'));
    assert.deepEqual(schemaOf(database), schemaOf(join(scratch, 'schema.sqlite')));
  });
});
