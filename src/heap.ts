/**
 * Full garbage collections at a steady pace, in the coordinator and in every worker, so that an
 * endless run's memory stays flat (bench/README.md, fifteenth session).
 *
 * Each thread's old generation fills with objects that lived through one task: Piscina's per-task
 * objects, a task's own bookkeeping. They are garbage a moment later, but V8 collects an old
 * generation only when it reaches a limit that these threads would take minutes to reach, so RSS
 * rose by 20-40 MB in the first minute of `-n -1`: a worker's old generation grew by about 65 KB/s
 * and held 6.4 MB after a full collection; the coordinator's young generation grew from 1 to
 * 16 MB as the survivors added up. A full collection of heaps this small took 10-23 ms in a
 * worker, so one every 5 s costs a thread 0.2-0.5% of its time.
 *
 * V8 hands JavaScript its `gc()` only with `--expose-gc`, and only in contexts created after the
 * flag is set: the coordinator sets it (with the workers' young-generation size, run.ts) before
 * the pool is made, each worker takes `gc` off its global object as it loads, the coordinator makes
 * one throwaway context for its own, and the schema sandbox blanks it in its contexts.
 */
import vm from 'node:vm';

export type Collect = () => void;

/** The V8 flag that makes `gc()` a global of contexts created from then on. */
export const EXPOSE_GC_FLAG = '--expose-gc';

/** A full collection at most this often, per thread. */
export const COLLECT_EVERY_MS = 5000;

/** Returns `gc` from `global`, if the flag put it there, and leaves `undefined` in its place (V8 makes it undeletable). */
export function takeGc(global: Record<string, unknown>): Collect | undefined {
  const gc = global.gc;
  if (gc !== undefined) global.gc = undefined;
  return typeof gc === 'function' ? (gc as Collect) : undefined;
}

/** `gc()` for this thread, from a throwaway context (the flag must be set by now), or undefined. */
export function gcFromNewContext(): Collect | undefined {
  return takeGc(vm.runInNewContext('globalThis') as Record<string, unknown>);
}

/** Calls `collect` when `tick` finds at least `everyMs` passed since the last call (or since creation). */
export class CollectionPacer {
  private last: number;

  constructor(
    private readonly collect: Collect | undefined,
    private readonly everyMs = COLLECT_EVERY_MS,
    now = performance.now(),
  ) {
    this.last = now;
  }

  tick(now = performance.now()): boolean {
    if (!this.collect || now - this.last < this.everyMs) return false;
    this.collect();
    this.last = performance.now();
    return true;
  }
}
