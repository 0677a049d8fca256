// semver.test.mjs: worker/semver.js alone (plain node --test, no workerd): versions, precedence,
// ranges, the stored form, and hostile input, which is refused or stored without what it carries.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  compare, formatVersion, MAX_RANGE_LENGTH, MAX_VERSION_LENGTH, parseRange, parseVersion, satisfies, storedVersion,
} from '../../worker/semver.js';

const matches = (version, range) => {
  const r = parseRange(range);
  assert.equal(r.problem, undefined, `${range}: ${r.problem}`);
  return satisfies(parseVersion(version).version, r.range);
};

describe('parseVersion', () => {
  test('reads semver 2.0, a leading v allowed', () => {
    assert.deepEqual(parseVersion('1.2.3').version, { major: 1, minor: 2, patch: 3, prerelease: [], build: [] });
    assert.deepEqual(parseVersion('v1.2.3-rc.1+build.5').version, { major: 1, minor: 2, patch: 3, prerelease: ['rc', 1], build: ['build', '5'] });
    assert.equal(formatVersion(parseVersion('v0.0.0-alpha-1.x+001').version), '0.0.0-alpha-1.x+001');
  });
  for (const bad of ['', '1', '1.2', '1.2.3.4', '01.2.3', '1.02.3', '1.2.03', '1.2.3-', '1.2.3-01', '1.2.3+', '1.2.3-a..b',
    'V1.2.3', ' 1.2.3', '1.2.3 ', 'vv1.2.3', '1.2.3-ä', '-1.2.3', '1.2.-3', '1.2.3-a_b', 'latest', '1.2.3\n']) {
    test(`refuses ${JSON.stringify(bad)} with a reason`, () => {
      const { version, problem } = parseVersion(bad);
      assert.equal(version, undefined);
      assert.match(problem, /\w/);
    });
  }
  test('refuses non-strings', () => {
    for (const value of [null, undefined, 1.2, ['1.2.3'], { major: 1 }]) assert.ok(parseVersion(value).problem);
  });
});

describe('precedence (semver 2.0 section 11)', () => {
  const ordered = ['1.0.0-alpha', '1.0.0-alpha.1', '1.0.0-alpha.beta', '1.0.0-beta', '1.0.0-beta.2', '1.0.0-beta.11',
    '1.0.0-rc.1', '1.0.0', '1.0.1', '1.1.0', '1.10.0', '2.0.0'];
  test('the specification\'s order, each pair both ways', () => {
    for (let i = 0; i < ordered.length; i++) {
      for (let j = 0; j < ordered.length; j++) assert.equal(compare(ordered[i], ordered[j]), Math.sign(i - j), `${ordered[i]} vs ${ordered[j]}`);
    }
  });
  test('build metadata and v are ignored', () => {
    assert.equal(compare('v1.2.3+a', '1.2.3+b'), 0);
  });
});

