import assert from 'node:assert/strict';
import { test } from 'node:test';
import { avroSchemas } from '../../src/encoding/avro-infer.js';
import { avroType } from '../../src/encoding/avro.js';
import { compileAvroWriter, type AvroWrite } from '../../src/encoding/avro-writer.js';
import { RecordGraph, type GenRecord } from '../../src/generate/graph.js';
import { loadSchema } from '../../src/schema/load.js';
import type avro from 'avsc';
import { SCHEMA_FILES } from '../helpers.js';

/** The compiled writer's bytes for `v`, or the error it threw. */
function compiled(write: AvroWrite, v: unknown, room = 0): Buffer {
  const buf = Buffer.alloc(room || 1 << 16);
  const end = write(buf, 0, v);
  assert.ok(end <= buf.length, 'fits the buffer');
  return buf.subarray(0, end);
}

function assertSameBytes(type: avro.Type, write: AvroWrite, v: unknown, what: string): void {
  const expected = type.toBuffer(v);
  assert.deepEqual(compiled(write, v), expected, what);
}

test('the compiled writer writes avsc’s bytes for every record of every example and fixture schema', async () => {
  for (const file of SCHEMA_FILES) {
    const { plan, avroNames } = loadSchema(file);
    const graph = new RecordGraph(plan, { seed: 7, refDate: Date.parse('2025-01-01T00:00:00Z'), recordSize: 0, allowCode: true, avroNames });
    const sample = async (iterations: number) => {
      const out: GenRecord[][] = plan.datasets.map(() => []);
      for (let i = 0; i < iterations; i++) graph.generate(i, (d, r) => out[d]!.push(r));
      return out;
    };
    const types = (await avroSchemas(plan, sample)).map((s) => avroType(s));
    const writers = types.map((t) => compileAvroWriter(t));
    let records = 0;
    for (let i = 0; i < 300; i++) {
      graph.generate(1000 + i, (d, r) => {
        assertSameBytes(types[d]!, writers[d]!, r, `${file}, dataset ${plan.datasets[d]!.name}, iteration ${1000 + i}`);
        records++;
      });
    }
    assert.ok(records >= 300, `${file}: ${records} records compared`);
  }
});

const KITCHEN = avroType({
  type: 'record',
  name: 'K',
  fields: [
    { name: 's', type: 'string' },
    { name: 'i', type: 'int' },
    { name: 'l', type: 'long' },
    { name: 'f', type: 'float' },
    { name: 'd', type: 'double' },
    { name: 'b', type: 'boolean' },
    { name: 'n', type: 'null' },
    { name: 'raw', type: 'bytes' },
    { name: 'tags', type: { type: 'array', items: ['null', 'string'] } },
    { name: 'opt', type: ['null', 'string'], default: null },
    { name: 'later', type: ['string', 'null'] },
    { name: 'dflt', type: 'string', default: 'abc' },
    { name: 'num', type: ['null', 'double'], default: null },
    { name: 'sub', type: ['null', { type: 'record', name: 'Sub', fields: [{ name: 'x', type: 'int' }, { name: 'next', type: ['null', 'Sub'], default: null }] }], default: null },
    { name: 'color', type: { type: 'enum', name: 'Color', symbols: ['RED', 'GREEN'] } },
    { name: 'm', type: { type: 'map', values: 'long' } },
    { name: 'fx', type: { type: 'fixed', name: 'Two', size: 2 } },
    { name: 'at', type: { type: 'long', logicalType: 'timestamp-millis' } },
    { name: 'either', type: ['null', 'int', 'string'], default: null },
  ],
});

const base = {
  s: 'plain',
  i: -5,
  l: 2 ** 40 + 3,
  f: 1.5,
  d: Math.PI,
  b: true,
  n: null,
  raw: Buffer.from([0, 255, 7]),
  tags: ['a', null, 'b'],
  opt: 'here',
  later: null,
  dflt: 'given',
  num: 2,
  sub: { x: 1, next: { x: -2, next: null } },
  color: 'GREEN',
  m: { a: 1, b: -(2 ** 50) },
  fx: Buffer.from('hi'),
  at: new Date(1700000000000),
  either: 'x',
};

