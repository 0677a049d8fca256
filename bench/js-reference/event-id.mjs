// event-id.mjs: an event's dedup key, byte for byte what the core computes (wasm/src/event_id.cpp):
// MurmurHash3_x64_128, seed 0, over the event's product, event name and dedup values, each
// followed by its length as 8 little-endian bytes, written as 32 lower-case hex digits.
//
// JavaScript has no 64-bit integers but BigInt, which allocates on every operation (six times
// slower here). Each 64-bit word is two uint32 halves instead, held in locals: hashing allocates
// nothing.

const C1_HI = 0x87c37b91;
const C1_LO = 0x114253d5;
const C2_HI = 0x4cf5ad43;
const C2_LO = 0x2745937f;
const FMIX1_HI = 0xff51afd7;
const FMIX1_LO = 0xed558ccd;
const FMIX2_HI = 0xc4ceb9fe;
const FMIX2_LO = 0x1a85ec53;

// 64-bit operations on uint32 halves, each helper returning one half: small pure functions
// that the optimizer inlines, so every value stays a local in a register, never boxed.
function mulHi(aHi, aLo, bHi, bLo) {
  // The high half of aLo * bLo from 16-bit pieces (each partial product exact in a double),
  // plus the cross terms' low halves.
  const a0 = aLo & 0xffff;
  const a1 = aLo >>> 16;
  const b0 = bLo & 0xffff;
  const b1 = bLo >>> 16;
  const p00 = a0 * b0;
  const p01 = a0 * b1;
  const p10 = a1 * b0;
  const middle = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  return (a1 * b1 + (p01 >>> 16) + (p10 >>> 16) + (middle >>> 16) + Math.imul(aHi, bLo) + Math.imul(aLo, bHi)) >>> 0;
}
const mulLo = (aLo, bLo) => Math.imul(aLo, bLo) >>> 0;
const addHi = (aHi, aLo, bHi, bLo) => (aHi + bHi + (aLo + bLo > 0xffffffff ? 1 : 0)) >>> 0;
const addLo = (aLo, bLo) => (aLo + bLo) >>> 0;
// Rotations by 0 < r < 32; a rotation by 32 + r swaps the halves first.
const rotlHi = (hi, lo, r) => ((hi << r) | (lo >>> (32 - r))) >>> 0;
const rotlLo = (hi, lo, r) => ((lo << r) | (hi >>> (32 - r))) >>> 0;

