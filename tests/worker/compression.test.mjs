// compression.test.mjs: compressed bodies through the real worker: concatenated gzip members
// (RFC 1952: `cat a.gz b.gz` is one gzip file) are one body; the size limit holds across all of
// them; trailing bytes that are not a member are refused; and a bomb is stopped at the limit.
import assert from 'node:assert/strict';
import { constants, crc32, deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { after, before, beforeEach, describe, test } from 'node:test';
import { SESSION, startWorker } from './harness.mjs';

const MIB = 1024 * 1024;
const GZIP = { 'content-type': 'application/json', 'content-encoding': 'gzip' };

function session(i) {
  return { ...SESSION, session_id: `a1b2c3d4-e5f6-4a7b-8c9d-${i.toString(16).padStart(12, '0')}` };
}

// pieces() cuts text into n byte runs, wherever they fall (inside a token, a string, a number).
function pieces(text, n) {
  const bytes = Buffer.from(text);
  const step = Math.ceil(bytes.length / n);
  return Array.from({ length: n }, (_, i) => bytes.subarray(i * step, (i + 1) * step));
}

// members() gzips each piece on its own and concatenates the members, as `cat a.gz b.gz` does.
const members = (...parts) => Buffer.concat(parts.map((p) => gzipSync(p)));

const u16 = (n) => Buffer.from([n & 0xff, n >> 8]);
const u32 = (n) => { const b = Buffer.alloc(4); b.writeUInt32LE(n >>> 0); return b; };

// member() builds one gzip member by hand, with the optional header fields gzip(1) and Python
// write (FEXTRA, FNAME, FCOMMENT).
function member(data, { extra, name, comment } = {}) {
  const flags = (extra ? 4 : 0) | (name ? 8 : 0) | (comment ? 16 : 0);
  const parts = [Buffer.from([0x1f, 0x8b, 8, flags, 0, 0, 0, 0, 0, 3])];
  if (extra) parts.push(u16(extra.length), extra);
  if (name) parts.push(name, Buffer.from([0]));
  if (comment) parts.push(comment, Buffer.from([0]));
  parts.push(deflateRawSync(data), u32(crc32(data)), u32(data.length));
  return Buffer.concat(parts);
}

// bomb() is one gzip member that inflates to `mib` MiB of spaces, built in milliseconds: after the
// first MiB, every MiB compresses to the same bytes (its window is all spaces), so they are
// repeated. Its trailer is zeros: the worker must stop long before it would check it.
function bomb(mib) {
  const spaces = Buffer.alloc(MIB, 0x20);
  const sync = { finishFlush: constants.Z_SYNC_FLUSH, level: 9 };
  const first = deflateRawSync(spaces, sync);
  const next = deflateRawSync(spaces, { ...sync, dictionary: Buffer.alloc(32 * 1024, 0x20) });
  return Buffer.concat([Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]), first, ...Array(mib - 1).fill(next),
    deflateRawSync(Buffer.alloc(0)), Buffer.alloc(8)]);
}

