/**
 * Piscina task entry. Builds everything expensive once per thread (faker with our randomizer,
 * compiled expressions, encoders), then turns each task into one packed, transferred buffer.
 */
import { Piscina } from 'piscina';
import { writeFileSync } from 'node:fs';
import v8 from 'node:v8';
import { createEncoder, type Encoder } from '../encoding/encoders.js';
import { serializeError } from '../errors.js';
import { CollectionPacer, takeGc } from '../heap.js';
import { RecordGraph, type Emit } from '../generate/graph.js';
import type { GenResult, GenTask, WorkerSetup } from './messages.js';

// gc() is on this thread's global because the coordinator set --expose-gc before making the pool;
// taken off it here, so that nothing else sees it (src/heap.ts).
const collections = new CollectionPacer(takeGc(globalThis as unknown as Record<string, unknown>));

interface State {
  graph: RecordGraph;
  encoder: Encoder;
  /**
   * `encoder.add`, bound once per thread. Bound afresh for every task, it was a new function at
   * `generate`'s emit call each time, which V8 then called as any function (megamorphic, never
   * inlined).
   */
  add: Emit;
}

/** Built at the first task (two may arrive together), then shared; a failure fails every task alike. */
let building: Promise<State> | undefined;
/** Once built: later tasks run synchronously, without a promise each. */
let ready: State | undefined;

async function build(shared: SharedArrayBuffer): Promise<State> {
  nameThread();
  const { plan, gen, encoding } = v8.deserialize(new Uint8Array(shared)) as WorkerSetup;
  // The Avro encoder (and avsc with it) only where this run encodes Avro: loading it is a good
  // part of a worker's start-up, which a dry run's first record would wait for.
  if (encoding.kind === 'avro') await import('../encoding/avro.js');
  const encoder = createEncoder(plan, encoding);
  return { graph: new RecordGraph(plan, gen), encoder, add: encoder.add.bind(encoder) };
}

/**
 * Names this OS thread "datagen-worker" (Linux), so that `top -H` and the bench, which splits CPU
 * time by thread, can tell the workers from V8's and libuv's own threads, all named "node".
 */
function nameThread(): void {
  try {
    writeFileSync('/proc/thread-self/comm', 'datagen-worker');
  } catch {
    // Not Linux, or /proc not mounted: the name is only a convenience.
  }
}

function runTask({ graph, encoder, add }: State, task: GenTask): GenResult {
  try {
    collections.tick();
    if (task.spare) encoder.reuse(task.spare);
    const end = task.firstIteration + task.count;
    for (let i = task.firstIteration; i < end; i++) {
      graph.generate(i, add);
      encoder.endIteration();
    }
    return { ok: true, batch: encoder.finish(task.firstIteration, task.ends) };
  } catch (e) {
    // Nothing of this task may reach the next one this worker runs, which may be a task for earlier
    // iterations, delivered before this failure is. Under Piscina's default queueing a worker ran a
    // later task before an earlier one, and a failed Avro run sent a failed task's records and its
    // half-written record to Kafka in an earlier batch. The pool now keeps tasks in order (run.ts),
    // but a worker does not count on it.
    encoder.discard();
    return { ok: false, error: serializeError(e) };
  }
}

export default function (task: GenTask): unknown {
  if (ready) return respond(ready, task);
  building ??= build(task.setup);
  return building.then(
    (state) => respond((ready = state), task),
    (e: unknown): GenResult => ({ ok: false, error: serializeError(e) }),
  );
}

function respond(state: State, task: GenTask): unknown {
  const result = runTask(state, task);
  if (!result.ok) return result;
  const buffer = result.batch.buffer;
  return Piscina.move({
    [Piscina.transferableSymbol]: [buffer],
    [Piscina.valueSymbol]: result,
  } as never);
}
