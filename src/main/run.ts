/**
 * The coordinator: shards iterations into chunks across Piscina workers, keeps a bounded window
 * of chunks in flight (memory stays flat with -n -1), hands batches to the sink strictly in
 * iteration order (so output is identical for any thread count), and paces with --wait.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import v8 from 'node:v8';
import { Piscina } from 'piscina';
import type { EncodedBatch } from '../encoding/batch.js';
import { DatagenError, deserializeError, serializeError, type SerializedError } from '../errors.js';
import { CollectionPacer, EXPOSE_GC_FLAG, gcFromNewContext } from '../heap.js';
import type { GenOptions, Plan } from '../schema/plan.js';
import type { Sink, SinkContext } from '../sinks/sink.js';
import type { GenResult, GenTask, WorkerSetup } from '../workers/messages.js';
import { destroyPool, noteIdle } from './early.js';
import { Timeline, type TimelinePoint } from './timeline.js';

export interface RunOptions {
  plan: Plan;
  gen: GenOptions;
  sink: Sink;
  /** -1 = until stopped. */
  iterations: number;
  threads: number;
  waitMs: number;
  debug: boolean;
  /** Stops scheduling new chunks (Ctrl-C). */
  signal?: AbortSignal;
  log(message: string): void;
  /** A fixed number of iterations per chunk instead of sizing chunks from their output. */
  chunkSize?: number;
  /** Seconds between progress lines on stderr; 0 = none. */
  progressSec?: number;
  /** A pool from startPool(threads), started early (early.ts); by default run() starts and destroys its own. */
  pool?: Piscina;
}

export interface RunStats {
  iterations: number;
  records: number[];
  bytes: number[];
  durationMs: number;
  /** When the first batch had been handed to the sink (ms since start), and records by then: start-up cost. */
  firstBatchMs?: number;
  recordsAtFirstBatch?: number;
  /** Records delivered over time (see Timeline). */
  timeline: TimelinePoint[];
}

const WORKER_URL = new URL('../workers/worker.js', import.meta.url).href;

/**
 * The workers' Node flags: the process's own, and require(esm) off. Piscina loads a worker's module
 * with require() first and import() only when that fails; from Node 20.19, require() of an ES
 * module links the whole graph synchronously, and a worker terminated in the middle of that (a
 * short run ending while its second worker still loads) aborts the whole process with
 * `FATAL ERROR: v8::Module::IsGraphAsync ...` after its summary (once in CI, twenty-first session).
 * Without it, require() refuses at once and import() loads the worker, as on older Nodes.
 */
const WORKER_EXEC_ARGV = process.allowedNodeEnvironmentFlags.has('--no-experimental-require-module') ? [...process.execArgv, '--no-experimental-require-module'] : undefined;

/**
 * Tasks a worker holds at once. Generation is synchronous, so a worker runs its tasks one after
 * another; two per worker means the next chunk is already waiting in the worker when one ends,
 * instead of the worker idling for a round trip through the main thread (which may be busy handing
 * a batch to the sink). It is also how many tasks run() submits before the first result: Piscina
 * starts another worker only for a task that no started worker has room for, so a run that fits
 * in the first worker's tasks (a short dry run) never pays for starting the others, and a longer
 * one starts them once the first worker has loaded, not alongside it.
 */
const TASKS_PER_WORKER = 2;

/**
 * Starts the worker pool. The command starts it before its own modules load (early.ts): a worker's
 * start-up (Node, our modules, faker's locale) is most of the time to a run's first record, and it
 * then overlaps the coordinator's. The workers learn the plan and the encoding from their first
 * task (`GenTask.setup`). Errors of the pool itself, not of a task, are logged by run() with --debug
 * and ignored until then: results that arrive while the pool shuts down after a failure are not
 * errors of their own.
 */
