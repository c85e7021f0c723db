import assert from 'node:assert/strict';
import { dirname } from 'node:path';
import { test } from 'node:test';
import { isKafkaRun, jemallocLibrary, numberArg, relaunchLibrary, SHORT_RUN_ITERATIONS } from '../../src/main/allocator.js';
import { example, runCli, tmpFile } from '../helpers.js';

test('only Kafka runs relaunch: json (the default) and avro, not dry runs, --clean, --help or other sinks', () => {
  const s = ['-s', 'x.json'];
  assert.equal(isKafkaRun(s), true);
  assert.equal(isKafkaRun([...s, '-f', 'avro', '-n', '-1']), true);
  assert.equal(isKafkaRun([...s, '--format=json']), true);
  for (const other of [['-f', 'postgres'], ['--format', 'mysql'], ['--format=webhook'], ['-fpostgres'], ['--dry-run'], ['-dr'], ['-f', 'avro', '--clean'], ['-c'], ['--help'], ['-V']]) {
    assert.equal(isKafkaRun([...s, ...other]), false, other.join(' '));
  }
});

test('DATAGEN_ALLOCATOR: system never relaunches, a path is used (a missing one is an error), a process already preloaded does not relaunch', { skip: process.platform !== 'linux' }, () => {
  const args = ['-s', 'x.json', '-f', 'avro'];
  const lib = tmpFile('libjemalloc.so.2', '');
  assert.equal(relaunchLibrary(args, { DATAGEN_ALLOCATOR: lib }), lib);
  assert.throws(() => relaunchLibrary(args, { DATAGEN_ALLOCATOR: `${lib}.missing` }), /DATAGEN_ALLOCATOR is ".*\.missing": no such file/);
  const other = tmpFile('libtcmalloc.so.4', '');
  assert.equal(relaunchLibrary(args, { DATAGEN_ALLOCATOR: other }), other);
  assert.equal(relaunchLibrary(args, { DATAGEN_ALLOCATOR: other, LD_PRELOAD: other }), undefined, 'the relaunched process does not relaunch again');
  assert.equal(relaunchLibrary(args, { DATAGEN_ALLOCATOR: 'system' }), undefined);
  assert.equal(relaunchLibrary(args, { DATAGEN_ALLOCATOR: lib, LD_PRELOAD: '/opt/lib/libjemalloc.so.2' }), undefined, 'already preloaded: the relaunched process itself');
  assert.equal(relaunchLibrary(['-s', 'x.json', '--dry-run'], { DATAGEN_ALLOCATOR: lib }), undefined);
});

test('short Kafka runs stay in their own process unless DATAGEN_ALLOCATOR asks for jemalloc; long and endless ones relaunch', { skip: process.platform !== 'linux' }, () => {
  assert.equal(numberArg(['-s', 'x.json']), 10, 'the default');
  assert.equal(numberArg(['-n', '5']), 5);
  assert.equal(numberArg(['-n5']), 5);
  assert.equal(numberArg(['--number', '-1']), -1);
  assert.equal(numberArg(['--number=20000', '-f', 'avro']), 20000);
  assert.equal(numberArg(['-n', 'many']), undefined);
  const lib = tmpFile('libjemalloc.so.2', '');
  const installed = jemallocLibrary({});
  const run = (n: string[]) => ['-s', 'x.json', '-f', 'avro', ...n];
  for (const short of [[], ['-n', '1'], ['-n', String(SHORT_RUN_ITERATIONS)], ['--number=0']]) {
    assert.equal(relaunchLibrary(run(short), {}), undefined, short.join(' '));
    assert.equal(relaunchLibrary(run(short), { DATAGEN_ALLOCATOR: lib }), lib, `${short.join(' ')}: a named library is used`);
    assert.equal(relaunchLibrary(run(short), { DATAGEN_ALLOCATOR: 'jemalloc' }), installed, `${short.join(' ')}: DATAGEN_ALLOCATOR=jemalloc`);
  }
  for (const long of [['-n', String(SHORT_RUN_ITERATIONS + 1)], ['-n', '-1'], ['--number', 'x']]) {
    assert.equal(relaunchLibrary(run(long), {}), installed, long.join(' '));
    assert.equal(relaunchLibrary(run(long), { DATAGEN_ALLOCATOR: 'system' }), undefined);
  }
});

test('a DATAGEN_ALLOCATOR in ./.env that names no file: exit 2 before anything runs, the environment winning over .env', { skip: process.platform !== 'linux' }, () => {
  const dir = dirname(tmpFile('.env', 'DATAGEN_ALLOCATOR=/nonexistent/libjemalloc.so.2\nKAFKA_BROKERS=127.0.0.1:9\n'));
  const args = ['-s', example('ecommerce/ecommerce.json'), '-n', '1'];
  const r = runCli(args, {}, dir);
  assert.equal(r.code, 2, r.stderr);
  assert.equal(r.stderr, 'datagen: error: DATAGEN_ALLOCATOR is "/nonexistent/libjemalloc.so.2": no such file (use "system", "jemalloc", or the path of libjemalloc.so.2)\n');
  // With the environment's own value the program runs (and stops at the next problem: a missing schema).
  const env = runCli(['-s', `${dir}/missing.json`, '-n', '1', '--debug'], { DATAGEN_ALLOCATOR: 'system' }, dir);
  assert.match(env.stderr, /allocator the system's malloc/);
  assert.doesNotMatch(env.stderr, /DATAGEN_ALLOCATOR is/);
  assert.match(env.stderr, /missing\.json/);
});