describe('parseRange and satisfies', () => {
  const cases = [
    ['<1.4.0', { '1.3.9': true, '1.4.0': false, '1.4.0-rc.1': true, '0.0.1': true, '2.0.0': false }],
    ['>=1.0.0 <1.2.3', { '0.9.9': false, '1.0.0': true, '1.2.2': true, '1.2.3': false }],
    ['1.2.x', { '1.2.0': true, '1.2.99': true, '1.3.0': false, '1.1.9': false, '1.3.0-rc.1': false }],
    ['1.2', { '1.2.5': true, '1.3.0': false }],
    ['^1.2.0', { '1.2.0': true, '1.9.9': true, '2.0.0': false, '2.0.0-rc.1': false, '1.1.9': false }],
    ['^0.2.3', { '0.2.3': true, '0.2.9': true, '0.3.0': false }],
    ['^0.0.3', { '0.0.3': true, '0.0.4': false }],
    ['~1.2.0', { '1.2.0': true, '1.2.9': true, '1.3.0': false }],
    ['~1', { '1.9.0': true, '2.0.0': false }],
    ['<1.0.0 || >=2.0.0 <2.1.0', { '0.5.0': true, '1.5.0': false, '2.0.5': true, '2.1.0': false }],
    ['*', { '0.0.0': true, '99.99.99': true, '1.0.0-rc.1': true }],
    ['>= 1.2.0', { '1.2.0': true, '1.1.0': false }],
    ['=1.2.3', { '1.2.3': true, '1.2.4': false }],
    ['1.2.3', { '1.2.3': true, '1.2.4': false }],
    ['>1.2', { '1.2.9': false, '1.3.0': true }],
    ['<=1.2', { '1.2.9': true, '1.3.0': false }],
    ['<1.2', { '1.1.9': true, '1.2.0': false }],
    ['v1.x', { '1.5.0': true, '2.0.0': false }],
  ];
  for (const [range, expected] of cases) {
    test(range, () => {
      for (const [version, inside] of Object.entries(expected)) assert.equal(matches(version, range), inside, `${version} in ${range}`);
    });
  }
  for (const bad of ['', '   ', '1.0.0 - 2.0.0', 'latest', '<1.2.3.4', '>=01.0.0', '1.2.3 ||', '|| 1.0.0', '<>1.0.0',
    '$(rm -rf)', '1.2.3; DROP TABLE advisories', '>=1.0.0 '.repeat(9), '1.x.3-rc.1']) {
    test(`refuses ${JSON.stringify(bad)} with a reason`, () => {
      const { range, problem } = parseRange(bad);
      assert.equal(range, undefined);
      assert.match(problem, /\w/);
    });
  }
});

describe('hostile input', () => {
  test('huge numbers are refused, never rounded', () => {
    assert.ok(parseVersion('9007199254740993.0.0').problem);
    assert.ok(parseVersion(`1.2.${'9'.repeat(40)}`).problem);
    assert.ok(parseVersion(`1.2.3-${'9'.repeat(40)}`).problem);
    assert.ok(parseRange(`<${'9'.repeat(40)}.0.0`).problem);
    assert.equal(storedVersion(`1.2.${'9'.repeat(40)}`), '');
  });
  test(`a ${MAX_VERSION_LENGTH + 1}-character version and a 10,000-character range are refused, quickly`, () => {
    assert.ok(parseVersion(`1.2.3-${'a'.repeat(MAX_VERSION_LENGTH)}`).problem);
    const started = performance.now();
    for (const text of ['1'.repeat(10_000), `${'>=1.0.0 '.repeat(1250)}`, `${'1.0.0 || '.repeat(1111)}`, `${'^'.repeat(10_000)}`]) {
      assert.match(parseRange(text).problem, new RegExp(`longer than ${MAX_RANGE_LENGTH}`));
    }
    assert.ok(parseRange(`${'1.0.0||'.repeat(17)}1.0.0`.slice(0, MAX_RANGE_LENGTH)).problem);
    assert.ok(performance.now() - started < 100);
  });
  test('secrets, names and e-mails in a pre-release or build are never stored', () => {
    const hostile = {
      '1.2.3-ghp-0123456789abcdefABCDEF': '1.2.3',
      '1.2.3-sk-live-51Habc': '1.2.3',
      '1.2.3-alice': '1.2.3',
      '1.2.3-rc.1+alice.example.com': '1.2.3-rc.1',
      '1.2.3-beta.4111111111111111': '1.2.3',
      '1.2.3-rc.1.2.3.4': '1.2.3',
      '1.2.3-feature-branch': '1.2.3',
      '1.2.3-0123': '',
      '1.2.3-alice@example.com': '',
      'alice@example.com': '',
      '5551234567.0.0': '',
    };
    for (const [text, stored] of Object.entries(hostile)) assert.equal(storedVersion(text), stored, text);
  });
  test('release pre-releases are kept', () => {
    for (const text of ['1.2.3-rc.1', '1.2.3-alpha', '2.0.0-beta.2', '1.0.0-nightly.20261201', '1.0.0-dev.1', '0.1.0-canary.3', '1.0.0-1']) {
      assert.equal(storedVersion(text), text);
    }
    assert.equal(storedVersion('v1.2.3+sha.abc'), '1.2.3');
  });
});
