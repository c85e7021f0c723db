import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { test } from 'node:test';
import { ChunkSizer, chunkCap, run, shareSetup, startPool } from '../../src/main/run.js';
import { loadSchema } from '../../src/schema/load.js';
import type { EncodedBatch } from '../../src/encoding/batch.js';
import type { EncodingSpec } from '../../src/encoding/encoders.js';
import type { Sink } from '../../src/sinks/sink.js';
import type { GenTask } from '../../src/workers/messages.js';
import { CLI, example, fixture, lines, runCli, runCliAsync, tmpFile } from '../helpers.js';

test('-n -1 runs until Ctrl-C, then stops cleanly with a summary and whole lines', async () => {
  const child = spawn(process.execPath, [CLI, '-s', example('ecommerce/ecommerce.json'), '--dry-run', '-n', '-1', '--seed', '1']);
  let out = '';
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  const enough = new Promise<void>((resolve) => {
    child.stdout.on('data', (d) => {
      out += d;
      if (out.length > 2_000_000) resolve();
    });
  });
  await enough;
  child.kill('SIGINT');
  const code = await new Promise((r) => child.on('close', r));
  assert.equal(code, 0, err);
  assert.match(err, /iterations → stdout/);
  assert.ok(out.endsWith('\n'));
  assert.ok(lines(out).length > 1000);
});

test('worker threads are named datagen-worker (Linux), so top -H and the bench can tell them apart', { skip: process.platform !== 'linux' }, async () => {
  const child = spawn(process.execPath, [CLI, '-s', example('ecommerce/ecommerce.json'), '--dry-run', '-n', '-1', '--seed', '1', '--threads', '2']);
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
  child.stdout.resume();
  const threadNames = () =>
    readdirSync(`/proc/${child.pid}/task`).map((tid) => {
      try {
        return readFileSync(`/proc/${child.pid}/task/${tid}/comm`, 'utf8').trim();
      } catch {
        return '';
      }
    });
  // Each worker names itself when it takes its first chunk: give the second a moment to start.
  let names = threadNames();
  for (let i = 0; i < 50 && names.filter((n) => n === 'datagen-worker').length < 2; i++) {
    await new Promise((r) => setTimeout(r, 100));
    names = threadNames();
  }
  child.kill('SIGINT');
  const [code, signal] = await new Promise<[number | null, string | null]>((r) => child.on('close', (c, s) => r([c, s])));
  assert.equal(code, 0, `exit ${code}, signal ${signal}: ${err}`);
  assert.equal(names.filter((n) => n === 'datagen-worker').length, 2, names.join(','));
});

test('a closed pipe (| head) ends the run without an error', async () => {
  const child = spawn(process.execPath, [CLI, '-s', example('ecommerce/ecommerce.json'), '--dry-run', '-n', '200000', '--seed', '1']);
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  child.stdout.once('data', () => child.stdout.destroy());
  const code = await new Promise((r) => child.on('close', r));
  assert.equal(code, 0, err);
  assert.doesNotMatch(err, /error/i);
});

test('--wait paces iterations and keeps the same output', () => {
  const paced = runCli(['-s', example('ecommerce/ecommerce.json'), '--dry-run', '-n', '3', '--seed', '1', '-w', '20']);
  const fast = runCli(['-s', example('ecommerce/ecommerce.json'), '--dry-run', '-n', '3', '--seed', '1']);
  assert.equal(paced.code, 0, paced.stderr);
  assert.equal(paced.stdout, fast.stdout);
});

test('.env in the working directory is read (old `export` lines included)', () => {
  const dir = mkdtempSync(`${tmpdir()}/dg-env-`);
  writeFileSync(`${dir}/.env`, 'export KAFKA_BROKERS=example:9092\nSCHEMA_REGISTRY_PASSWORD=hunter2\n');
  const r = runCli(['-s', fixture('nested.json'), '--dry-run', '-n', '1', '--debug'], {}, dir);
  assert.equal(r.code, 0, r.stderr);
  assert.doesNotMatch(r.stderr, /hunter2/, 'secrets never printed');
});

