// plan.mjs: the catalogue compiled once into what the ingest path looks up per event: fields by
// input name, enum spellings, value slots, column sources and the event id's constant prefix.
import { EventIdHasher } from './event-id.mjs';

// The row's columns that a field feeds or the product fixes.
const ROW_COLUMNS = ['install_id', 'session_id', 'version', 'os', 'arch', 'runtime', 'runtime_version'];

// enumTable() maps each accepted spelling, lower-cased, to its canonical value; values win over
// aliases that spell the same.
function enumTable(spec) {
  const table = new Map();
  for (const [alias, value] of Object.entries(spec.value_aliases ?? {})) table.set(alias.toLowerCase(), value);
  for (const value of spec.values) table.set(value.toLowerCase(), value);
  return table;
}

// The catalogue allows only ^[class]{min,max}$ with an ASCII class, so a regular expression
// counting UTF-16 units counts bytes as the core does.
const stringPattern = (source) => (source === undefined ? null : new RegExp(source));

// Every plan has every property, so the ingest path sees one object shape.
function fieldPlan(field, parentPath, nextSlot) {
  const items = field.kind === 'list' ? field.items : field.kind === 'map' ? field.values : null;
  const enumSpec = field.kind === 'enum' ? field : items?.kind === 'enum' ? items : null;
  const path = parentPath === '' ? field.name : `${parentPath}.${field.name}`;
  return {
    name: field.name,
    inputNames: [field.name, ...(field.aliases ?? [])],
    path,
    kind: field.kind,
    itemKind: items?.kind ?? null,
    required: field.required === true,
    column: field.column ?? null,
    slot: nextSlot(),
    fullProperty: field.full_property ?? null,
    fullSlot: field.full_property ? nextSlot() : -1,
    maxLength: field.max_length ?? items?.max_length ?? 0,
    truncate: field.on_too_long === 'truncate',
    // A string's or a list item's pattern, ^[class]{min,max}$ (a map's keys are the schema's).
    pattern: stringPattern(field.kind === 'string' ? field.pattern : items?.kind === 'string' ? items.pattern : undefined),
    min: field.min ?? items?.min ?? 0,
    max: field.max ?? items?.max ?? 0,
    enumTable: enumSpec === null ? null : enumTable(enumSpec),
    enumValues: enumSpec?.values ?? null,
    unknownAsOther: enumSpec?.unknown === 'other',
    precision: field.precision ?? 0,
    allowedOwners: field.allowed_owners ? new Set(field.allowed_owners.map((owner) => owner.toLowerCase())) : null,
    object: field.kind === 'object' ? objectPlan(field.fields, path) : null,
  };
}

// objectPlan() describes one JSON object of the event: the top level or a nested object field.
function objectPlan(fields, path) {
  let slots = 0;
  const plans = fields.map((field) => fieldPlan(field, path, () => slots++));
  const byInputName = new Map();
  for (const plan of plans) for (const name of plan.inputNames) byInputName.set(name, plan);
  return { path, fields: plans, byInputName, required: plans.filter((plan) => plan.required), slotCount: slots };
}

function eventPlan(product, event, validate) {
  const object = objectPlan(event.fields, '');
  const slotOf = (name) => object.fields.find((field) => field.name === name).slot;
  const fixed = event.fixed_columns ?? {};
  // Product and event open every id: hash them once.
  const hasher = new EventIdHasher();
  hasher.addText(product.product);
  hasher.addText(event.name);
  return {
    product: product.product,
    event: event.name,
    validate,
    object,
    columns: Object.fromEntries(ROW_COLUMNS.map((column) => [column, {
      slot: object.fields.find((field) => field.column === column)?.slot ?? -1,
      fixed: fixed[column] ?? null,
    }])),
    dedupSlots: event.dedup === 'none' ? null : event.dedup.fields.map(slotOf),
    perDay: event.dedup !== 'none' && event.dedup.per_day === true,
    idPrefix: hasher.prefix(),
  };
}

// compilePlans() returns the plans by "product/event", and the set of product names.
export function compilePlans(catalogue, validators) {
  const plans = new Map();
  const products = new Set();
  for (const product of catalogue.products) {
    products.add(product.product);
    for (const event of product.events) {
      const key = `${product.product}/${event.name}`;
      const validate = validators[key];
      if (typeof validate !== 'function') throw new Error(`no validator for ${key}: run bench/js-reference/build.mjs`);
      plans.set(key, eventPlan(product, event, validate));
    }
  }
  return { plans, products };
}