describe('gzip members and compressed limits', () => {
  let worker;
  before(async () => { worker = await startWorker(); });
  after(async () => { await worker?.close(); });
  beforeEach(async () => { await worker.clear(); });

  async function send(body, headers = GZIP) {
    const response = await worker.post('/v1/agentsonar/session', body, headers);
    return { status: response.status, answer: await response.json() };
  }

  async function refused(body, status, code) {
    const { status: got, answer } = await send(body);
    assert.equal(got, status, JSON.stringify(answer));
    assert.equal(answer.error.code, code);
    assert.equal((await worker.rows()).length, 0, 'nothing stored');
  }

  test('two members, the JSON cut between them mid-token, are one body', async () => {
    const text = JSON.stringify([session(1), session(2)]);
    const { status, answer } = await send(members(...pieces(text, 2)));
    assert.equal(status, 200, JSON.stringify(answer));
    assert.deepEqual(answer.results.map((r) => r.status), ['accepted', 'accepted']);
    assert.equal((await worker.rows()).length, 2);
  });

  test('three members', async () => {
    const text = JSON.stringify([session(3), session(4), session(5)]);
    const { status, answer } = await send(members(...pieces(text, 3)));
    assert.equal(status, 200, JSON.stringify(answer));
    assert.equal(answer.results.length, 3);
    assert.equal((await worker.rows()).length, 3);
  });

  test('empty members first, in the middle and last are nothing', async () => {
    const [a, b] = pieces(JSON.stringify(session(6)), 2);
    const { status } = await send(members('', a, '', '', b, ''));
    assert.equal(status, 200);
    assert.equal((await worker.rows()).length, 1);
  });

  test('a body of empty members only is an empty body', async () => {
    await refused(members('', ''), 400, 'malformed_json');
  });

  test('members whose headers carry a name, a comment and extra fields, holding gzip magic bytes', async () => {
    // 1f 8b 08 inside a header is a place where a member could start but does not.
    const magic = Buffer.from([0x41, 0x1f, 0x8b, 0x08, 0x42]);
    const [a, b, c] = pieces(JSON.stringify([session(7), session(8)]), 3);
    const body = Buffer.concat([
      member(a, { name: Buffer.from('events.json') }),
      member(b, { extra: Buffer.concat([Buffer.from('AB'), u16(magic.length), magic]), name: magic, comment: magic }),
      member(c, { comment: Buffer.from('last') }),
    ]);
    const { status, answer } = await send(body);
    assert.equal(status, 200, JSON.stringify(answer));
    assert.equal((await worker.rows()).length, 2);
  });

  test('64 members are accepted; 65 are refused', async () => {
    const events = Array.from({ length: 64 }, (_, i) => session(100 + i));
    const text = JSON.stringify(events);
    const { status, answer } = await send(members(...pieces(text, 64)));
    assert.equal(status, 200, JSON.stringify(answer).slice(0, 300));
    assert.equal((await worker.rows()).length, 64);
    await worker.clear();
    await refused(members(...pieces(text, 65)), 400, 'invalid_compression');
  });

  test('the limit holds across members: exactly the limit is read, one byte more is 413', async () => {
    const event = JSON.stringify([session(9)]);
    const exact = event + ' '.repeat(MIB - event.length);
    const { status } = await send(members(...pieces(exact, 3)));
    assert.equal(status, 200);
    await worker.clear();
    await refused(members(...pieces(`${exact} `, 3)), 413, 'body_too_large');
    // No member is over the limit alone; together they are.
    await refused(members(' '.repeat(MIB / 2), ' '.repeat(MIB / 2), event), 413, 'body_too_large');
  });

  test('a bomb in a later member is stopped at the limit', async () => {
    const body = Buffer.concat([gzipSync(JSON.stringify(session(10))), bomb(64)]);
    await refused(body, 413, 'body_too_large');
  });

  test('a 1,000 MiB bomb costs about the limit, not the gigabyte', async () => {
    const gigabyte = bomb(1000);
    assert.ok(gigabyte.length < 1.1 * MIB, `${gigabyte.length} bytes`);
    const start = performance.now();
    await refused(gigabyte, 413, 'body_too_large');
    // Inflating the whole gigabyte takes seconds; stopping at the limit, milliseconds.
    const ms = performance.now() - start;
    assert.ok(ms < 2000, `answered after ${Math.round(ms)} ms`);
  });

  test('trailing bytes that are not a member are 400 invalid_compression', async () => {
    const good = gzipSync(JSON.stringify(session(11)));
    const trailers = {
      text: Buffer.from('junk'),
      zeros: Buffer.alloc(8),
      'one byte': Buffer.from([0x1f]),
      'the magic alone': Buffer.from([0x1f, 0x8b, 0x08]),
      'a member header alone': gzipSync('x').subarray(0, 10),
      'a member cut short': gzipSync(JSON.stringify(session(12))).subarray(0, 30),
      'a member with a bad checksum': Buffer.concat([gzipSync('{}').subarray(0, -8), Buffer.alloc(8)]),
      'a zlib stream': deflateSync('{}'),
    };
    for (const [name, trailer] of Object.entries(trailers)) {
      const { status, answer } = await send(Buffer.concat([good, trailer]));
      assert.equal(status, 400, name);
      assert.equal(answer.error.code, 'invalid_compression', name);
    }
    assert.equal((await worker.rows()).length, 0, 'nothing stored');
  });

  test('a corrupt first member is refused even when a good one follows', async () => {
    const corrupt = Buffer.from(gzipSync(JSON.stringify(session(13))));
    corrupt[corrupt.length - 5] ^= 0xff; // the length in the trailer
    await refused(Buffer.concat([corrupt, gzipSync(JSON.stringify(session(14)))]), 400, 'invalid_compression');
  });

  test('deflate is one zlib stream: a second is trailing bytes', async () => {
    const [a, b] = pieces(JSON.stringify(session(15)), 2);
    const body = Buffer.concat([deflateSync(a), deflateSync(b)]);
    const { status, answer } = await send(body, { ...GZIP, 'content-encoding': 'deflate' });
    assert.equal(status, 400);
    assert.equal(answer.error.code, 'invalid_compression');
  });

  test('a compressed body larger than the limit and an eighth is 413 before it is decompressed', async () => {
    const large = new Uint8Array(MIB + MIB / 8 + 1);
    await refused(large, 413, 'body_too_large');
    // The same without a Content-Length: cut off while reading. The stream stops at 64 MiB, so a
    // broken limit fails the test instead of hanging it.
    let sent = 0;
    const stream = new ReadableStream({
      pull(controller) {
        if (sent >= 64 * MIB) return controller.close();
        sent += 64 * 1024;
        controller.enqueue(new Uint8Array(64 * 1024));
      },
    });
    let status;
    try {
      status = (await worker.fetch('/v1/agentsonar/session', { method: 'POST', body: stream, duplex: 'half', headers: GZIP })).status;
    } catch {
      // A 413 sent while the client still uploads may reach it as a reset (ordinary HTTP).
      status = 'connection closed';
    }
    assert.ok(status === 413 || status === 'connection closed', `answered ${status}`);
    assert.ok(sent < 32 * MIB, `the client had sent ${sent} bytes when the answer came`);
  });

  test('the worker is healthy afterwards', async () => {
    const { status } = await send(members(JSON.stringify(session(16))));
    assert.equal(status, 200);
  });
});
