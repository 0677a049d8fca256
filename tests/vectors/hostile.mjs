#!/usr/bin/env node
// hostile.mjs: writes tests/vectors/hostile/hostile.json, what a public endpoint will be sent:
// truncations at every byte, nesting 10,000 deep, huge and impossible numbers, broken UTF-8, lone
// surrogates, NUL bytes, megabyte strings, 100,000 keys, wrong top-level types, SQL and HTML,
// __proto__. Each case expects a specific code or a safe accept; the runners add that nothing
// traps (both Wasm builds must give the native bytes, and the fuzzers and ASan run beside them).
//   node tests/vectors/hostile.mjs           rewrite the file
//   node tests/vectors/hostile.mjs --check   fail if the file is not what this script writes
import { readFileSync } from 'node:fs';
import { writeOrCheck } from './generated.mjs';

const root = new URL('../../', import.meta.url).pathname;
const out = `${root}tests/vectors/hostile/hostile.json`;
const reference = JSON.parse(readFileSync(`${root}tests/vectors/catalogue/reference.json`, 'utf8'));
const ref = (id) => reference.cases.find((c) => c.id === id);
const AS = ref('agentsonar-session-reference');
// Langflow's component and version events in the documentation page's PascalCase shape, with no
// common fields: a small body whose row every case below can state in full.
const documented = (event, body, columns, properties) => ({
  body,
  expect: {
    rows: [{
      product: 'langflow', event, install_id: null, session_id: null, version: null, os: null, arch: null, runtime: 'python',
      runtime_version: null, occurred_at: 1795240900000, received_at: 1795240900000, time_source: 'server', ...columns, properties,
    }],
  },
});
const LC = documented('component', { Name: 'OpenAIModel', Seconds: 0.31, Success: false, ErrorMessage: '...' }, {},
  { name: 'OpenAIModel', seconds: 0.31, success: false, error_message: '...' });
const AX = ref('axon-heartbeat-reference');

const cases = [];
const refused = (outcome) => ({ outcome, results: [], rows: [] });
const rejected = (code, path) => ({
  outcome: 'all_rejected', results: [{ index: 0, status: 'rejected', code, ...(path ? { path } : {}) }], rows: [],
});
function rowOf(c, change = (row) => row) {
  const row = structuredClone(c.expect.rows[0]);
  delete row.event_id;
  return change(row);
}
const accepted = (c, change, notes = {}) => ({
  outcome: 'ok', results: [{ index: 0, status: 'accepted', ...notes }], rows: [rowOf(c, change)],
});
function add(id, comment, route, body, expect) {
  const [product, event] = route;
  cases.push({ id: `hostile-${id}`, comment, product, event, ...body, expect });
}
const SESSION_ROUTE = ['agentsonar', 'session'];
const COMPONENT_ROUTE = ['langflow', 'component'];
const text = (t) => ({ body_text: t });
const hex = (h) => ({ body_hex: h });
const parts = (...p) => ({ body_parts: p });
const hexOf = (s) => Buffer.from(s, 'latin1').toString('hex');
const sessionText = JSON.stringify(AS.body);
// The shape a rejected event is counted by, for bodies whose keys are all declared names
// (docs/SCRUBBING.md, "Rejected-event shapes"): keys sorted, each with its JSON type.
const jsonType = (v) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v === 'boolean' ? 'bool' : typeof v);
const shapeOf = (body) => JSON.stringify(Object.fromEntries(Object.keys(body).sort().map((k) => [k, jsonType(body[k])])));

// --- truncated at every byte of a valid event
for (let length = 0; length < sessionText.length; length++) {
  add(`truncated-${String(length).padStart(3, '0')}`, `the session payload cut after ${length} bytes`, SESSION_ROUTE,
    text(sessionText.slice(0, length)), refused('malformed_json'));
}