// murmurHash3() is MurmurHash3_x64_128 with seed 0 of the first `length` bytes, as hex: h1 then
// h2. Each 16-byte block is k1 and k2, little-endian. The loop's last round takes the 1 to 15
// bytes after the blocks, if any: a shorter k1 and k2, mixed in without the blocks' h steps.
function murmurHash3(words, length) {
  let h1Hi = 0;
  let h1Lo = 0;
  let h2Hi = 0;
  let h2Lo = 0;
  let hi = 0;
  let lo = 0;
  const blocksEnd = length - (length & 15);
  for (let at = 0; at <= blocksEnd; at += 16) {
    const rest = at < blocksEnd ? 16 : length & 15;
    if (rest === 0) break;
    let k1Lo = 0;
    let k1Hi = 0;
    let k2Lo = 0;
    let k2Hi = 0;
    if (rest === 16) {
      k1Lo = words.getUint32(at, true);
      k1Hi = words.getUint32(at + 4, true);
      k2Lo = words.getUint32(at + 8, true);
      k2Hi = words.getUint32(at + 12, true);
    } else {
      for (let i = rest - 1; i >= 0; i--) {
        const byte = words.getUint8(at + i);
        if (i >= 12) k2Hi = ((k2Hi << 8) | byte) >>> 0;
        else if (i >= 8) k2Lo = ((k2Lo << 8) | byte) >>> 0;
        else if (i >= 4) k1Hi = ((k1Hi << 8) | byte) >>> 0;
        else k1Lo = ((k1Lo << 8) | byte) >>> 0;
      }
    }
    // k1 *= c1; k1 = rotl(k1, 31); k1 *= c2; h1 ^= k1
    hi = mulHi(k1Hi, k1Lo, C1_HI, C1_LO);
    lo = mulLo(k1Lo, C1_LO);
    k1Hi = rotlHi(hi, lo, 31);
    k1Lo = rotlLo(hi, lo, 31);
    h1Hi = (h1Hi ^ mulHi(k1Hi, k1Lo, C2_HI, C2_LO)) >>> 0;
    h1Lo = (h1Lo ^ mulLo(k1Lo, C2_LO)) >>> 0;
    if (rest === 16) {
      // h1 = rotl(h1, 27); h1 += h2; h1 = h1 * 5 + 0x52dce729
      hi = rotlHi(h1Hi, h1Lo, 27);
      lo = rotlLo(h1Hi, h1Lo, 27);
      h1Hi = addHi(hi, lo, h2Hi, h2Lo);
      h1Lo = addLo(lo, h2Lo);
      hi = mulHi(h1Hi, h1Lo, 0, 5);
      lo = mulLo(h1Lo, 5);
      h1Hi = addHi(hi, lo, 0, 0x52dce729);
      h1Lo = addLo(lo, 0x52dce729);
    }
    if (rest > 8) {
      // k2 *= c2; k2 = rotl(k2, 33); k2 *= c1; h2 ^= k2
      hi = mulHi(k2Hi, k2Lo, C2_HI, C2_LO);
      lo = mulLo(k2Lo, C2_LO);
      k2Hi = rotlHi(lo, hi, 1);
      k2Lo = rotlLo(lo, hi, 1);
      h2Hi = (h2Hi ^ mulHi(k2Hi, k2Lo, C1_HI, C1_LO)) >>> 0;
      h2Lo = (h2Lo ^ mulLo(k2Lo, C1_LO)) >>> 0;
    }
    if (rest === 16) {
      // h2 = rotl(h2, 31); h2 += h1; h2 = h2 * 5 + 0x38495ab5
      hi = rotlHi(h2Hi, h2Lo, 31);
      lo = rotlLo(h2Hi, h2Lo, 31);
      h2Hi = addHi(hi, lo, h1Hi, h1Lo);
      h2Lo = addLo(lo, h1Lo);
      hi = mulHi(h2Hi, h2Lo, 0, 5);
      lo = mulLo(h2Lo, 5);
      h2Hi = addHi(hi, lo, 0, 0x38495ab5);
      h2Lo = addLo(lo, 0x38495ab5);
    }
  }
  // h1 ^= length; h2 ^= length; h1 += h2; h2 += h1
  h1Lo = (h1Lo ^ length) >>> 0;
  h2Lo = (h2Lo ^ length) >>> 0;
  hi = addHi(h1Hi, h1Lo, h2Hi, h2Lo);
  h1Lo = addLo(h1Lo, h2Lo);
  h1Hi = hi;
  hi = addHi(h2Hi, h2Lo, h1Hi, h1Lo);
  h2Lo = addLo(h2Lo, h1Lo);
  h2Hi = hi;
  // fmix64 of both: k ^= k >> 33; k *= FMIX1; k ^= k >> 33; k *= FMIX2; k ^= k >> 33
  lo = (h1Lo ^ (h1Hi >>> 1)) >>> 0;
  hi = mulHi(h1Hi, lo, FMIX1_HI, FMIX1_LO);
  lo = mulLo(lo, FMIX1_LO);
  lo = (lo ^ (hi >>> 1)) >>> 0;
  h1Hi = mulHi(hi, lo, FMIX2_HI, FMIX2_LO);
  h1Lo = (mulLo(lo, FMIX2_LO) ^ (h1Hi >>> 1)) >>> 0;
  lo = (h2Lo ^ (h2Hi >>> 1)) >>> 0;
  hi = mulHi(h2Hi, lo, FMIX1_HI, FMIX1_LO);
  lo = mulLo(lo, FMIX1_LO);
  lo = (lo ^ (hi >>> 1)) >>> 0;
  h2Hi = mulHi(hi, lo, FMIX2_HI, FMIX2_LO);
  h2Lo = (mulLo(lo, FMIX2_LO) ^ (h2Hi >>> 1)) >>> 0;
  // h1 += h2; h2 += h1
  hi = addHi(h1Hi, h1Lo, h2Hi, h2Lo);
  h1Lo = addLo(h1Lo, h2Lo);
  h1Hi = hi;
  hi = addHi(h2Hi, h2Lo, h1Hi, h1Lo);
  h2Lo = addLo(h2Lo, h1Lo);
  return hex8(h1Hi) + hex8(h1Lo) + hex8(hi) + hex8(h2Lo);
}

