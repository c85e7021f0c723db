import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { loadSchema } from '../../src/schema/load.js';
import { RecordGraph, type GenRecord } from '../../src/generate/graph.js';
import { example, lines, runCli, tmpFile } from '../helpers.js';

const gen = { seed: 11, refDate: Date.parse('2025-01-01'), recordSize: 0, allowCode: true };

/** Every record of one iteration, per topic, straight from the record graph. */
function iterations(file: string, n: number): Array<Record<string, GenRecord[]>> {
  const { plan } = loadSchema(file);
  const graph = new RecordGraph(plan, gen);
  return Array.from({ length: n }, (_, i) => {
    const out: Record<string, GenRecord[]> = {};
    graph.generate(i, (d, r) => (out[plan.datasets[d]!.topic] ??= []).push(r));
    return out;
  });
}

test('current ecommerce schema: 4 purchases per user, one item per item_ids element, ids match', () => {
  for (const it of iterations(example('ecommerce/ecommerce.json'), 200)) {
    assert.equal(it.users!.length, 1);
    const user = it.users![0]!;
    assert.equal(it.purchases!.length, 4);
    for (const p of it.purchases!) {
      assert.equal(p.user_id, user.id, 'purchase.user_id is its user.id');
      assert.ok(Array.isArray(p.item_ids) && p.item_ids.length >= 1 && p.item_ids.length <= 4);
    }
    const expectedItems = it.purchases!.flatMap((p) => p.item_ids as number[]);
    assert.deepEqual(it.items!.map((i) => i.id), expectedItems, 'one item per element, in order');
    for (const item of it.items!) assert.equal(typeof item.material, 'string');
  }
});

test('legacy ecommerce schema: 2 purchases per user, 3 items per purchase with the purchase item_id', () => {
  for (const it of iterations(example('ecommerce-legacy/ecommerce.json'), 200)) {
    const users = it.mz_datagen_ecommerce_users!;
    const purchases = it.mz_datagen_ecommerce_purchases!;
    const items = it.mz_datagen_ecommerce_items!;
    assert.equal(users.length, 1);
    assert.equal(purchases.length, 2);
    assert.equal(items.length, 6);
    for (const p of purchases) assert.equal(p.user_id, users[0]!.id);
    purchases.forEach((p, k) => {
      for (const item of items.slice(k * 3, k * 3 + 3)) assert.equal(item.id, p.item_id);
    });
    assert.ok(users[0]!.created_at instanceof Date, 'date.recent gives a Date (ISO text once encoded)');
  }
});

test('dry run prints parents before their children, iteration by iteration, keys as strings', () => {
  const r = runCli(['-s', example('ecommerce/ecommerce.json'), '--dry-run', '-n', '30', '--seed', '5']);
  assert.equal(r.code, 0, r.stderr);
  const out = lines(r.stdout);
  let user: Record<string, any> | undefined;
  const purchaseItems: number[] = [];
  for (const l of out) {
    assert.equal(l.key, String(l.value.id));
    if (l.topic === 'users') {
      assert.deepEqual(purchaseItems, [], 'all items of the previous iteration were printed');
      user = l.value;
    } else if (l.topic === 'purchases') {
      assert.equal(l.value.user_id, user!.id);
      purchaseItems.push(...l.value.item_ids);
    } else {
      assert.equal(l.topic, 'items');
      assert.equal(l.value.id, purchaseItems.shift());
    }
  }
  assert.equal(out.filter((l) => l.topic === 'users').length, 30);
});

test('the order of datasets in the file does not matter', () => {
  const doc = JSON.parse(readFileSync(example('ecommerce/ecommerce.json'), 'utf8')) as unknown[];
  const file = tmpFile('reversed.json', [...doc].reverse());
  const a = runCli(['-s', example('ecommerce/ecommerce.json'), '--dry-run', '-n', '20', '--seed', '3']);
  const b = runCli(['-s', file, '--dry-run', '-n', '20', '--seed', '3']);
  assert.equal(b.code, 0, b.stderr);
  assert.equal(b.stdout, a.stdout);
});

test('--prefix renames topics', () => {
  const r = runCli(['-s', example('ecommerce/ecommerce.json'), '--dry-run', '-n', '1', '--seed', '1', '-p', 'mz']);
  assert.deepEqual([...new Set(lines(r.stdout).map((l) => l.topic))], ['mz_users', 'mz_purchases', 'mz_items']);
});