// --- nesting
add('nesting-10000-arrays', '10,000 nested arrays', SESSION_ROUTE, parts(['[', 10000], [']', 10000]), refused('too_deep'));
add('nesting-10000-objects', '10,000 nested objects', SESSION_ROUTE, parts(['{"a":', 10000], ['1', 1], ['}', 10000]), refused('too_deep'));
add('nesting-in-field', '10,000 arrays inside a field', SESSION_ROUTE, parts(['{"install_id":', 1], ['[', 10000], [']', 10000], ['}', 1]), refused('too_deep'));
add('nesting-10000-unclosed', '10,000 opened arrays, never closed', SESSION_ROUTE, parts(['[', 10000]), refused('too_deep'));
const nested = (depth) => `${sessionText.slice(0, -1)},"deep":${'['.repeat(depth)}${']'.repeat(depth)}}`;
add('nesting-at-limit', 'an undeclared field nested to exactly the limit (32 with the event) is dropped', SESSION_ROUTE,
  text(nested(31)), accepted(AS, undefined, { dropped: ['deep'] }));
add('nesting-over-limit', 'one level more is refused', SESSION_ROUTE, text(nested(32)), refused('too_deep'));

// --- numbers
const withField = (c, key, raw) => text(`${JSON.stringify(c.body).slice(0, -1)},${JSON.stringify(key)}:${raw}}`);
const replaceField = (c, key, raw) => {
  const body = { ...c.body };
  delete body[key];
  return withField({ body }, key, raw);
};
add('number-1e999', '1e999 cannot be represented', SESSION_ROUTE, replaceField(AS, 'timestamp', '1e999'), refused('number_overflow'));
add('number-minus-1e999', '-1e999 either', SESSION_ROUTE, replaceField(AS, 'timestamp', '-1e999'), refused('number_overflow'));
add('number-1000-digits', 'a thousand-digit integer', SESSION_ROUTE, replaceField(AS, 'timestamp', '9'.repeat(1000)), refused('number_overflow'));
add('number-2-pow-64-integer-field', '2^64 in an integer field is out of its range', ['langflow', 'shutdown'],
  text('{"TimeRunning":18446744073709551616}'), rejected('out_of_range', 'time_running'));
add('number-2-pow-63-integer-field', '2^63 in an integer field', ['langflow', 'shutdown'],
  text('{"TimeRunning":9223372036854775808}'), rejected('out_of_range', 'time_running'));
add('number-min-int64', '-2^63 in an integer field', ['langflow', 'shutdown'],
  text('{"TimeRunning":-9223372036854775808}'), rejected('out_of_range', 'time_running'));
add('number-1e308-number-field', '1e308 in a bounded number field', COMPONENT_ROUTE, replaceField(LC, 'Seconds', '1e308'),
  rejected('out_of_range', 'seconds'));
add('number-underflow', '1e-99999 reads as 0', COMPONENT_ROUTE, replaceField(LC, 'Seconds', '1e-99999'),
  accepted(LC, (row) => ({ ...row, properties: { ...row.properties, seconds: 0 } })));
add('number-negative-zero', '-0 is stored as 0', COMPONENT_ROUTE, replaceField(LC, 'Seconds', '-0'),
  accepted(LC, (row) => ({ ...row, properties: { ...row.properties, seconds: 0 } })));
add('number-fraction-in-integer', '2.5 in an integer field', ['langflow', 'shutdown'], text('{"TimeRunning":2.5}'), rejected('wrong_type', 'time_running'));
for (const literal of ['NaN', 'nan', 'Infinity', '-Infinity', 'inf', 'undefined', '0x10', '01', '+1', '.5', '1.', '1e', '--1']) {
  add(`literal-${literal}`, `${literal} is not JSON`, COMPONENT_ROUTE, replaceField(LC, 'Seconds', literal), refused('malformed_json'));
}

// --- duplicate keys
add('duplicate-key-top', 'a field given twice', SESSION_ROUTE, text(`${sessionText.slice(0, -1)},"version":"9.9.9"}`), rejected('duplicate_key', 'version'));
add('duplicate-key-alias', 'a field given under its name and its alias', ['axon', 'heartbeat'],
  text(`${JSON.stringify(AX.body).slice(0, -1)},"install_id":"7c9e6679-7425-40de-944b-e07fc1f90ae7"}`), rejected('duplicate_key', 'install_id'));