export function startPool(threads: number): Piscina {
  configureWorkerHeaps();
  // Workers that have loaded (Piscina emits workerCreate once a worker it added later is ready).
  const ready = new Set<number>();
  const pool = new Piscina({
    loadBalancer: (_task, workers) => leastBusyReady(workers, ready),
    filename: WORKER_URL,
    execArgv: WORKER_EXEC_ARGV,
    // One worker from the start, the others when run() has more work than it holds (see
    // TASKS_PER_WORKER): started together, they and the main thread (loading its own modules)
    // were three threads' start-up on two cores, and a one-record dry run took about 90 ms longer
    // at two threads than at one when the cores were busy (nineteenth session, bench/README.md).
    minThreads: 1,
    maxThreads: threads,
    idleTimeout: 60_000,
    concurrentTasksPerWorker: TASKS_PER_WORKER,
    // A task the balancer has no room for goes back to the front of the queue, not the back (the
    // default): a worker then starts tasks in the order run() submitted them. Out of order, the
    // next batch to deliver could wait behind later ones, and a failed task's leftovers once
    // reached an earlier batch (the worker discards them now, worker.ts).
    stricterFIFO: true,
  });
  pool.on('workerCreate', (w: PoolWorker) => {
    ready.add(w.id);
    holdMainYoungGeneration();
  });
  pool.on('workerDestroy', (w: PoolWorker) => ready.delete(w.id));
  pool.on('error', () => {});
  return pool;
}

interface PoolWorker {
  readonly id: number;
  readonly currentUsage: number;
}

/**
 * Piscina's least-busy choice among the workers that have loaded. Piscina's own also hands tasks
 * to a worker still starting: a worker added when the first had no room took tasks the first would
 * have finished long before the newcomer had loaded, and a 1000-iteration dry run ended about
 * 100 ms later at two threads than at one. Here a task waits in the pool's queue for whichever
 * worker has room first.
 */
function leastBusyReady<W extends PoolWorker>(workers: W[], ready: ReadonlySet<number>): W | null {
  let best: W | null = null;
  for (const w of workers) {
    if (!ready.has(w.id) || w.currentUsage >= TASKS_PER_WORKER) continue;
    if (best === null || w.currentUsage < best.currentUsage) best = w;
  }
  return best;
}

/**
 * A worker's error (an expression that threw, a value Avro cannot hold), carrying the run's figures
 * up to it: the batches before the failed one were handed to the sink whole and in order, and the
 * command flushes them and says how much got out (sentBefore, program.ts).
 */
function stoppedBy(error: SerializedError, stats: RunStats, started: number): DatagenError {
  const e = deserializeError(error);
  e.context.sentBefore = { ...stats, durationMs: performance.now() - started } satisfies RunStats;
  return e;
}

/** The figures of what a run had handed to its sink before a worker's error stopped it, if that is what `e` is. */
export function sentBefore(e: unknown): RunStats | undefined {
  return e instanceof DatagenError ? (e.context.sentBefore as RunStats | undefined) : undefined;
}

/**
 * A batch holds exactly its task's iterations, or the run stops: records lost or sent twice would
 * otherwise go unnoticed (a worker once carried a failed task's records into its next batch).
 */
function checked(task: GenTask, r: GenResult): GenResult {
  if (!r.ok || (r.batch.firstIteration === task.firstIteration && r.batch.iterations === task.count)) return r;
  const got = `${r.batch.iterations} from iteration ${r.batch.firstIteration}`;
  return { ok: false, error: serializeError(new Error(`internal error: a worker returned ${got} for the ${task.count} from iteration ${task.firstIteration} it was given`)) };
}

/** The setup every worker needs, serialised once into memory that every task shares (not copies). */
export function shareSetup(setup: WorkerSetup): SharedArrayBuffer {
  const bytes = v8.serialize(setup);
  const shared = new SharedArrayBuffer(bytes.length);
  new Uint8Array(shared).set(bytes);
  return shared;
}

