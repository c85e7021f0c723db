import assert from 'node:assert/strict';
import { test } from 'node:test';
import vm from 'node:vm';
import { createEncoder } from '../../src/encoding/encoders.js';
import { RecordCursor } from '../../src/encoding/batch.js';
import { isoTime, JsonWriters, writeJsonValue } from '../../src/encoding/json-writer.js';
import { ByteWriter } from '../../src/encoding/writer.js';
import { RecordGraph } from '../../src/generate/graph.js';
import { loadSchema } from '../../src/schema/load.js';
import { SCHEMA_FILES } from '../helpers.js';

/** The writer's bytes for records of one shape, written one after another into a writer that starts with `room` bytes. */
function written(records: Array<Record<string, unknown>>, room = 16): string[] {
  const json = new JsonWriters(1);
  const w = new ByteWriter(room);
  const out: string[] = [];
  for (const r of records) {
    const start = w.pos;
    const n = json.write(0, r, w);
    assert.equal(w.pos - start, n, 'returns the bytes it wrote');
    out.push(w.buf.subarray(start, w.pos).toString());
  }
  return out;
}

function assertLikeStringify(records: Array<Record<string, unknown>>, what: string, room?: number): void {
  assert.deepEqual(written(records, room), records.map((r) => JSON.stringify(r)), what);
}

test('the JSON encoder writes JSON.stringify’s bytes for every record of every example and fixture schema', () => {
  for (const file of SCHEMA_FILES) {
    const { plan, avroNames } = loadSchema(file);
    const graph = new RecordGraph(plan, { seed: 7, refDate: Date.parse('2025-01-01T00:00:00Z'), recordSize: 0, allowCode: true, avroNames });
    // 300 iterations are more than the encoder's first 64 KB buffer holds: it grows on the way.
    const enc = createEncoder(plan, { kind: 'json' });
    const expected: string[] = [];
    for (let i = 0; i < 300; i++) {
      graph.generate(i, (d, r) => {
        enc.add(d, r);
        expected.push(JSON.stringify(r));
      });
      enc.endIteration();
    }
    const batch = enc.finish(0);
    const c = new RecordCursor(batch);
    const got: string[] = [];
    while (c.next()) got.push(c.value!.toString());
    assert.ok(got.length >= 300, `${file}: ${got.length} records`);
    assert.deepEqual(got, expected, file);
    assert.equal(batch.bytes.reduce((a, b) => a + b, 0), expected.reduce((a, s) => a + Buffer.byteLength(s), 0), `${file}: value bytes counted`);
  }
});

test('the JSON writer matches JSON.stringify for values of every kind', () => {
  const other = vm.runInNewContext('({ a: 1, d: new Date(0), list: [1, "x"] })') as Record<string, unknown>;
  class Point {
    constructor(
      public x: number,
      public y: number,
    ) {}
  }
  const values: unknown[] = [
    '', 'plain', 'quote " inside', 'back\\slash', 'tab\tnew\nline\r', '\u0000\u0001\u001f\u007f', 'é à ü', '日本語', '😀 emoji', '\ud800 lone high', 'lone low \udc00',
    'x'.repeat(255), 'x'.repeat(256), 'x'.repeat(257), `${'y'.repeat(300)}"`, `${'z'.repeat(1000)}é`, 'a'.repeat(100_000),
    0, -0, 1, -1, 9, 10, 99, 100, 2147483647, -2147483648, 2147483648, -2147483649, 1.5, -0.25, 0.1 + 0.2, 1e21, 1e-7, 123456789012345680000, Number.MAX_SAFE_INTEGER, Number.MIN_VALUE, NaN, Infinity, -Infinity,
    true, false, null,
    [], [1, 2, 3], ['a', null, true], [undefined, () => 1, Symbol('s')], [[1, [2]], { a: [] }], new Array(3),
    {}, { a: 1, b: 'two' }, { u: undefined, f: () => 1, k: 1 }, { '2': 'b', '1': 'a', z: 0 }, { 'quote"key': 1, 'é': 2 }, { nested: { deeper: { deepest: [1] } } },
    new Date(Date.UTC(2024, 1, 29, 12, 30, 45, 678)), new Date(-1), new Date(NaN), new Date(8.64e15),
    Object.assign(new Date(0), { toISOString: () => 'own toISOString' }), Object.assign(new Date(0), { valueOf: () => NaN }),
    Buffer.from([0, 1, 127, 128, 255]), Buffer.alloc(0),
    new Map([[1, 2]]), new Set([1]), new Point(1, 2), other, Object.create(null),
    { toJSON: () => 'custom' }, { toJSON: (key: string) => `key ${key}` }, { toJSON: () => undefined },
    // Short strings are copied char by char in JavaScript: a char that needs more than its byte (an
    // escape, or UTF-8 beyond ASCII) at every position of strings of 1 to 12 chars, and around the
    // native writer's start (48 chars).
    ...Array.from({ length: 12 }, (_, n) => n + 1).flatMap((n) =>
      Array.from({ length: n }, (_, at) => at).flatMap((at) =>
        ['"', '\\', '\n', '\u001f', '\u007f', 'é', '\u0100', '\u0122', '日', '\ud83d'].map((c) => 'a'.repeat(at) + c + 'b'.repeat(n - at - 1)),
      ),
    ),
    'x'.repeat(47), 'x'.repeat(46) + '"', 'x'.repeat(48), 'x'.repeat(47) + 'é',
    // Strings from 48 chars are checked four bytes at a time once written: an escape at every
    // position of strings of 48 to 53 chars.
    ...[48, 49, 50, 51, 52, 53].flatMap((n) =>
      Array.from({ length: n }, (_, at) => at).flatMap((at) => ['"', '\\', '\u0001', '\u001f'].map((c) => 'a'.repeat(at) + c + 'b'.repeat(n - at - 1))),
    ),
  ];
  // Each value as the first field, as a middle field, and alone: the commas and braces around it.
  values.forEach((v, i) => {
    const what = `value ${i} (${typeof v})`;
    assertLikeStringify([{ v }, { v }], `${what}, only field`);
    assertLikeStringify([{ v, b: 1 }], `${what}, first field`);
    assertLikeStringify([{ a: 'x', v, b: [v] }], `${what}, middle field and in an array`);
    assertLikeStringify([{ a: { v } }], `${what}, in a nested object`);
  });
});

