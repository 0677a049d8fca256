#!/usr/bin/env node
// derive.mjs: writes tests/vectors/catalogue/derived.json, the cases every catalogue rule implies,
// for every event of every product. Each starts from the event's reference case in reference.json
// (its exact payload and the row a person checked by hand) and changes one thing:
//   - each required field missing                  -> missing_field at its path
//   - each field given a value of the wrong type   -> wrong_type at its path
//   - each bound met exactly (accepted, value stored) and exceeded by one (rejected, or cut for text)
//   - each enum: an alias in another case, and an unknown value (kept as other, or rejected)
//   - an undeclared field                          -> accepted, dropped and named
// The expectation follows from the declared rule, not from running the core.
//   node tests/vectors/derive.mjs           rewrite derived.json
//   node tests/vectors/derive.mjs --check   fail if derived.json is not what the catalogue implies
import { readFileSync } from 'node:fs';
import { loadCatalogue } from '../../cli/catalogue.mjs';
import { writeOrCheck } from './generated.mjs';

const root = new URL('../../', import.meta.url).pathname;
const referenceFile = `${root}tests/vectors/catalogue/reference.json`;
const derivedFile = `${root}tests/vectors/catalogue/derived.json`;

const clone = (value) => JSON.parse(JSON.stringify(value));
const accepted = (notes = {}) => [{ index: 0, status: 'accepted', ...notes }];
const rejected = (code, path) => [{ index: 0, status: 'rejected', code, path }];

// The key a body uses for a field: whichever of its input names is present, else its name.
function inputKey(object, field) {
  return [field.name, ...field.aliases].find((k) => object && Object.hasOwn(object, k)) ?? field.name;
}

// orderProperties() rebuilds a properties object in declared order, as the core writes it.
function orderProperties(fields, props, topLevel) {
  const out = {};
  for (const f of fields) {
    const feedsProperties = !topLevel || !f.column;
    if (feedsProperties && Object.hasOwn(props, f.name)) {
      out[f.name] = f.kind === 'object' ? orderProperties(f.fields, props[f.name], false) : props[f.name];
    }
    if (f.full_property && Object.hasOwn(props, f.full_property)) out[f.full_property] = props[f.full_property];
  }
  return out;
}

// walk() visits every field with its chain of ancestors (top-level first).
function walk(fields, visit, chain = []) {
  for (const f of fields) {
    visit(f, chain);
    if (f.kind === 'object') walk(f.fields, visit, [...chain, f]);
  }
}

