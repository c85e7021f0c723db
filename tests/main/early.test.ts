import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { test } from 'node:test';
import { generates, startEarlyPool, takeEarlyPool, threadsArg } from '../../src/main/early.js';

test('the early look at the arguments: which runs generate, and --threads as commander reads it', () => {
  assert.equal(generates(['-s', 'a.json', '--dry-run']), true);
  for (const flag of ['-c', '--clean', '-h', '--help', '-V', '--version']) assert.equal(generates(['-s', 'a.json', flag]), false, flag);
  assert.equal(threadsArg(['-s', 'a.json']), undefined);
  assert.equal(threadsArg(['--threads', '3']), 3);
  assert.equal(threadsArg(['--threads=4', '-n', '5']), 4);
  assert.equal(threadsArg(['--threads', '2', '--threads', '1']), 1, 'the last one wins, as in commander');
  for (const bad of ['0', '-1', '1.5', 'x', '']) assert.equal(threadsArg(['--threads', bad]), undefined, bad);
  assert.equal(threadsArg(['--threads']), undefined);
});

test('the early pool is handed over only with the same thread count, and released otherwise', async () => {
  await startEarlyPool(['-s', 'a.json', '--threads', '1']);
  const pool = await takeEarlyPool(1);
  assert.ok(pool, 'same --threads: the program gets the pool');
  assert.equal(pool.options.maxThreads, 1);
  assert.equal(await takeEarlyPool(1), undefined, 'handed over once');
  await pool.destroy();

  await startEarlyPool(['-s', 'a.json']);
  assert.equal(await takeEarlyPool(availableParallelism() + 1), undefined, 'other --threads: destroyed, the program starts its own');
  assert.equal(await takeEarlyPool(availableParallelism()), undefined);

  await startEarlyPool(['-s', 'a.json', '--clean']);
  assert.equal(await takeEarlyPool(availableParallelism()), undefined, '--clean starts no pool');
});
