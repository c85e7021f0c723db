import assert from 'node:assert/strict';
import { test } from 'node:test';
import { example, lines, runCli, sha256 } from '../helpers.js';

const schema = example('ecommerce/ecommerce.json');

test('one seed gives byte-identical output for 1, 2 and 4 threads', () => {
  const hashes = [1, 2, 4].map((t) => {
    const r = runCli(['-s', schema, '--dry-run', '-n', '3000', '--seed', '42', '--threads', String(t)]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.stdout.length > 100_000);
    return sha256(r.stdout);
  });
  assert.equal(new Set(hashes).size, 1, `hashes differ: ${hashes.join(' ')}`);
});

test('another seed gives different data; no seed prints the one it picked', () => {
  const a = runCli(['-s', schema, '--dry-run', '-n', '50', '--seed', '42']);
  const b = runCli(['-s', schema, '--dry-run', '-n', '50', '--seed', '43']);
  assert.notEqual(sha256(a.stdout), sha256(b.stdout));
  const c = runCli(['-s', schema, '--dry-run', '-n', '50']);
  const m = /seed (\d+) \(repeat this run with --seed \d+ --ref-date (\S+)\)/.exec(c.stderr);
  assert.ok(m, c.stderr);
  const again = runCli(['-s', schema, '--dry-run', '-n', '50', '--seed', m[1]!, '--ref-date', m[2]!]);
  assert.equal(again.stdout, c.stdout);
});

test('Math.random inside expressions is seeded (uniqueArray in the seed schema repeats)', () => {
  const a = lines(runCli(['-s', schema, '--dry-run', '-n', '20', '--seed', '9', '--threads', '1']).stdout);
  const b = lines(runCli(['-s', schema, '--dry-run', '-n', '20', '--seed', '9', '--threads', '2']).stdout);
  const ids = (ls: typeof a) => ls.filter((l) => l.topic === 'purchases').map((l) => l.value.item_ids.join(','));
  assert.deepEqual(ids(a), ids(b));
});

test('chunking does not change output (a run of n equals the first n of a longer run)', () => {
  const short = runCli(['-s', schema, '--dry-run', '-n', '7', '--seed', '1']).stdout;
  const long = runCli(['-s', schema, '--dry-run', '-n', '700', '--seed', '1', '--threads', '3']).stdout;
  assert.ok(long.startsWith(short));
});