add('duplicate-key-nested', 'a nested field given twice', ['axon', 'heartbeat'],
  text(JSON.stringify(AX.body).replace('"total":60', '"total":60,"total":61')), rejected('duplicate_key', 'tasks.total'));
add('duplicate-envelope-events', 'an envelope with two events arrays', ['', ''],
  text(`{"events":[${JSON.stringify({ product: 'agentsonar', event: 'session', ...AS.body })}],"events":[]}`), refused('wrong_body_type'));

// --- UTF-8
const utf8Cases = {
  'lone-continuation': '80', 'overlong-slash': 'c0af', 'overlong-3-byte': 'e080af', 'utf16-surrogate': 'eda080',
  'above-10ffff': 'f4908080', 'truncated-sequence': 'e282', 'byte-ff': 'ff', 'byte-fe': 'fe', 'five-byte': 'f888808080',
};
for (const [name, bad] of Object.entries(utf8Cases)) {
  add(`utf8-${name}-in-value`, `invalid UTF-8 (${name}) in a value`, COMPONENT_ROUTE,
    hex(hexOf('{"Name":"ab') + bad + hexOf('cd","Success":true}')), refused('invalid_utf8'));
  add(`utf8-${name}-in-key`, `invalid UTF-8 (${name}) in a key`, COMPONENT_ROUTE,
    hex(hexOf('{"') + bad + hexOf('":1,"Name":"x","Success":true}')), refused('invalid_utf8'));
}
for (const [name, escape] of Object.entries({ high: '\\ud800', low: '\\udc00', 'high-then-letter': '\\ud800\\u0041', 'reversed-pair': '\\ude00\\ud83d' })) {
  add(`surrogate-${name}`, `a lone surrogate escape (${escape})`, COMPONENT_ROUTE, text(`{"Name":"a${escape}b","Success":true}`), refused('invalid_utf8'));
}
add('surrogate-pair-ok', 'a valid surrogate pair is an emoji', COMPONENT_ROUTE, text('{"Name":"go \\ud83d\\ude80","Success":true}'),
  { outcome: 'ok', results: [{ index: 0, status: 'accepted' }], rows: [rowOf(LC, (row) => ({ ...row, properties: { name: 'go 🚀', success: true } }))] });
add('bom', 'a UTF-8 byte order mark before the body', COMPONENT_ROUTE, hex(`efbbbf${Buffer.from(JSON.stringify(LC.body)).toString('hex')}`), accepted(LC));
add('noncharacter', '\\uffff is valid UTF-8 and kept', COMPONENT_ROUTE, text('{"Name":"a\\uffffb","Success":true}'),
  { outcome: 'ok', results: [{ index: 0, status: 'accepted' }], rows: [rowOf(LC, (row) => ({ ...row, properties: { name: 'a\uffffb', success: true } }))] });

// --- NUL and control characters
add('nul-raw-in-string', 'a raw NUL byte inside a string', COMPONENT_ROUTE, hex(hexOf('{"Name":"a') + '00' + hexOf('b","Success":true}')), refused('malformed_json'));
add('nul-raw-outside', 'a raw NUL byte between tokens', COMPONENT_ROUTE, hex(hexOf('{"Name":"a",') + '00' + hexOf('"Success":true}')), refused('malformed_json'));
add('nul-escaped-in-value', 'an escaped NUL is removed from the stored string', COMPONENT_ROUTE, text('{"Name":"Open\\u0000AI","Success":true}'),
  { outcome: 'ok', results: [{ index: 0, status: 'accepted' }], rows: [rowOf(LC, (row) => ({ ...row, properties: { name: 'OpenAI', success: true } }))] });
add('nul-escaped-in-key', 'an escaped NUL in a key makes an undeclared field', COMPONENT_ROUTE, text('{"Na\\u0000me":"x","Name":"x","Success":true}'),
  { outcome: 'ok', results: [{ index: 0, status: 'accepted', dropped: ['Na\u0000me'] }], rows: [rowOf(LC, (row) => ({ ...row, properties: { name: 'x', success: true } }))] });
