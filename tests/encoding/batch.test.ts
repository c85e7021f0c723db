import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RecordCursor, type EncodedBatch } from '../../src/encoding/batch.js';

function readAll(batch: EncodedBatch, start?: number, end?: number) {
  const out = [];
  const c = new RecordCursor(batch, start, end);
  while (c.next()) out.push({ dataset: c.dataset, key: c.key, value: c.value });
  return out;
}
import { createEncoder } from '../../src/encoding/encoders.js';
import type { Plan } from '../../src/schema/plan.js';

const plan: Plan = {
  file: 'x.json',
  kind: 'json',
  datasets: [
    { name: 'a', topic: 'p_a', key: 'id', fields: [], relationships: [] },
    { name: 'b', topic: 'p_b', key: null, fields: [], relationships: [] },
  ],
};

test('records batches round-trip keys, values and counts; iteration ends fall between records', () => {
  const enc = createEncoder(plan, { kind: 'json' });
  enc.add(0, { id: 7, v: 'é' });
  enc.add(1, { v: 1 });
  enc.endIteration();
  enc.add(0, { id: 'k', v: null });
  enc.endIteration();
  const batch = enc.finish(10, true);
  assert.equal(batch.firstIteration, 10);
  assert.deepEqual(batch.counts, [2, 1]);
  const all = readAll(batch).map((r) => [r.dataset, r.key?.toString() ?? null, JSON.parse(r.value!.toString())]);
  assert.deepEqual(all, [[0, '7', { id: 7, v: 'é' }], [1, null, { v: 1 }], [0, 'k', { id: 'k', v: null }]]);
  const second = readAll(batch, batch.iterationEnds![0], batch.iterationEnds![1]);
  assert.equal(second.length, 1);
  assert.equal(second[0]!.key!.toString(), 'k');
  // The encoder starts afresh for the next chunk.
  enc.add(1, { v: 2 });
  enc.endIteration();
  assert.deepEqual(enc.finish(12).counts, [0, 1]);
});

test('lines batches are the dry-run contract', () => {
  const enc = createEncoder(plan, { kind: 'lines' });
  enc.add(0, { id: 1, at: new Date(0) });
  enc.add(1, { x: [1] });
  enc.endIteration();
  const b = enc.finish(0, true);
  const text = Buffer.from(b.buffer, 0, b.length).toString();
  assert.equal(text, '{"topic":"p_a","key":"1","value":{"id":1,"at":"1970-01-01T00:00:00.000Z"}}\n{"topic":"p_b","key":null,"value":{"x":[1]}}\n');
  assert.deepEqual([...b.iterationEnds!], [Buffer.byteLength(text)]);
  assert.equal(b.iterations, 1);
});

test('keys of every kind survive packing: empty, short and long, ASCII and not', () => {
  const keys = ['', 'a', 'é', 'x'.repeat(48), 'y'.repeat(49), `${'z'.repeat(47)}é`, `${'ü'.repeat(60)}`, '😀 emoji', 'ab\u0000c'];
  const enc = createEncoder(plan, { kind: 'json' });
  for (const id of keys) enc.add(0, { id, v: id });
  enc.endIteration();
  const got = readAll(enc.finish(0));
  assert.deepEqual(
    got.map((r) => r.key!.toString('utf8')),
    keys,
  );
  assert.deepEqual(
    got.map((r) => JSON.parse(r.value!.toString()).v),
    keys,
  );
});

test('number keys are their text, whether written as digits (whole, 0 to 2^31 - 1) or through String', () => {
  const numbers = [0, -0, 7, 9, 10, 99, 100, 12345, 2 ** 31 - 1, 2 ** 31, 2 ** 53, -1, -(2 ** 31), 1.5, 1e21, 1e-7, NaN, Infinity];
  const enc = createEncoder(plan, { kind: 'json' });
  for (const id of numbers) enc.add(0, { id, v: 1 });
  enc.add(0, { v: 'no key' });
  enc.add(0, { id: null, v: 'null key' });
  enc.add(0, { id: new Date(0), v: 'date key' });
  enc.add(0, { id: true, v: 'boolean key' });
  enc.endIteration();
  const got = readAll(enc.finish(0)).map((r) => (r.key === null ? null : r.key.toString('utf8')));
  assert.deepEqual(got, [...numbers.map((n) => String(n)), null, null, '1970-01-01T00:00:00.000Z', 'true']);
});

test('chunks of thousands of iterations keep every end; buffers handed back are refilled with the same bytes', () => {
  const fill = (enc: ReturnType<typeof createEncoder>, n: number) => {
    for (let i = 0; i < n; i++) {
      enc.add(0, { id: i, v: 'x'.repeat(i % 50) });
      enc.endIteration();
    }
    return enc.finish(0, true);
  };
  const fresh = createEncoder(plan, { kind: 'json' });
  const first = fill(fresh, 3000);
  const ends = first.iterationEnds!;
  assert.equal(first.iterations, 3000);
  assert.equal(ends.length, 3000);
  assert.equal(ends[2999], first.length);
  for (let i = 1; i < 3000; i++) assert.ok(ends[i]! > ends[i - 1]!);
  const expected = Buffer.from(first.buffer, 0, first.length).toString('latin1');

  // A spent buffer full of other bytes, handed back: the next batch is written over it, unchanged.
  const reused = createEncoder(plan, { kind: 'json' });
  const spent = fill(reused, 3000).buffer;
  new Uint8Array(spent).fill(0xee);
  reused.reuse([spent]);
  const next = fill(reused, 3000);
  const second = fill(reused, 3000);
  assert.equal(second.buffer, spent, 'the handed-back buffer was used for the batch after next');
  assert.equal(Buffer.from(second.buffer, 0, second.length).toString('latin1'), expected);
  assert.equal(Buffer.from(next.buffer, 0, next.length).toString('latin1'), expected);
  assert.deepEqual([...second.iterationEnds!], [...ends]);
  // Without --wait the batch only counts its iterations.
  reused.add(0, { id: 1, v: '' });
  reused.endIteration();
  const plain = reused.finish(0);
  assert.equal(plain.iterations, 1);
  assert.equal(plain.iterationEnds, undefined);
});

test('discard drops a chunk part-way, pending text included: the next batch holds only what follows', () => {
  for (const kind of ['lines', 'json'] as const) {
    const enc = createEncoder(plan, { kind });
    enc.add(0, { id: 1 });
    enc.endIteration();
    enc.add(1, { x: 'half an iteration' });
    enc.discard();
    enc.add(0, { id: 2 });
    enc.endIteration();
    const b = enc.finish(5, true);
    assert.equal(b.iterations, 1, kind);
    assert.deepEqual(b.counts, [1, 0], kind);
    assert.deepEqual([...b.iterationEnds!], [b.length], kind);
    if (kind === 'lines') assert.equal(Buffer.from(b.buffer, 0, b.length).toString(), '{"topic":"p_a","key":"2","value":{"id":2}}\n');
    else assert.deepEqual(readAll(b).map((r) => r.key!.toString()), ['2']);
  }
});
