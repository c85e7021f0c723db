import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CollectionPacer, takeGc } from '../src/heap.js';
import { lines, runCli, tmpFile } from './helpers.js';

test('the pacer collects only once its interval has passed, and counts from the last collection', () => {
  let calls = 0;
  const pacer = new CollectionPacer(() => calls++, 100, 0);
  assert.equal(pacer.tick(50), false);
  assert.equal(pacer.tick(99), false);
  assert.equal(calls, 0);
  assert.equal(pacer.tick(100), true);
  assert.equal(calls, 1);
  // The next interval starts when the collection ended (performance.now()), far past 100 here.
  assert.equal(pacer.tick(150), false);
  assert.equal(calls, 1);
  assert.equal(new CollectionPacer(undefined, 0, 0).tick(1e9), false, 'without gc() it does nothing');
});

test('takeGc returns gc() and leaves undefined in its place', () => {
  const gc = () => undefined;
  const global: Record<string, unknown> = { gc };
  assert.equal(takeGc(global), gc);
  assert.equal(global.gc, undefined);
  assert.equal(takeGc({}), undefined);
  assert.equal(takeGc({ gc: 'not a function' }), undefined);
});

test('schema expressions never see the gc() that the coordinator exposes to its threads', () => {
  const schema = tmpFile(
    'gc.json',
    JSON.stringify([{ _meta: { topic: 't' }, id: 'iteration.index', gc: 'typeof gc', global: "typeof globalThis.gc" }]),
  );
  for (const threads of ['1', '2']) {
    const r = runCli(['-s', schema, '--dry-run', '-n', '3', '--seed', '1', '--threads', threads]);
    assert.equal(r.code, 0, r.stderr);
    const out = lines(r.stdout);
    assert.equal(out.length, 3);
    for (const l of out) assert.deepEqual([l.value.gc, l.value.global], ['undefined', 'undefined']);
  }
});