add('control-raw-in-string', 'a raw control character inside a string', COMPONENT_ROUTE, hex(hexOf('{"Name":"a') + '01' + hexOf('b","Success":true}')), refused('malformed_json'));
for (const [name, body] of Object.entries({ comment: '{/*c*/"Success":true}', 'trailing-comma': '{"Success":true,}', 'single-quotes': "{'Success':true}", 'unquoted-key': '{Success:true}', 'two-values': '{} {}' })) {
  add(`syntax-${name}`, `not JSON: ${name}`, COMPONENT_ROUTE, text(body), refused('malformed_json'));
}

// --- megabyte strings and wide objects
const MB = 1024 * 1024;
add('mb-string-text-field', 'a 1 MB error message is cut to its 2000 bytes', COMPONENT_ROUTE,
  parts(['{"Name":"OpenAIModel","Success":false,"ErrorMessage":"', 1], ['x', MB], ['"}', 1]),
  { outcome: 'ok', results: [{ index: 0, status: 'accepted' }], rows: [rowOf(LC, (row) => ({ ...row, properties: { name: 'OpenAIModel', success: false, error_message: 'x'.repeat(2000) } }))] });
add('mb-string-bounded-field', 'a 1 MB name is refused', COMPONENT_ROUTE, parts(['{"Success":true,"Name":"', 1], ['x', MB], ['"}', 1]), rejected('too_long', 'name'));
add('mb-string-uuid-field', 'a 1 MB install id', SESSION_ROUTE, parts(['{"install_id":"', 1], ['a', MB], ['"}', 1]), rejected('invalid_uuid', 'install_id'));
add('mb-string-version-field', 'a 1 MB version', SESSION_ROUTE, parts([`${sessionText.replace('"version":"0.4.0",', '').slice(0, -1)},"version":"`, 1], ['1', MB], ['"}', 1]), rejected('invalid_version', 'version'));
add('mb-string-undeclared', 'a 1 MB undeclared field is dropped', SESSION_ROUTE, parts([`${sessionText.slice(0, -1)},"blob":"`, 1], ['x', MB], ['"}', 1]), accepted(AS, undefined, { dropped: ['blob'] }));
add('mb-key', 'a 1 MB key is dropped; the verdict names it cut to 64 bytes', SESSION_ROUTE, parts([`${sessionText.slice(0, -1)},"`, 1], ['k', MB], ['":1}', 1]),
  accepted(AS, undefined, { dropped: ['k'.repeat(64)] }));
add('whitespace-mb', 'a megabyte of whitespace around a valid event', SESSION_ROUTE, parts([' ', MB], [sessionText, 1], ['\n', 1000]), accepted(AS));
// In body_parts, "{i}" counts the repetitions: 100,000 distinct keys in a few bytes of vector.
add('keys-100k-undeclared', '100,000 undeclared keys: dropped, the first 16 named', SESSION_ROUTE,
  parts([`${sessionText.slice(0, -1)}`, 1], [',"k{i}":1', 100000], ['}', 1]),
  accepted(AS, undefined, { dropped: Array.from({ length: 16 }, (_, i) => `k${i}`) }));
const [mapBefore, mapAfter] = JSON.stringify(AX.body).split('"byType":{"claude-code":50,"codex":10}');
add('keys-100k-in-map', '100,000 keys in a map of at most 64', ['axon', 'heartbeat'],
  parts([`${mapBefore}"byType":{"t":0`, 1], [',"t{i}":1', 100000], [`}${mapAfter}`, 1]),
  rejected('too_many_items', 'tasks.by_type'));
add('items-100k-in-list', '100,000 items in a list of at most 64', ['axolotl', 'system_info'],
  parts(['{"run_id":"5d6e7f80-1a2b-4c3d-8e9f-a0b1c2d3e4f5","axolotl_version":"0.8.1","gpu_models":["H100"', 1], [',"H100"', 100000], [']}', 1]),
  rejected('too_many_items', 'gpu_models'));