export async function run(o: RunOptions): Promise<RunStats> {
  const started = performance.now();
  const ctx: SinkContext = { plan: o.plan, debug: o.debug, log: o.log, sample: (n) => sampleRecords(o.plan, o.gen, n) };
  const encoding = await o.sink.prepare(ctx);
  const setup = shareSetup({ plan: o.plan, gen: o.gen, encoding });
  // A pool the caller started is the caller's to destroy; one made here is destroyed here.
  const pool = o.pool ?? startPool(o.threads);
  noteIdle(pool, false);
  const onPoolError = (e: Error) => o.log(`worker pool: ${e.message}`);
  if (o.debug) pool.on('error', onPoolError);
  // This thread's own collections (src/heap.ts): startPool set the flag that makes gc() available.
  const collections = new CollectionPacer(gcFromNewContext());
  const timeline = new Timeline();
  const stats: RunStats = { iterations: 0, records: o.plan.datasets.map(() => 0), bytes: o.plan.datasets.map(() => 0), durationMs: 0, timeline: timeline.points };
  const infinite = o.iterations < 0;
  const sizer = new ChunkSizer(o.chunkSize ?? chunkCap(o.iterations, o.threads, o.waitMs), o.chunkSize !== undefined, o.gen.recordSize);
  // Two chunks queued in each worker, plus one per thread in transit or being delivered.
  const window = o.threads * (TASKS_PER_WORKER + 1);
  const queue: Array<Promise<GenResult>> = [];
  // Buffers of delivered batches, handed back to the workers with the next tasks: the main
  // thread would otherwise free each one only when its GC runs, and the workers allocate anew.
  const spent: ArrayBuffer[] = [];
  let next = 0;
  const progress = o.progressSec ? setInterval(() => o.log(progressLine(stats, performance.now() - started)), o.progressSec * 1000) : undefined;
  progress?.unref();
  try {
    for (;;) {
      while (queue.length < (stats.firstBatchMs === undefined ? TASKS_PER_WORKER : window) && (infinite || next < o.iterations) && !o.signal?.aborted) {
        const chunk = sizer.next();
        const task: GenTask = { setup, firstIteration: next, count: infinite ? chunk : Math.min(chunk, o.iterations - next), ends: o.waitMs > 0 };
        next += task.count;
        const spare = spent.pop();
        if (spare) task.spare = [spare];
        queue.push(pool.run(task, { transferList: task.spare }).then((r: GenResult) => checked(task, r), (e: unknown): GenResult => ({ ok: false, error: serializeError(e) })));
      }
      const head = queue.shift();
      if (!head || o.signal?.aborted) break;
      const result = await head;
      if (!result.ok) throw stoppedBy(result.error, stats, started);
      sizer.observe(result.batch);
      await deliver(result.batch, o, stats);
      if (o.sink.doneWithBatches?.() && spent.length < window) spent.push(result.batch.buffer);
      const records = stats.records.reduce((a, b) => a + b, 0);
      const ms = performance.now() - started;
      timeline.note(ms, records);
      if (stats.firstBatchMs === undefined) {
        holdMainYoungGeneration();
        stats.firstBatchMs = ms;
        stats.recordsAtFirstBatch = records;
      }
      collections.tick();
      // After the batch's bookkeeping, so the timeline holds it.
      const why = o.sink.stopReason?.();
      if (why !== undefined && !o.signal?.aborted) {
        o.log(`stopping: ${why}; finishing what is in flight`);
        break;
      }
    }
  } finally {
    clearInterval(progress);
    await Promise.allSettled(queue.splice(0));
    noteIdle(pool, true);
    pool.off('error', onPoolError);
    if (!o.pool) await destroyPool(pool);
  }
  await o.sink.flush();
  stats.durationMs = performance.now() - started;
  return stats;
}

/**
 * Fixes the workers' young generations at 4 MB semi-spaces, from the start. By default V8 starts
 * them at 1 MB and doubles them as objects survive, up to 16 MB: the workers reached that within
 * about 15 s, and RSS rose by about 40 MB meanwhile (ninth session). Starting them at 16 MB kept
 * memory from creeping, but a worker's records die within an iteration, and a young generation
 * that large only spreads its allocations over more memory than the caches hold: two workers
 * made 3-6% fewer records per second than with 4 MB, and two single-thread processes 10% fewer
 * (fourteenth session, bench/README.md), at about 45 MB more RSS. The flags are read when an
 * isolate's heap is set up, so they apply to workers created from here on, not to the main thread.
 * `--expose-gc` lets every thread run the periodic full collections of src/heap.ts.
 *
 * `--no-parallel-scavenge`: each thread collects its young generation alone. By default V8 hands
 * part of every young collection to helper threads; with semi-spaces this small a worker collects
 * many times a second, and the helpers' start and synchronisation cost more than they share, while
 * on a machine whose cores the workers already fill they only take turns with the other workers.
 * Generate-only ecommerce made 3-5% more records per second at one and at two threads, Avro to
 * Kafka at one thread about 7% more, wide records the same (twenty-sixth session, bench/README.md).
 * The flag is the whole process's: the main thread's young collections are single-threaded too.
 */
function configureWorkerHeaps(): void {
  v8.setFlagsFromString(`--min-semi-space-size=4 --max-semi-space-size=4 --no-parallel-scavenge ${EXPOSE_GC_FLAG}`);
}