test('a runtime failure in an expression names dataset and field and exits 1', () => {
  const file = tmpFile('flaky.json', [{ _meta: { topic: 't' }, x: 'iteration.index', y: "(() => { if (iteration.index === 3) throw new Error('boom'); return 1; })()" }]);
  const r = runCli(['-s', file, '--dry-run', '-n', '5', '--seed', '1', '--threads', '1']);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /dataset "t", field "y": expression failed in iteration 3: boom/);
  // Failing in the first iteration: nothing went out, and the error is all there is to say.
  const first = tmpFile('first.json', [{ _meta: { topic: 't' }, y: "(() => { throw new Error('boom'); })()" }]);
  const f = runCli(['-s', first, '--dry-run', '-n', '5', '--seed', '1', '--threads', '1']);
  assert.equal(f.code, 2, f.stderr);
  assert.match(f.stderr, /^datagen: error: .*dataset "t", field "y": expression failed: boom\n$/);
  assert.equal(f.stdout, '');
});

test('a run stopped by a failing expression says what was sent before it: whole iterations, as many as the output holds', () => {
  const file = tmpFile('late.json', [{ _meta: { topic: 't', key: 'id' }, id: 'iteration.index', v: "(() => { if (iteration.index === 2500) throw new Error('boom'); return 1; })()" }]);
  for (const threads of ['1', '2']) {
    const statsPath = tmpFile(`late-stats-${threads}.json`, '');
    const r = runCli(['-s', file, '--dry-run', '-n', '4000', '--seed', '1', '--threads', threads, '--stats', statsPath]);
    assert.equal(r.code, 1, r.stderr);
    const sent = /datagen: stopped by the error below; before it, (\d+) iterations were sent:\ndatagen: \1 iterations → stdout\n\s+t\s+(\d+) records/.exec(r.stderr);
    assert.ok(sent, r.stderr);
    const out = lines(r.stdout);
    assert.equal(out.length, Number(sent[1]));
    assert.equal(Number(sent[2]), out.length);
    assert.ok(out.length > 0 && out.length < 2500, `${out.length} sent`);
    assert.deepEqual(out.map((l) => l.value.id), Array.from({ length: out.length }, (_, i) => i + 1));
    // The error comes last, after the summary.
    assert.match(r.stderr, /records\/s\)\ndatagen: error: .*dataset "t", field "v": expression failed in iteration 2500: boom\n$/);
    // --stats holds the same figures, with the error and the exit code.
    const s = JSON.parse(readFileSync(statsPath, 'utf8')) as { exitCode: number; error: string; iterations: number; records: number; topics: Array<{ records: number }> };
    assert.equal(s.exitCode, 1);
    assert.match(s.error, /field "v": expression failed in iteration 2500: boom$/);
    assert.equal(s.iterations, out.length);
    assert.equal(s.records, out.length);
    assert.equal(s.topics[0]!.records, out.length);
  }
});

test('--stats is written by a failed command too, so an earlier run\'s figures never stay behind', () => {
  const statsPath = tmpFile('stale-stats.json', '');
  const good = runCli(['-s', example('ecommerce/ecommerce.json'), '--dry-run', '-n', '5', '--seed', '1', '--stats', statsPath]);
  assert.equal(good.code, 0, good.stderr);
  const ok = JSON.parse(readFileSync(statsPath, 'utf8')) as { exitCode: number; error: unknown; iterations: number };
  assert.deepEqual([ok.exitCode, ok.error, ok.iterations], [0, null, 5]);
  // A schema error (exit 2, nothing generated): the file now says so, and holds no figures.
  const bad = tmpFile('stats-bad.json', [{ _meta: { topic: 't', key: 'id' }, id: 'faker.nope.nothing()' }]);
  const r = runCli(['-s', bad, '--dry-run', '-n', '5', '--stats', statsPath]);
  assert.equal(r.code, 2, r.stderr);
  const failed = JSON.parse(readFileSync(statsPath, 'utf8')) as Record<string, unknown>;
  assert.deepEqual(Object.keys(failed).sort(), ['error', 'exitCode']);
  assert.equal(failed.exitCode, 2);
  assert.ok(r.stderr.endsWith(`\ndatagen: error: ${failed.error as string}\n`), r.stderr);
  // A flag that does not parse, with --stats=<file>: the same.
  const usage = runCli(['-s', bad, '--threads', '0', `--stats=${statsPath}`]);
  assert.equal(usage.code, 2, usage.stderr);
  assert.deepEqual(JSON.parse(readFileSync(statsPath, 'utf8')), { exitCode: 2, error: '--threads must be an integer ≥ 1, got "0"' });
});