add('events-100k-scalars', 'an array of 100,000 scalars stops at the event limit', SESSION_ROUTE, parts(['[', 1], ['1,', 99999], ['1]', 1]), refused('too_many_events'));

// --- text built to make a scrubber quadratic: each must still take linear time (a slope here
// turns into a ctest timeout), and is stored cut to the field's 2000 bytes
for (const [name, unit] of Object.entries({ dash: 'a-', dot: 'a.', tilde: '~', colon: '1:', slash: 'a/', at: 'a.a@' })) {
  const stored = unit.repeat(Math.ceil(2000 / unit.length)).slice(0, 2000);
  add(`scrub-linear-${name}`, `a megabyte of "${unit}" in free text`, COMPONENT_ROUTE,
    parts(['{"Name":"a","Success":false,"ErrorMessage":"', 1], [unit, Math.floor(MB / unit.length)], ['"}', 1]),
    { outcome: 'ok', results: [{ index: 0, status: 'accepted' }], rows: [rowOf(LC, (row) => ({ ...row, properties: { name: 'a', success: false, error_message: stored } }))] });
}

// Text for every rule, built so a naive scanner would rescan it from every position.
for (const [name, unit] of Object.entries({
  'nested-urls': 'a://', 'url-paths': 'https://a.b/', 'dotted-digits': '1.', 'card-groups': '4111 ', 'ssn-dashes': '123-',
  'phone-plus': '+1 ', 'hex-colons': 'aa:bb:', 'home-spaces': '/Users/a ', 'windows-spaces': 'C:\\Users\\a ',
  'env-roots': '%a%\\', 'key-prose': 'password is ', 'auth-words': 'bearer a.', 'iban-groups': 'DE89 ', 'host-words': 'Janes-',
  'apostrophes': "a'", 'xml-keys': '<password>', 'percent-digits': '%1', 'backslashes': '\\',
})) {
  // The event lacks its required Success, named last: the text is scrubbed before the verdict.
  add(`scrub-linear-${name}`, `a megabyte of "${unit}" in free text is scrubbed in linear time`, COMPONENT_ROUTE,
    parts(['{"Name":"a","ErrorMessage":"', 1], [JSON.stringify(unit).slice(1, -1), Math.floor(MB / (2 * unit.length))], ['"}', 1]),
    rejected('missing_field', 'success'));
}

// --- a marker of each class in every field that is not free text: scrubbed in strings and list
// items, refused in map keys, versions and columns, "other" in model ids. Nothing of it is stored.
const AXS = ref('axolotl-system_info-reference');
const AXE = ref('axolotl-error-reference');
const AXU = ref('axolotl-usage-reference');
const LV = documented('version', { Version: '1.4.2', Python: '3.11', Arch: 'x86_64', AutoLogin: true, CacheType: 'async', BackendOnly: false },
  { version: '1.4.2', arch: 'x86_64', runtime_version: '3.11' }, { auto_login: true, cache_type: 'async', backend_only: false });