test('the compiled writer matches avsc on the edges of every type it writes itself, and on those it leaves to avsc', () => {
  const write = compileAvroWriter(KITCHEN);
  const strings = ['', 'a', 'x'.repeat(63), 'x'.repeat(64), 'x'.repeat(65), 'x'.repeat(2730), 'x'.repeat(2731), 'x'.repeat(20000),
    'é', 'naïve café', '日本語', '😀 smile', 'x'.repeat(62) + 'é', 'é'.repeat(64), '日'.repeat(2000), 'lone \ud800 surrogate', '\udc00', 'x'.repeat(70) + '\ud800',
    'built ' + 'up '.repeat(30) + 'by concatenation',
    // Around the native writer's start (32 chars), and UTF-8 of 64 bytes or more from fewer chars.
    'x'.repeat(31), 'x'.repeat(32), 'x'.repeat(33), 'x'.repeat(31) + 'é', 'é' + 'x'.repeat(30), 'x'.repeat(62) + 'é',
    'é'.repeat(31), 'é'.repeat(32), 'x'.repeat(33) + 'é'.repeat(30), 'x'.repeat(34) + 'é'.repeat(29), '日'.repeat(40), '😀'.repeat(16)];
  for (const s of strings) assertSameBytes(KITCHEN, write, { ...base, s }, `string of ${s.length} chars`);
  for (const i of [0, 1, -1, 63, 64, -64, -65, 2 ** 30 - 1, 2 ** 30, -(2 ** 30), -(2 ** 30) - 1, 2 ** 31 - 1, -(2 ** 31)]) assertSameBytes(KITCHEN, write, { ...base, i }, `int ${i}`);
  for (const l of [0, -1, 2 ** 30, -(2 ** 30) - 1, 2 ** 53 - 2, -(2 ** 53) + 2, 9007199254740990, -9007199254740990, 1e15 + 1]) assertSameBytes(KITCHEN, write, { ...base, l }, `long ${l}`);
  for (const d of [0, -0, NaN, Infinity, -Infinity, 1e-300, 7]) assertSameBytes(KITCHEN, write, { ...base, d, f: d }, `double ${d}`);
  const variants: Array<[string, Record<string, unknown>]> = [
    ['false', { b: false }],
    ['empty bytes', { raw: Buffer.alloc(0) }],
    ['empty array', { tags: [] }],
    ['long array', { tags: Array.from({ length: 300 }, (_, k) => (k % 3 ? `t${k}` : null)) }],
    ['optional missing', { opt: undefined, num: undefined, sub: undefined, either: undefined }],
    ['default string missing', { dflt: undefined }],
    ['null union branch first', { later: 'now' }],
    ['optional null', { opt: null, sub: null, num: null, either: null }],
    ['multi-branch union', { either: 3 }],
    ['timestamp as number', { at: 5 }],
    ['timestamp as text', { at: '2024-01-01T00:00:00Z' }],
    ['empty map', { m: {} }],
  ];
  for (const [what, change] of variants) assertSameBytes(KITCHEN, write, { ...base, ...change }, what);
});

test('the compiled writer rejects what avsc rejects', () => {
  const write = compileAvroWriter(KITCHEN);
  const bad: Array<[string, Record<string, unknown>]> = [
    ['int with a fraction', { i: 1.5 }],
    ['int beyond 32 bits', { i: 2 ** 31 }],
    ['long beyond safe', { l: 2 ** 53 }],
    ['text for a number', { d: '3' }],
    ['number for text', { s: 5 }],
    ['missing field without default', { s: undefined }],
    ['union without default given undefined', { later: undefined }],
    ['record branch given an array', { sub: [1] }],
    ['array given text', { tags: 'a,b' }],
    ['string in a nullable-string array given a number', { tags: [1] }],
    ['bytes given text', { raw: 'xx' }],
    ['boolean given 1', { b: 1 }],
    ['null given 0', { n: 0 }],
    ['unknown enum symbol', { color: 'BLUE' }],
    ['bad timestamp', { at: 'not a date' }],
  ];
  for (const [what, change] of bad) {
    const v = { ...base, ...change };
    assert.throws(() => KITCHEN.toBuffer(v), `avsc rejects ${what}`);
    assert.throws(() => write(Buffer.alloc(1 << 16), 0, v), `the compiled writer rejects ${what}`);
  }
});

test('a buffer too small gives the end the record needs, and the same bytes once there is room', () => {
  const write = compileAvroWriter(KITCHEN);
  // Short strings too (written four chars a store where they fit, one by one where they do not),
  // one with a non-ASCII char inside a four-char step.
  const v = { ...base, s: 'y'.repeat(100), tags: ['a'.repeat(80), 'é', null, 'b'.repeat(40), 'é'.repeat(40), 'short ascii text', 'abcdefg', 'abcéfgh'] };
  const expected = KITCHEN.toBuffer(v);
  for (let room = 0; room <= expected.length + 3; room++) {
    const buf = Buffer.alloc(room);
    const end = write(buf, 0, v);
    if (room < expected.length) assert.ok(end > room, `room ${room}: reports more needed (end ${end})`);
    else assert.deepEqual(buf.subarray(0, end), expected, `room ${room}`);
  }
  // The end reported for a small buffer is enough to write it whole.
  const small = Buffer.alloc(10);
  const need = write(small, 0, v);
  const big = Buffer.alloc(need);
  assert.equal(write(big, 0, v), need);
  assert.deepEqual(big, expected);
});