/**
 * Keeps the main thread's young generation at the size it has, by V8's growth factor 1. Its size
 * was set at process start, beyond the flags above, and V8 doubles it each time enough objects
 * have survived its collections since it last grew (batches in flight, their promises, the
 * timeline): however few survive each time, they add up. On a machine making 1.5 M records a
 * second it went from 8 to 16 MB semi-spaces within the first minute of `-n -1`, RSS 117→143 MB;
 * held, RSS stayed at 116-118 MB at the same rate (thirtieth session, bench/README.md). V8 reads
 * the factor each time it would grow a young generation, but every new isolate's heap set-up
 * raises it back to at least 2, so it is set again once each worker is up: at the run's first
 * result (the workers started with the pool) and when Piscina reports a worker it added later
 * ready. The workers' own young generations cannot grow anyway (min = max).
 */
function holdMainYoungGeneration(): void {
  v8.setFlagsFromString('--semi-space-growth-factor=1');
}

async function deliver(batch: EncodedBatch, o: RunOptions, stats: RunStats): Promise<void> {
  if (o.waitMs > 0) {
    let start = 0;
    for (const end of batch.iterationEnds!) {
      if (o.signal?.aborted) return;
      await o.sink.write(batch, start, end);
      start = end;
      stats.iterations++;
      await sleep(o.waitMs);
    }
  } else {
    await o.sink.write(batch, 0, batch.length);
    stats.iterations += batch.iterations;
  }
  // With --wait a chunk is a single iteration, so an abort never leaves a batch half counted.
  for (let d = 0; d < batch.counts.length; d++) {
    stats.records[d]! += batch.counts[d]!;
    stats.bytes[d]! += batch.bytes[d]!;
  }
}

function progressLine(stats: RunStats, ms: number): string {
  const records = stats.records.reduce((a, b) => a + b, 0);
  return `${stats.iterations} iterations, ${records} records in ${(ms / 1000).toFixed(0)} s (${Math.round(records / (ms / 1000))} records/s)`;
}

/** The most iterations in one chunk: with --wait one (pacing is per iteration); else small enough to share out the work evenly. */
export function chunkCap(iterations: number, threads: number, waitMs: number): number {
  if (waitMs > 0) return 1;
  if (iterations < 0) return ChunkSizer.MAX_ITERATIONS;
  return Math.max(1, Math.min(ChunkSizer.MAX_ITERATIONS, Math.ceil(iterations / (threads * 4))));
}

/**
 * Sizes chunks from what the chunks so far held: about TARGET_BYTES of encoded output or
 * TARGET_RECORDS records each, whichever comes first. Large enough that the hop between threads
 * costs little per record, small enough that the chunks in flight (3 per thread) stay a few
 * megabytes whatever the record size (`--record-size 1000000` makes megabyte records). Output
 * does not depend on chunking: every iteration is seeded on its own.
 */
export class ChunkSizer {
  static readonly TARGET_BYTES = 1 << 20;
  static readonly TARGET_RECORDS = 16_384;
  static readonly MAX_ITERATIONS = 4096;
  private iterations = 0;
  private records = 0;
  private bytes = 0;
  private size: number;

  /** `fixed`: always `cap` iterations (an explicit chunk size). */
  constructor(
    private readonly cap: number,
    private readonly fixed: boolean,
    recordSize: number,
  ) {
    // Before the first result comes back the window fills with chunks of unknown size: start small,
    // and with one iteration when every record carries a --record-size payload.
    this.size = fixed ? cap : Math.min(cap, recordSize > 0 ? 1 : 16);
  }

  next(): number {
    return this.size;
  }

  observe(batch: { length: number; counts: number[]; iterations: number }): void {
    if (this.fixed) return;
    this.iterations += batch.iterations;
    this.bytes += batch.length;
    for (const c of batch.counts) this.records += c;
    if (this.iterations === 0) return;
    const byBytes = this.bytes > 0 ? ChunkSizer.TARGET_BYTES / (this.bytes / this.iterations) : Infinity;
    const byRecords = this.records > 0 ? ChunkSizer.TARGET_RECORDS / (this.records / this.iterations) : Infinity;
    this.size = Math.max(1, Math.min(this.cap, Math.floor(Math.min(byBytes, byRecords))));
  }
}

/** Generates iterations 0..n-1 in this thread (schema inference only; same values as the workers make). */
export async function sampleRecords(plan: Plan, gen: GenOptions, iterations: number): Promise<Array<Array<Record<string, unknown>>>> {
  const { RecordGraph } = await import('../generate/graph.js');
  const graph = new RecordGraph(plan, gen);
  const out: Array<Array<Record<string, unknown>>> = plan.datasets.map(() => []);
  for (let i = 0; i < iterations; i++) graph.generate(i, (d, r) => out[d]!.push(r));
  return out;
}