const MARKERS = {
  email: ['zqmail.marker@example.com', '<email>'], ipv4: ['198.51.100.23', '<ip>'], ipv6: ['2001:db8::2323:77', '<ip>'],
  token: ['ghp_ZqMarkerToken0123456789abcdefghij', '<secret>'], card: ['4111 1111 1111 1111', '<card>'],
  iban: ['DE89370400440532013000', '<iban>'], phone: ['+44 20 7946 0958', '<phone>'], mac: ['4a:00:04:10:9b:50', '<mac>'],
  path: ['/home/zqmarker/notes.csv', '<path>'], host: ['Zqmarkers-MacBook-Pro.local', '<host>'], ssn: ['078-05-1120', '<ssn>'],
  password: ['password=zqmarker99', 'password=<secret>'], jwt: ['eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ6cW1hcmtlciJ9.c2lnbmF0dXJl', '<secret>'],
};
for (const [kind, [marker, placeholder]] of Object.entries(MARKERS)) {
  add(`marker-${kind}-in-string`, `a ${kind} in a string field is scrubbed like text`, COMPONENT_ROUTE,
    { body: { ...LC.body, Name: `failed ${marker} x` } },
    accepted(LC, (row) => ({ ...row, properties: { ...row.properties, name: `failed ${placeholder} x` } })));
  add(`marker-${kind}-in-string-2`, `a ${kind} in an exception class name`, ['axolotl', 'error'],
    { body: { ...AXE.body, error_type: `E ${marker}` } },
    accepted(AXE, (row) => ({ ...row, properties: { ...row.properties, error_type: `E ${placeholder}` } })));
  add(`marker-${kind}-in-list-item`, `a ${kind} in a list item`, ['axolotl', 'system_info'],
    { body: { ...AXS.body, gpu_models: ['NVIDIA H100', marker] } },
    accepted(AXS, (row) => ({ ...row, properties: { ...row.properties, gpu_models: ['NVIDIA H100', placeholder] } })));
  add(`marker-${kind}-in-model`, `a ${kind} after an allowed owner is not a model name`, ['axolotl', 'usage'],
    { body: { ...AXU.body, base_model: `meta-llama/${marker}` } },
    kind === 'path'
      ? accepted(AXU, (row) => ({ ...row, properties: { ...row.properties, base_model: '<path>' } }))
      : accepted(AXU, (row) => ({ ...row, properties: { ...row.properties, base_model: 'other' } }), { unknown_values: ['base_model'] }));
}
// Model names that only their shape gives away, or that name no repository.
for (const [kind, name] of [['phone-digits', '4155552671'], ['dashed-ipv4', 'ip-10-0-0-5'], ['dots', '..'], ['glued-key', 'ft_AKIAIOSFODNN7EXAMPLE']]) {
  add(`marker-${kind}-as-model-name`, `a model name that is ${kind} is not a model name`, ['axolotl', 'usage'],
    { body: { ...AXU.body, base_model: `meta-llama/${name}` } },
    accepted(AXU, (row) => ({ ...row, properties: { ...row.properties, base_model: 'other' } }), { unknown_values: ['base_model'] }));
}
// Random hex ids hold long digit runs (3% of UUIDs); an id kept as sent is still stored.
add('uuid-with-digit-run', 'a UUID whose last group is all digits is an id, not a phone number', ['axolotl', 'usage'],
  { body: { ...AXU.body, run_id: '5d6e7f80-1a2b-4c3d-8e9f-094167365774' } },
  accepted(AXU, (row) => ({ ...row, session_id: '5d6e7f80-1a2b-4c3d-8e9f-094167365774' })));
// Short markers fit CacheType's 32 bytes.
for (const [kind, marker, placeholder] of [['ipv4', '198.51.100.23', '<ip>'], ['email', 'zq@example.com', '<email>'], ['mac', '4a:00:04:10:9b:50', '<mac>']]) {
  add(`marker-${kind}-in-short-string`, `a ${kind} in a 32-byte string`, ['langflow', 'version'], { body: { ...LV.body, CacheType: marker } },
    accepted(LV, (row) => ({ ...row, properties: { ...row.properties, cache_type: placeholder } })));
}
// Map keys within the key pattern ^[A-Za-z0-9_.-]{1,64}$ that still name an address or a secret:
// refused, and named back to the sender scrubbed.
for (const [kind, key, placeholder] of [['ipv4', '198.51.100.23', '<ip>'], ['host', 'Zqmarkers-MacBook-Pro.local', '<host>'],
  ['token', 'ghp_ZqMarkerToken0123456789abcdefghij', '<secret>'], ['openai-token', 'sk-proj-ZqMarker0123456789abcdef', '<secret>'],
  ['card', '4111111111111111', '<card>'], ['underscored-card', '4111_1111_1111_1111', '<card>'],
  ['glued-key', 'key_AKIAIOSFODNN7EXAMPLE', 'key_<secret>'], ['dashed-ipv4', 'ip-10-0-0-5', '<ip>'], ['dashed-ipv4-bare', '192-168-1-1', '<redacted>'],
  ['phone-digits', '4155552671', '<redacted>'], ['split-key', 'Ab3dEfGh1jKlMn0pQrStUvWxYz', '<redacted>']]) {
  const body = structuredClone(AX.body);
  body.tasks.byType[key] = 1;
  add(`marker-${kind}-in-map-key`, `a ${kind} as a map key is refused`, ['axon', 'heartbeat'], { body }, rejected('invalid_key', `tasks.by_type.${placeholder}`));
}
add('marker-email-outside-key-pattern', 'a key outside the pattern is named back scrubbed too', ['axon', 'heartbeat'],
  { body: { ...AX.body, tasks: { ...AX.body.tasks, byType: { 'zq@example.com': 1 } } } }, rejected('invalid_key', 'tasks.by_type.<email>'));
