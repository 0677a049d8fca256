// parts.mjs: the JavaScript side of the vector format's body forms (see tests/vectors/README.md).

// bodyFromParts() builds a body from [text, count] pairs; "{i}" in a text counts the repetitions.
export function bodyFromParts(parts) {
  const out = [];
  for (const [text, count] of parts) {
    for (let i = 0; i < count; i++) out.push(text.includes('{i}') ? text.replace('{i}', String(i)) : text);
  }
  return Buffer.from(out.join(''));
}

// bodyOf() is the exact bytes of a vector case's request body.
export function bodyOf(c) {
  if (c.body !== undefined) return Buffer.from(JSON.stringify(c.body));
  if (c.body_text !== undefined) return Buffer.from(c.body_text);
  if (c.body_hex !== undefined) return Buffer.from(c.body_hex, 'hex');
  if (c.body_parts !== undefined) return bodyFromParts(c.body_parts);
  throw new Error(`case ${c.id} has no body`);
}
