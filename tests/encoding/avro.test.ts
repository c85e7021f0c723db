import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inferAvroSchema } from '../../src/encoding/avro-infer.js';
import { avroType, encodeAvroInto } from '../../src/encoding/avro.js';
import { avscWriter, compileAvroWriter } from '../../src/encoding/avro-writer.js';
import { ByteWriter } from '../../src/encoding/writer.js';

test('inference merges what many samples show', () => {
  const schema = inferAvroSchema('shop.orders', [
    { id: 1, price: 3, big: 5, maybe: null, when: new Date(0), tags: ['a'], nested: { x: 1 }, sometimes: 1 },
    { id: 2, price: 2.5, big: 2 ** 40, maybe: 'x', when: new Date(1), tags: [], nested: { x: 2, y: 'z' } },
  ], 'f.json') as { name: string; fields: Array<{ name: string; type: unknown; default?: null }> };
  const t = Object.fromEntries(schema.fields.map((f) => [f.name, f]));
  assert.equal(schema.name, 'shop_orders', 'a valid Avro name');
  assert.equal(t.id!.type, 'int');
  assert.equal(t.price!.type, 'double', 'int and double merge to double');
  assert.equal(t.big!.type, 'long', 'beyond 32 bits is long');
  assert.deepEqual(t.maybe!.type, ['null', 'string']);
  assert.equal(t.maybe!.default, null);
  assert.deepEqual(t.when!.type, { type: 'long', logicalType: 'timestamp-millis' });
  assert.deepEqual(t.tags!.type, { type: 'array', items: 'string' });
  assert.deepEqual(t.sometimes!.type, ['null', 'int'], 'a field missing from some records is optional');
  assert.deepEqual(t.nested!.type, {
    type: 'record',
    name: 'shop_orders_nested',
    fields: [{ name: 'x', type: 'int' }, { name: 'y', type: ['null', 'string'], default: null }],
  });
});

test('the inferred schema encodes the samples, in Confluent wire format', () => {
  const records = [{ a: 1, d: new Date(5), s: null }, { a: 2, d: new Date(6), s: 'x' }];
  const schema = inferAvroSchema('t', records, 'f');
  const type = avroType(schema);
  for (const write of [compileAvroWriter(type), avscWriter(type)]) {
    const w = new ByteWriter(8);
    encodeAvroInto(write, 42, records[1], w);
    const buf = w.buf.subarray(0, w.pos);
    assert.equal(buf[0], 0, 'magic byte');
    assert.equal(buf.readUInt32BE(1), 42, 'schema id');
    const decoded = type.fromBuffer(buf.subarray(5)) as { a: number; d: Date; s: string };
    assert.equal(decoded.a, 2);
    assert.equal(decoded.s, 'x');
    assert.equal(new Date(decoded.d).getTime(), 6);
  }
});

test('field names that Avro cannot hold are a clear schema error', () => {
  assert.throws(() => inferAvroSchema('t', [{ 'first-name': 'x' }], 'f.json'), /f.json: dataset "t", field "first-name": "first-name" is not a valid Avro field name/);
});