test('the JSON writer leaves out what JSON.stringify leaves out, and keeps its key order', () => {
  assertLikeStringify([{ a: undefined, b: 1 }, { a: 1, b: undefined }, { a: undefined, b: undefined }], 'undefined fields, first, last and all');
  assertLikeStringify([{ f: () => 1, s: Symbol('x'), k: 'kept' }], 'functions and symbols');
  // Integer-like keys come first in ascending order, whatever order the record was built in.
  assertLikeStringify([{ b: 1, '10': 2, '2': 3, a: 4 }], 'integer-like keys');
  assertLikeStringify([{ ['__proto__']: 1, 'new\nline': 2, 'ключ': 3 }], 'keys that need escaping or are not ASCII');
  // A record whose value JSON.stringify alone can tell: the whole record is written by JSON.stringify.
  assertLikeStringify([{ a: 1, t: { toJSON: (key: string) => `called for ${key}` } }], 'a toJSON that reads its key');
  assert.throws(() => written([{ a: 1, n: 10n }]), /BigInt/, 'a BigInt throws as in JSON.stringify');
});

test('the JSON writer grows a too-small buffer and writes the record again', () => {
  const records = Array.from({ length: 50 }, (_, i) => ({ id: i, s: 'é'.repeat(i * 40), t: 'x'.repeat(i * 20), d: new Date(i * 1e9), a: [i, `${i}`] }));
  for (const room of [1, 7, 64, 1000]) assertLikeStringify(records, `first buffer of ${room} bytes`, room);
});

test('the JSON writer stops where the buffer ends, whatever the room, and writes the record again', () => {
  // Keys of 1 to 9 bytes (their `"key":` stored four bytes at a time) and strings of 1 to 13 chars.
  const record = Object.fromEntries(Array.from({ length: 9 }, (_, i) => ['k'.repeat(i + 1), 's'.repeat(i + 1 + (i % 5))]));
  const length = JSON.stringify(record).length;
  for (let room = 1; room <= length + 8; room++) assertLikeStringify([record, record], `first buffer of ${room} bytes`, room);
});

test('writeJsonValue writes any value as JSON.stringify does', () => {
  const w = new ByteWriter(4);
  for (const v of ['key', 'ké"y', 12, -3.5, null, [1, 'a'], { a: 1 }]) {
    const start = w.pos;
    writeJsonValue(w, v);
    assert.equal(w.buf.subarray(start, w.pos).toString(), JSON.stringify(v));
  }
});

test('dates are written as toISOString writes them, in the whole range of Date', () => {
  const LIMIT = 8.64e15;
  const times = [0, -1, 1, 951782400000, 951868800000, -2208988800001, -62167219200000, -62167219200001, -62198755200000, 253402300799999, 253402300800000, -LIMIT, LIMIT, LIMIT - 1, -LIMIT + 1];
  let seed = 12345;
  const next = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
  for (let i = 0; i < 100_000; i++) {
    const scale = [1e9, 1e12, 1e14, LIMIT][i % 4]!;
    times.push(Math.round((next() * 2 - 1) * scale));
  }
  const buf = Buffer.alloc(40);
  for (const t of times) {
    const end = isoTime(buf, 0, t);
    assert.equal(buf.subarray(0, end).toString(), new Date(t).toISOString(), `time value ${t}`);
  }
});

test('numbers with a fraction are written as JavaScript prints them', () => {
  let seed = 777;
  const next = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const f64 = new Float64Array(1);
  const u32 = new Uint32Array(f64.buffer);
  const values: number[] = [0.1, 0.2, 0.1 + 0.2, 1e-6, 1.5e-6, 9.999999e-7, 0.000001, 123.45, -123.45, 99.995, 9.995, 0.5, -0.5, 1e21, 1.5e21, 2 ** 49 + 0.5, 2 ** 46 - 0.25, 2 ** 33 + 0.125, 4503599627370495.5, Number.EPSILON, -Number.MAX_VALUE];
  for (let i = 0; i < 300_000; i++) {
    const s = 1 + (i % 6);
    const magnitude = [1, 100, 1e4, 1e7, 1e10, 1e13, 1e15][i % 7]!;
    const k = Math.round(next() * magnitude * 10 ** s);
    const v = (next() < 0.5 ? -1 : 1) * (k / 10 ** s);
    values.push(v);
    // Its neighbouring doubles: not decimals of few places, but close to one.
    f64[0] = v;
    u32[0]! += 1;
    values.push(f64[0]!);
    f64[0] = v;
    u32[0]! -= 1;
    values.push(f64[0]!);
    values.push(next() * magnitude);
  }
  const w = new ByteWriter(64);
  for (const v of values) {
    w.pos = 0;
    writeJsonValue(w, v);
    assert.equal(w.buf.subarray(0, w.pos).toString(), JSON.stringify(v), `number ${v}`);
  }
});