// Two hex digits per byte, looked up: toString(16) and padStart cost more than the hash.
const BYTE_HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));
const hex8 = (half) => BYTE_HEX[half >>> 24] + BYTE_HEX[(half >>> 16) & 0xff] + BYTE_HEX[(half >>> 8) & 0xff] + BYTE_HEX[half & 0xff];

// Strings that JSON.stringify() writes as '"' + text + '"'.
const NEEDS_ESCAPE = /["\\\x00-\x1f\ud800-\udfff]/;

export class EventIdHasher {
  constructor() {
    this.bytes = new Uint8Array(256);
    this.words = new DataView(this.bytes.buffer);
    this.length = 0;
  }

  // start() begins a new id from a prefix() saved earlier.
  start(prefix) {
    this.reserve(prefix.length);
    this.bytes.set(prefix);
    this.length = prefix.length;
  }

  // prefix() is a copy of what was added so far: product and event open every id of an event.
  prefix() {
    return this.bytes.slice(0, this.length);
  }

  reserve(extra) {
    if (this.length + extra <= this.bytes.length) return;
    const grown = new Uint8Array(Math.max(2 * this.bytes.length, this.length + extra));
    grown.set(this.bytes.subarray(0, this.length));
    this.bytes = grown;
    this.words = new DataView(grown.buffer);
  }

  // addUint() adds a non-negative integer below 2^53 as 8 little-endian bytes.
  addUint(value) {
    this.addUint32Pair(value >>> 0, Math.floor(value / 0x100000000));
  }

  addUint32Pair(low, high) {
    this.reserve(8);
    this.words.setUint32(this.length, low, true);
    this.words.setUint32(this.length + 4, high, true);
    this.length += 8;
  }

  // addText() adds a string's UTF-8 bytes, then their count, which keeps ("ab", "c") and
  // ("a", "bc") apart.
  addText(text) {
    this.addUint(this.addUtf8(text));
  }

  // addJson() adds a value as the JSON text the core hashes, without building that text when
  // the value is a string that needs no escapes (a UUID, a version, a name).
  addJson(value) {
    if (typeof value !== 'string') return this.addText(String(value));
    if (NEEDS_ESCAPE.test(value)) return this.addText(JSON.stringify(value));
    this.reserve(1);
    this.bytes[this.length++] = 0x22;
    const length = this.addUtf8(value);
    this.reserve(1);
    this.bytes[this.length++] = 0x22;
    this.addUint(length + 2);
  }

  // addUtf8() adds a string's UTF-8 bytes and says how many there were.
  addUtf8(text) {
    this.reserve(3 * text.length); // at most 3 bytes per UTF-16 unit
    const { bytes } = this;
    const start = this.length;
    let at = start;
    for (let i = 0; i < text.length; i++) {
      let code = text.charCodeAt(i);
      if (code < 0x80) {
        bytes[at++] = code;
        continue;
      }
      if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) code = text.codePointAt(i++);
      if (code < 0x800) {
        bytes[at++] = 0xc0 | (code >> 6);
      } else if (code < 0x10000) {
        bytes[at++] = 0xe0 | (code >> 12);
        bytes[at++] = 0x80 | ((code >> 6) & 0x3f);
      } else {
        bytes[at++] = 0xf0 | (code >> 18);
        bytes[at++] = 0x80 | ((code >> 12) & 0x3f);
        bytes[at++] = 0x80 | ((code >> 6) & 0x3f);
      }
      bytes[at++] = 0x80 | (code & 0x3f);
    }
    this.length = at;
    return at - start;
  }

  // hex() is the id of what was added.
  hex() {
    return murmurHash3(this.words, this.length);
  }
}
