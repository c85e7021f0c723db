import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import avro from 'avsc';
import { fixture, lines, runCli } from '../helpers.js';

test('.sql input: tables become topics, PRIMARY KEY the key, comments the generators', () => {
  const r = runCli(['-s', fixture('products.sql'), '--dry-run', '-n', '20', '--seed', '4']);
  assert.equal(r.code, 0, r.stderr);
  const out = lines(r.stdout);
  const products = out.filter((l) => l.topic === 'ecommerce.products');
  const orders = out.filter((l) => l.topic === 'shop.orders');
  assert.equal(products.length, 20);
  assert.equal(orders.length, 20);
  for (const p of products) {
    assert.equal(p.key, String(p.value.id));
    assert.deepEqual(Object.keys(p.value), ['id', 'name', 'merchant_id', 'price', 'status', 'note', 'created_at']);
    assert.ok(p.value.price >= 1000 && p.value.price <= 100000);
    assert.ok([0, 1].includes(p.value.status));
    assert.ok(p.value.name.length <= 64);
    assert.match(p.value.created_at, /^\d{4}-\d\d-\d\dT/);
    assert.ok(p.value.note.startsWith("it's "), 'quoted comment with an escaped quote is code');
  }
  for (const o of orders) {
    assert.equal(o.key, String(o.value.order_id));
    assert.ok(o.value.product_id >= 1 && o.value.product_id <= 100);
    assert.ok(o.value.quantity <= 32767);
    assert.match(o.value.placed_on, /^\d{4}-\d\d-\d\d$/);
  }
});

test('.avsc input: every generated record validates against the declared schema', () => {
  const schema = JSON.parse(readFileSync(fixture('complex.avsc'), 'utf8'));
  const type = avro.Type.forSchema(schema, { wrapUnions: false });
  const r = runCli(['-s', fixture('complex.avsc'), '--dry-run', '-n', '200', '--seed', '8']);
  assert.equal(r.code, 0, r.stderr);
  const out = lines(r.stdout);
  assert.equal(out.length, 200);
  const seenNull = new Set<string>();
  for (const l of out) {
    assert.equal(l.topic, 'Products');
    assert.equal(l.key, l.value.id);
    const v = l.value;
    // JSON turns bytes into {type:'Buffer', data}; restore them before validating.
    for (const k of ['checksum', 'raw']) v[k] = Buffer.from(v[k].data);
    const errors: string[] = [];
    assert.ok(type.isValid(v, { errorHook: (p: string[]) => errors.push(p.join('.')) }), `invalid at ${errors.join(', ')}`);
    for (const k of ['productId', 'sizes', 'secondary', 'previous']) if (v[k] === null) seenNull.add(k);
  }
  assert.ok(seenNull.size > 0, 'optional fields are sometimes null');
});

test('.avsc "faker" field attribute chooses the generator', () => {
  const out = lines(runCli(['-s', fixture('complex.avsc'), '--dry-run', '-n', '5', '--seed', '1']).stdout);
  for (const l of out) assert.ok(/\w+ \w+/.test(l.value.title), l.value.title);
});
