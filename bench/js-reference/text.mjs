// text.mjs: string helpers that count and cut in UTF-8 bytes, the unit the core's bounds use.

// utf8Length() is the UTF-8 size of a string, without encoding it.
export function utf8Length(text) {
  let bytes = text.length;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) continue;
    if (unit < 0x800) {
      bytes += 1;
    } else if (unit >= 0xd800 && unit <= 0xdbff) {
      bytes += 2; // a surrogate pair: two units, four bytes
      i++;
    } else {
      bytes += 2;
    }
  }
  return bytes;
}

// utf8Prefix() is the longest prefix of at most maxBytes UTF-8 bytes that ends on a character
// boundary.
export function utf8Prefix(text, maxBytes) {
  if (text.length * 3 <= maxBytes) return text; // no character is longer than 3 bytes per unit
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    const pair = unit >= 0xd800 && unit <= 0xdbff;
    bytes += unit < 0x80 ? 1 : unit < 0x800 ? 2 : pair ? 4 : 3;
    if (bytes > maxBytes) return text.slice(0, i);
    if (pair) i++;
  }
  return text;
}

// The core's whitespace: ASCII only, so a no-break space is text, not padding.
const isSpace = (unit) => unit === 0x20 || (unit >= 0x09 && unit <= 0x0d);

export function trimAscii(text) {
  let start = 0;
  let end = text.length;
  while (start < end && isSpace(text.charCodeAt(start))) start++;
  while (end > start && isSpace(text.charCodeAt(end - 1))) end--;
  return start === 0 && end === text.length ? text : text.slice(start, end);
}

// C0 controls, DEL and C1 controls; free text keeps tabs and line breaks (but not \r).
const CONTROLS = /[\x00-\x1f\x7f-\x9f]/g;
const CONTROLS_BUT_BREAKS = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/g;

// cleanText() trims, then removes control characters, in the core's order: a control character
// just inside the padding leaves the padding's inner part in place.
export function cleanText(text, keepBreaks) {
  return trimAscii(text).replace(keepBreaks ? CONTROLS_BUT_BREAKS : CONTROLS, '');
}