add('marker-undeclared-key', 'an undeclared key holding an address is dropped and named back scrubbed', SESSION_ROUTE,
  { body: { ...AS.body, 'zq.mailbox@example.com': 1 } }, accepted(AS, undefined, { dropped: ['<email>'] }));
// Versions that only read as one once a prefix or a leading zero is gone are refused as sent.
for (const [kind, version] of [['ssn', '078-05-1120'], ['aws-key', 'AKIAZQMARKERAWS12345'], ['dotted-card', '4111.1111.1111.1111']]) {
  add(`marker-${kind}-as-version`, `${kind} sent as a version is refused`, SESSION_ROUTE, { body: { ...AS.body, version } },
    { ...rejected('invalid_version', 'version'), rejections: [{ product: 'agentsonar', event: 'session', code: 'invalid_version', version: '', count: 1, shape: shapeOf(AS.body) }] });
}
// Versions: an address, or a key in the pre-release or build part.
for (const [kind, version] of [['ipv4', '198.51.100.23'], ['ipv4-leading-zeros', '010.000.000.005'], ['phone', '415.555.2671'],
  ['aws-key-pre-release', '1.0.0-AKIAIOSFODNN7EXAMPLE'], ['hex-build', '1.0.0+0123456789abcdef0123456789abcdef'],
  ['long-identifier', `1.0.0-${'a'.repeat(41)}`], ['slack-pre-release', '1.0.0-xoxb-123456789012'],
  ['host-pre-release', '1.0.0-Janes-MacBook-Pro'], ['dashed-ipv4-pre-release', '1.0.0-10-0-0-5'], ['phone-digits', '4155552671'],
  ['ssn-build', '1.0.0+078051120'], ['dashed-mac-pre-release', '1.0.0-4a-00-04-10-9b-50'],
  ['split-key-pre-release', '1.0.0-Ab3dEfGh1jKlMn0pQrStUvWxYz01234567.Ab3dEfGh1jKlMn0pQrStUvWxYz01234567']]) {
  add(`marker-${kind}-in-version`, `a version holding ${kind} is refused`, SESSION_ROUTE, { body: { ...AS.body, version: version } },
    { ...rejected('invalid_version', 'version'), rejections: [{ product: 'agentsonar', event: 'session', code: 'invalid_version', version: '', count: 1, shape: shapeOf(AS.body) }] });
}
add('marker-commit-in-version', 'a git commit in the build metadata is a version', SESSION_ROUTE,
  { body: { ...AS.body, version: '1.0.0+9fceb02d0ae598e95dc970b74767f19372d61af8' } },
  accepted(AS, (row) => ({ ...row, version: '1.0.0+9fceb02d0ae598e95dc970b74767f19372d61af8' })));
{
  const body = structuredClone(AX.body);
  body.k8sVersion = 'v1.30.2-AKIAIOSFODNN7EXAMPLE';
  add('marker-full-version', 'the uncut version kept in properties obeys the same rule', ['axon', 'heartbeat'], { body },
    rejected('invalid_version', 'k8s_version'));
}
// Rejection counts keep a version only when it is one.
add('marker-rejection-version-kept', 'a rejected event counts its version when the version is one', SESSION_ROUTE,
  { body: { ...AS.body, install_id: 'nope', version: '1.2.3' } },
  { ...rejected('invalid_uuid', 'install_id'), rejections: [{ product: 'agentsonar', event: 'session', code: 'invalid_uuid', version: '1.2.3', count: 1, shape: shapeOf(AS.body) }] });
