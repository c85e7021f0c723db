import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fixture, lines, runCli, tmpFile } from '../helpers.js';
import { parseLiteralArgs } from '../../src/generate/literal.js';

test('legacy faker names map to current methods and give values of the right kind', () => {
  const r = runCli(['-s', fixture('legacy.json'), '--dry-run', '-n', '25', '--seed', '2']);
  assert.equal(r.code, 0, r.stderr);
  const out = lines(r.stdout);
  assert.equal(out.length, 25);
  out.forEach((l, i) => {
    const v = l.value;
    assert.match(v.id, /^[0-9a-f]{8}-[0-9a-f]{4}-4/);
    assert.equal(l.key, v.id);
    assert.ok(Number.isInteger(v.n) && v.n >= 0 && v.n <= 1000);
    assert.ok(v.range >= 5 && v.range <= 9);
    assert.ok(v.f >= 1 && v.f <= 2 && Math.abs(v.f * 100 - Math.round(v.f * 100)) < 1e-6);
    assert.equal(v.s.length, 12);
    assert.match(v.dt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/, 'dates are ISO-8601 strings');
    assert.equal(v.arr.length, 3);
    assert.match(v.hex, /^0x[0-9a-fA-F]{6}$/);
    for (const k of ['city', 'zip', 'street', 'first', 'full', 'user', 'word', 'company', 'phone']) assert.ok(typeof v[k] === 'string' && v[k].length > 0, k);
    assert.match(v.price, /^\$\d+\.\d\d$/);
    assert.ok(Number(v.price.slice(1)) >= 5 && Number(v.price.slice(1)) <= 10);
    assert.match(v.amount, /^\d\.\d$/);
    assert.match(v.past, /^20\d\d-/);
    assert.match(v.recent, /^20\d\d-/);
    assert.match(v.alnum, /^[a-z0-9]{5}$/i);
    assert.ok(['a', 'b'].includes(v.pick));
    assert.equal(typeof v.bool, 'boolean');
    assert.ok(v.current >= 1 && v.current <= 3);
    assert.ok(Number.isInteger(v.code));
    assert.equal(v.idx, i + 1, 'iteration.index is 1-based');
    assert.equal(v.constant, 42);
    assert.equal(typeof v.address.city, 'string');
    assert.equal(typeof v.address.geo.lat, 'number');
  });
});

test('with --seed, relative dates are anchored so runs repeat; --ref-date moves them', () => {
  const a = lines(runCli(['-s', fixture('nested.json'), '--dry-run', '-n', '5', '--seed', '1']).stdout);
  for (const l of a) assert.ok(l.value.placed_at < '2025-01-01' && l.value.placed_at > '2024-12-30', l.value.placed_at);
  const b = lines(runCli(['-s', fixture('nested.json'), '--dry-run', '-n', '5', '--seed', '1', '--ref-date', '2030-06-01T00:00:00Z']).stdout);
  for (const l of b) assert.ok(l.value.placed_at.startsWith('2030-05-3'), l.value.placed_at);
});

test('nested objects generate nested records; iteration.index feeds the key', () => {
  const out = lines(runCli(['-s', fixture('nested.json'), '--dry-run', '-n', '3', '--seed', '1']).stdout);
  assert.deepEqual(out.map((l) => l.key), ['1', '2', '3']);
  for (const l of out) {
    assert.equal(typeof l.value.customer.name, 'string');
    assert.equal(typeof l.value.customer.address.city, 'string');
  }
});

test('--record-size adds a seeded payload of exactly N bytes', () => {
  const a = lines(runCli(['-s', fixture('nested.json'), '--dry-run', '-n', '3', '--seed', '1', '--record-size', '300']).stdout);
  const b = lines(runCli(['-s', fixture('nested.json'), '--dry-run', '-n', '3', '--seed', '1', '-rs', '300', '--threads', '2']).stdout);
  for (const l of a) assert.equal(Buffer.byteLength(l.value.recordSizePayload), 300);
  assert.deepEqual(a, b);
});

test('--no-code refuses code but accepts plain calls with literal arguments', () => {
  const refused = runCli(['-s', fixture('legacy.json'), '--dry-run', '-n', '1', '--no-code']);
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /field "code": --no-code allows only plain faker calls/);
  const ok = runCli(['-s', fixture('nested.json'), '--dry-run', '-n', '1', '--no-code']);
  assert.equal(ok.code, 0, ok.stderr);
});

test('the sandbox has no require, no process and no host globals', () => {
  for (const [name, pattern] of [['require.json', /require is not defined/], ['process.json', /process is not defined/]] as const) {
    const r = runCli(['-s', fixture(`bad/${name}`), '--dry-run', '-n', '1']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, pattern);
  }
});

test('literal argument parser', () => {
  assert.deepEqual(parseLiteralArgs(`25, 2500, 2, '$'`), [25, 2500, 2, '$']);
  assert.deepEqual(parseLiteralArgs(`{ min: 1, "max": 5.5, list: [1, 'a', null], on: true }`), [{ min: 1, max: 5.5, list: [1, 'a', null], on: true }]);
  assert.deepEqual(parseLiteralArgs(''), []);
  assert.equal(parseLiteralArgs('Math.random()'), undefined);
  assert.equal(parseLiteralArgs('() => 1'), undefined);
});

test('globals an expression only reads are bound once, and still see what other fields assign', () => {
  const schema = tmpFile('globals.json', [
    {
      _meta: { topic: 'g', key: 'id' },
      id: 'iteration.index',
      // Bound (only read): iteration is the same object every iteration, Math draws from the seed.
      draw: 'iteration.index * 10000 + Math.floor(Math.random() * 1000)',
      // Assigned by one field and read by the next: neither may be a binding taken at start-up.
      patch: '(parseInt = function () { return 42; }, 1)',
      parsed: "parseInt('7')",
      patchJson: '(globalThis.JSON = { stringify: () => "patched" }, 1)',
      json: 'JSON.stringify(1)',
      nested: { count: 'Math.floor(Math.random() * 3) + 1' },
    },
  ]);
  const a = runCli(['-s', schema, '--dry-run', '-n', '20', '--seed', '5']);
  assert.equal(a.code, 0, a.stderr);
  const out = lines(a.stdout);
  out.forEach((l, i) => {
    assert.equal(Math.floor(l.value.draw / 10000), i + 1, 'iteration.index moves on');
    assert.equal(l.value.parsed, 42);
    assert.equal(l.value.json, 'patched');
    assert.ok(l.value.nested.count >= 1 && l.value.nested.count <= 3);
  });
  assert.ok(new Set(out.map((l) => l.value.draw % 10000)).size > 10, 'Math.random draws vary');
  assert.deepEqual(lines(runCli(['-s', schema, '--dry-run', '-n', '20', '--seed', '5', '--threads', '1']).stdout), out, 'same seed, same values');
});