test('--progress prints a line every so many seconds while running', async () => {
  const r = await runCliAsync(['-s', example('ecommerce/ecommerce.json'), '--dry-run', '-n', '-1', '-w', '50', '--seed', '1', '--progress', '1'], {}, 3500);
  assert.equal(r.code, 0, r.stderr);
  const progress = r.stderr.split('\n').filter((l) => /^datagen: \d+ iterations, \d+ records in \d+ s \(\d+ records\/s\)$/.test(l));
  assert.ok(progress.length >= 2, r.stderr);
  const counts = progress.map((l) => Number(/(\d+) iterations/.exec(l)![1]));
  assert.ok(counts[counts.length - 1]! > counts[0]!, 'the count moves on');
});

test('large --record-size keeps memory bounded: chunks are sized by their bytes', () => {
  // 1,000 iterations of 15 records of 100 kB: 1.5 GB of output. With a fixed 125-iteration chunk
  // (the old sizing) each chunk held 187 MB and six were in flight: over 1 GB resident.
  const stats = tmpFile('stats.json', '');
  const r = spawnSync(process.execPath, [CLI, '-s', example('ecommerce/ecommerce.json'), '--dry-run', '-n', '1000', '--record-size', '100000', '--seed', '1', '--threads', '2', '--stats', stats], {
    stdio: ['ignore', 'ignore', 'pipe'],
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr);
  const s = JSON.parse(readFileSync(stats, 'utf8')) as { records: number; bytes: number; maxRssMB: number };
  assert.ok(s.bytes > 1.4e9, `bytes ${s.bytes}`);
  assert.ok(s.maxRssMB < 500, `peak RSS ${s.maxRssMB} MB`);
});

test('chunk sizes follow the output: ~1 MB or 16,384 records a chunk, one iteration with --wait', () => {
  const fresh = new ChunkSizer(4096, false, 0);
  assert.equal(fresh.next(), 16);
  // 200 kB per iteration: five iterations make a megabyte.
  fresh.observe({ length: 2_000_000, counts: [100], iterations: 10 });
  assert.equal(fresh.next(), 5);
  // Nothing encoded (generate-only): 15 records per iteration → 1,092 iterations.
  const counting = new ChunkSizer(4096, false, 0);
  counting.observe({ length: 0, counts: [1500], iterations: 100 });
  assert.equal(counting.next(), 1092);
  // Small records are capped by the share of -n (or 4,096 iterations).
  const capped = new ChunkSizer(40, false, 0);
  capped.observe({ length: 1000, counts: [10], iterations: 10 });
  assert.equal(capped.next(), 40);
  assert.equal(new ChunkSizer(4096, false, 1_000_000).next(), 1);
  assert.equal(chunkCap(1000, 2, 5), 1);
  assert.equal(chunkCap(1000, 2, 0), 125);
  assert.equal(chunkCap(-1, 2, 0), 4096);
});

/** Collects what a run hands it; says it is done with batches when `done` (see Sink.doneWithBatches). */
class Collecting implements Sink {
  readonly buffers: ArrayBuffer[] = [];
  text = '';
  constructor(private readonly done: boolean) {}
  async prepare(): Promise<EncodingSpec> {
    return { kind: 'lines' };
  }
  async write(batch: EncodedBatch, start: number, end: number): Promise<void> {
    this.buffers.push(batch.buffer);
    this.text += Buffer.from(batch.buffer, start, end - start).toString();
  }
  async flush(): Promise<void> {}
  async close(): Promise<void> {}
  report(): undefined {
    return undefined;
  }
  doneWithBatches(): boolean {
    return this.done;
  }
}

test('batch buffers go back to the workers only when the sink is done with them, and the output stays the same', async () => {
  const { plan, avroNames } = loadSchema(example('ecommerce/ecommerce.json'));
  const gen = { seed: 1, refDate: Date.parse('2025-01-01T00:00:00Z'), recordSize: 0, allowCode: true, avroNames };
  const outputs: string[] = [];
  for (const done of [false, true]) {
    const sink = new Collecting(done);
    // Chunks of 100 iterations: 30 tasks, of which all but the first few go out after a delivery.
    const stats = await run({ plan, gen, sink, iterations: 3000, threads: 2, waitMs: 0, debug: false, log: () => {}, chunkSize: 100 });
    assert.equal(lines(sink.text).length, stats.records.reduce((a, b) => a + b, 0));
    // A buffer handed back to a worker is detached here: zero bytes long.
    const handedBack = sink.buffers.filter((b) => b.byteLength === 0).length;
    if (done) assert.ok(handedBack > sink.buffers.length / 2, `${handedBack} of ${sink.buffers.length} handed back`);
    else assert.equal(handedBack, 0);
    outputs.push(sink.text);
  }
  assert.ok(lines(outputs[0]!).length > 3000 * 10);
  assert.equal(outputs[1], outputs[0]);
});

test('the pool starts its other workers only when the first has no room: one for a short run, all for a long one', async () => {
  const { plan, avroNames } = loadSchema(example('ecommerce/ecommerce.json'));
  const gen = { seed: 1, refDate: Date.parse('2025-01-01T00:00:00Z'), recordSize: 0, allowCode: true, avroNames };
  const outputs: string[] = [];
  // Three one-iteration chunks: two go out at first, the third once the first is back, and the
  // first worker has room for it then.
  for (const [iterations, chunkSize, workers] of [[1, undefined, 1], [3, 1, 1], [5000, undefined, 2]] as const) {
    for (const threads of [1, 2]) {
      const pool = startPool(threads);
      const sink = new Collecting(false);
      await run({ plan, gen, sink, iterations, threads, waitMs: 0, debug: false, log: () => {}, pool, chunkSize });
      // Workers started, whether or not they had loaded by the end (a fast machine may finish first).
      const started = pool.threads.length;
      await pool.destroy();
      assert.equal(started, Math.min(workers, threads), `${iterations} iterations at ${threads} threads`);
      outputs.push(sink.text);
    }
  }
  for (let i = 0; i < outputs.length; i += 2) assert.equal(outputs[i + 1], outputs[i]);
  assert.ok(lines(outputs[4]!).length > 5000 * 10);
});

test("the main thread's young generation does not grow once the workers are up (a new worker's heap set-up re-enables growth)", () => {
  // In a process of its own: V8's flags are the whole process's. After a two-thread run, objects
  // that survive the main thread's young collections pile up as batches in flight do over a long
  // run; by default V8 then doubles its young generation (16 to 32 MB in the first minute of -n -1).
  const script = `
    import v8 from 'node:v8';
    const { run } = await import(${JSON.stringify(new URL('../../src/main/run.js', import.meta.url).href)});
    const { loadSchema } = await import(${JSON.stringify(new URL('../../src/schema/load.js', import.meta.url).href)});
    const youngMB = () => v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size / 1048576;
    const { plan, avroNames } = loadSchema(${JSON.stringify(example('ecommerce/ecommerce.json'))});
    const gen = { seed: 1, refDate: 0, recordSize: 0, allowCode: true, avroNames };
    const sink = { prepare: async () => ({ kind: 'none' }), write: async () => {}, flush: async () => {}, close: async () => {}, report: () => undefined };
    await run({ plan, gen, sink, iterations: 20000, threads: 2, waitMs: 0, debug: false, log: () => {} });
    const before = youngMB();
    const kept = [];
    for (let i = 0; i < 3e6; i++) { kept.push({ i }); if (kept.length > 100000) kept.length = 0; }
    console.log(JSON.stringify({ before, after: youngMB() }));
  `;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const { before, after } = JSON.parse(r.stdout.trim().split('\n').pop()!) as { before: number; after: number };
  assert.ok(before <= 8, `young generation ${before} MB after the run`);
  assert.equal(after, before, 'the young generation grew');
});

test('a worker starts its tasks in the order they were submitted, however many wait', async () => {
  const { plan, avroNames } = loadSchema(example('ecommerce/ecommerce.json'));
  const setup = shareSetup({ plan, gen: { seed: 1, refDate: 0, recordSize: 0, allowCode: true, avroNames }, encoding: { kind: 'none' } });
  // One worker, so the order in which tasks finish is the order in which it started them. With
  // Piscina's default, a task the balancer had no room for went to the back of the queue.
  const pool = startPool(1);
  const finished: number[] = [];
  try {
    await Promise.all(
      Array.from({ length: 12 }, (_, t) => pool.run({ setup, firstIteration: t * 50, count: 50 } satisfies GenTask).then(() => finished.push(t))),
    );
  } finally {
    await pool.destroy();
  }
  assert.deepEqual(finished, Array.from({ length: 12 }, (_, t) => t));
});