function derive(product, event, reference) {
  const cases = [];
  const prefix = `${product.product}-${event.name}`;
  const path = (f, chain) => [...chain, f].map((x) => x.name).join('.');

  // bodyParent() finds (creating) the object of the body that holds a field.
  const bodyParent = (body, chain) => {
    let object = body;
    for (const ancestor of chain) {
      const key = inputKey(object, ancestor);
      object[key] ??= {};
      object = object[key];
    }
    return object;
  };
  // setStored() puts a field's stored value where the row keeps it.
  const setStored = (row, f, chain, value) => {
    if (chain.length === 0 && f.column) {
      row[f.column] = value;
      return;
    }
    let object = row.properties;
    for (const ancestor of chain) {
      object[ancestor.name] ??= {};
      object = object[ancestor.name];
    }
    object[f.name] = value;
    row.properties = orderProperties(event.fields, row.properties, true);
  };

  const add = (id, comment, mutate, expect) => {
    const body = clone(reference.body);
    mutate(body);
    cases.push({ id: `${prefix}-${id}`, comment, product: product.product, event: event.name, body, expect });
  };
  const acceptWith = (f, chain, value, notes) => {
    const row = clone(reference.expect.rows[0]);
    delete row.event_id; // only the reference pins the id
    setStored(row, f, chain, value);
    return { outcome: 'ok', results: accepted(notes), rows: [row] };
  };
  const reject = (code, where) => ({ outcome: 'all_rejected', results: rejected(code, where), rows: [] });
  const setInput = (f, chain, value) => (body) => {
    const parent = bodyParent(body, chain);
    parent[inputKey(parent, f)] = value;
  };

  walk(event.fields, (f, chain) => {
    const where = path(f, chain);
    if (f.required) {
      add(`missing-${where}`, `${where} is required`, (body) => {
        const parent = bodyParent(body, chain);
        delete parent[inputKey(parent, f)];
      }, reject('missing_field', where));
    }

    const wrong = {
      bool: 'yes', integer: '12', number: '12', timestamp: true, list: 'not a list', map: 7, object: 'not an object',
    }[f.kind] ?? 12345;
    add(`wrong-type-${where}`, `${where} (${f.kind}) given ${JSON.stringify(wrong)}`, setInput(f, chain, wrong),
      reject('wrong_type', where));

    if (f.kind === 'string' || f.kind === 'text') {
      const atLimit = 'a'.repeat(f.max_length);
      add(`${where}-at-max-length`, `${where} of exactly ${f.max_length} bytes is stored whole`,
        setInput(f, chain, atLimit), acceptWith(f, chain, atLimit));
      add(`${where}-over-max-length`, f.kind === 'text'
        ? `${where}: free text over ${f.max_length} bytes is cut, not refused`
        : `${where} over ${f.max_length} bytes is refused`,
      setInput(f, chain, `${atLimit}a`),
      f.kind === 'text' || f.truncate ? acceptWith(f, chain, atLimit) : reject('too_long', where));
    }
    if (f.kind === 'integer' || f.kind === 'number') {
      const step = f.kind === 'integer' ? 1 : Math.max(1, Math.abs(f.max) * 1e-6);
      for (const [label, value] of [['min', f.min], ['max', f.max]]) {
        add(`${where}-at-${label}`, `${where} = ${label} ${value} is accepted`, setInput(f, chain, value), acceptWith(f, chain, value));
      }
      add(`${where}-below-min`, `${where} below its min is refused`, setInput(f, chain, f.min - step), reject('out_of_range', where));
      add(`${where}-above-max`, `${where} above its max is refused`, setInput(f, chain, f.max + step), reject('out_of_range', where));
    }
    if (f.kind === 'list' || f.kind === 'map') {
      const item = f.item_kind === 'enum' ? f.enum.values[0] : f.item_kind === 'string' ? 'x' : f.min;
      const full = f.kind === 'list'
        ? Array(f.max_items).fill(item)
        : Object.fromEntries(Array.from({ length: f.max_items }, (_, i) => [`k${i}`, item]));
      const over = f.kind === 'list' ? [...full, item] : { ...full, [`k${f.max_items}`]: item };
      add(`${where}-at-max-items`, `${where} with exactly ${f.max_items} items is accepted`, setInput(f, chain, full),
        acceptWith(f, chain, full));
      add(`${where}-over-max-items`, `${where} with ${f.max_items + 1} items is refused`, setInput(f, chain, over),
        reject('too_many_items', where));
      // An item that is itself an array or object is named by its index or key, like a wrong scalar.
      const nested = f.kind === 'list' ? [item, { nested: true }] : { k0: item, k1: [item] };
      add(`${where}-nested-item`, `${where} holding a container as an item is refused at that item`, setInput(f, chain, nested),
        reject('wrong_type', f.kind === 'list' ? `${where}[1]` : `${where}.k1`));
    }
    if (f.kind === 'enum') {
      const [alias, index] = f.enum.aliases[0] ?? [];
      if (alias !== undefined) {
        add(`${where}-alias`, `${where}: the alias "${alias.toUpperCase()}" (any case) is stored as ${f.enum.values[index]}`,
          setInput(f, chain, alias.toUpperCase()), acceptWith(f, chain, f.enum.values[index]));
      }
      add(`${where}-unknown-value`, `${where}: a value it does not declare is ${f.enum.unknown === 'other' ? 'kept as other' : 'refused'}`,
        setInput(f, chain, 'zz-undeclared-value'),
        f.enum.unknown === 'other' ? acceptWith(f, chain, 'other', { unknown_values: [where] }) : reject('invalid_enum', where));
    }
  });

  add('undeclared-field-dropped', 'an undeclared field is dropped, named in the verdict, never stored',
    (body) => { body.zz_undeclared = { nested: [1, 'secret'] }; },
    (() => {
      const row = clone(reference.expect.rows[0]);
      delete row.event_id;
      return { outcome: 'ok', results: accepted({ dropped: ['zz_undeclared'] }), rows: [row] };
    })());
  return cases;
}

export function deriveAll() {
  const { products, problems } = loadCatalogue(`${root}catalogue`);
  if (problems.length) throw new Error(`the catalogue has problems:\n${problems.join('\n')}`);
  const reference = JSON.parse(readFileSync(referenceFile, 'utf8'));
  const cases = [];
  for (const product of products) {
    for (const event of product.events) {
      const id = `${product.product}-${event.name}-reference`;
      const ref = reference.cases.find((c) => c.id === id);
      if (!ref) throw new Error(`reference.json has no case ${id}: every event needs its reference payload`);
      cases.push(...derive(product, event, ref));
    }
  }
  return {
    description: 'Derived by tests/vectors/derive.mjs from the catalogue and reference.json: do not edit, rerun it.',
    case_count: cases.length,
    defaults: reference.defaults,
    cases,
  };
}

if (process.argv[1] === new URL(import.meta.url).pathname) {
  const text = `${JSON.stringify(deriveAll(), null, 1)}\n`;
  writeOrCheck(derivedFile, text, { generator: process.argv[1], count: JSON.parse(text).case_count });
}
