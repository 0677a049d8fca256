// schema.mjs: the JSON Schema of one catalogue event, for ajv.
//
// The schema checks what JSON Schema states well: JSON types, bounds, list and map sizes, map
// keys, required keys. Everything that rewrites a value (aliases, enums, versions, times, text)
// is left to read-event.mjs. Input keys are the field names and their aliases, since the schema
// sees the event as the SDK sent it.

// Null is allowed everywhere: the core stores a null value as absent, and a required field that
// is null is then missing, which normalization reports.
const nullable = (type) => ({ type: [...[type].flat(), 'null'] });

function valueSchema(field) {
  switch (field.kind) {
    case 'string':
      // The core counts UTF-8 bytes after trimming; maxLength counts UTF-16 units before it
      // (build.mjs), never more than the bytes, so it refuses only what the core refuses too,
      // but for padding. read-event.mjs checks the bytes.
      return field.on_too_long === 'truncate' ? nullable('string') : { ...nullable('string'), maxLength: field.max_length };
    case 'text':
    case 'enum':
    case 'uuid':
    case 'version':
    case 'model':
      return nullable('string');
    case 'bool':
      return nullable('boolean');
    case 'integer':
    case 'number':
      return { ...nullable(field.kind), minimum: field.min, maximum: field.max };
    case 'timestamp':
      return nullable(['number', 'string']);
    case 'list':
      return { ...nullable('array'), maxItems: field.max_items, items: valueSchema(field.items) };
    case 'map':
      return {
        ...nullable('object'),
        maxProperties: field.max_keys,
        propertyNames: { pattern: field.key_pattern },
        additionalProperties: valueSchema(field.values),
      };
    case 'object':
      return { ...nullable('object'), ...objectSchema(field.fields) };
    default:
      throw new Error(`field ${field.name}: no schema for kind "${field.kind}"`);
  }
}

// A required field with aliases is present under any of its names; the canonical name comes
// first, so ajv's first error names it.
function requiredSchema(field) {
  const names = [field.name, ...(field.aliases ?? [])];
  return names.length === 1 ? { required: names } : { anyOf: names.map((name) => ({ required: [name] })) };
}

// ajv checks allOf before properties; nesting both in allOf, values first, reports a bad value
// before a missing field, as the core does (it checks required fields when the object closes).
function objectSchema(fields) {
  const properties = {};
  for (const field of fields) {
    const schema = valueSchema(field);
    for (const name of [field.name, ...(field.aliases ?? [])]) properties[name] = schema;
  }
  const required = fields.filter((field) => field.required).map(requiredSchema);
  return { allOf: [{ properties }, ...required] };
}

// eventSchema() is one event's schema; its $id, "product/event", names its validator.
export function eventSchema(product, event) {
  return { $id: `${product.product}/${event.name}`, type: 'object', ...objectSchema(event.fields) };
}