add('marker-rejection-version-address', 'a rejected event whose version is an address counts no version', SESSION_ROUTE,
  text(`{"install_id":"nope","version":"198.51.100.23"}`),
  { ...rejected('invalid_uuid', 'install_id'), rejections: [{ product: 'agentsonar', event: 'session', code: 'invalid_uuid', version: '', count: 1,
    shape: shapeOf({ install_id: '', version: '' }) }] });

// --- a pending batch event records what comes before its names, up to a bound
add('envelope-names-last-huge', 'a batch event with 800 KB of fields before its product and event', ['', ''],
  parts(['{"events":[{"x":[[]', 1], [',[]', 270000], ['],"product":"langflow","event":"run","Success":true}]}', 1]),
  { outcome: 'all_rejected', results: [{ index: 0, status: 'rejected', code: 'event_too_large' }], rows: [] });

// --- wrong top-level types
for (const [name, body] of Object.entries({ string: '"hello"', number: '42', true: 'true', false: 'false', null: 'null' })) {
  add(`top-level-${name}`, `a bare ${name}`, SESSION_ROUTE, text(body), refused('wrong_body_type'));
  add(`envelope-top-level-${name}`, `a bare ${name} on /v1/batch`, ['', ''], text(body), refused('wrong_body_type'));
}
add('top-level-empty-array', 'an empty array', SESSION_ROUTE, text('[]'), refused('empty_batch'));
add('top-level-nested-empty', 'an array holding an empty array', SESSION_ROUTE, text('[[]]'),
  { outcome: 'all_rejected', results: [{ index: 0, status: 'rejected', code: 'not_an_object' }], rows: [] });
add('envelope-top-level-array', 'an array on /v1/batch', ['', ''], text('[{}]'), refused('wrong_body_type'));
add('empty-body', 'nothing at all', SESSION_ROUTE, text(''), refused('malformed_json'));
add('whitespace-only', 'only whitespace', SESSION_ROUTE, text(' \n\t '), refused('malformed_json'));

// --- SQL and HTML are data: stored inert, byte for byte
for (const [name, value] of Object.entries({
  'sql-drop': "x'); DROP TABLE events; --", 'sql-quote': "O'Reilly\" OR 1=1 --", 'html-script': '<script>alert(1)</script>',
  'html-img': '<img src=x onerror=alert(document.cookie)>', 'json-breakout': '"},{"event_id":"x',
})) {
  add(`inert-${name}`, `${name} in a string is stored as the text it is`, COMPONENT_ROUTE, { body: { ...LC.body, Name: value } },
    accepted(LC, (row) => ({ ...row, properties: { ...row.properties, name: value } })));
}
add('inert-sql-in-uuid', 'SQL where a UUID belongs', SESSION_ROUTE, { body: { ...AS.body, install_id: "1' OR '1'='1" } }, rejected('invalid_uuid', 'install_id'));

// --- prototype keys are undeclared fields like any other
for (const key of ['__proto__', 'constructor', 'prototype']) {
  add(`proto-${key}`, `${key} is dropped`, SESSION_ROUTE, text(`${sessionText.slice(0, -1)},"${key}":{"polluted":true}}`), accepted(AS, undefined, { dropped: [key] }));
}
add('empty-key', 'an empty key is an undeclared field', SESSION_ROUTE, text(`${sessionText.slice(0, -1)},"":1}`), accepted(AS, undefined, { dropped: [''] }));

const doc = {
  description: 'Hostile inputs (written by tests/vectors/hostile.mjs: edit that, not this)',
  case_count: cases.length,
  defaults: reference.defaults,
  cases,
};
writeOrCheck(out, `${JSON.stringify(doc, null, 1)}\n`, { generator: process.argv[1], count: cases.length });
