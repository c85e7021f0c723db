/** The only types the coordinator and the workers share. */
import type { EncodedBatch } from '../encoding/batch.js';
import type { EncodingSpec } from '../encoding/encoders.js';
import type { SerializedError } from '../errors.js';
import type { GenOptions, Plan } from '../schema/plan.js';

/** What every worker needs before its first chunk; serialised once (v8.serialize) into shared memory. */
export interface WorkerSetup {
  plan: Plan;
  gen: GenOptions;
  encoding: EncodingSpec;
}

/** One chunk of iterations. */
export interface GenTask {
  /**
   * The WorkerSetup, serialised: every task refers to the same shared bytes (nothing is copied), and
   * a worker reads them at its first task. The pool starts before the sink is ready (run.ts startPool).
   */
  setup: SharedArrayBuffer;
  firstIteration: number;
  count: number;
  /** Whether the batch should say where each iteration ends (--wait paces by iteration). */
  ends?: boolean;
  /** Buffers of delivered batches, transferred back for the worker's encoder to reuse. */
  spare?: ArrayBuffer[];
}

export type GenResult = { ok: true; batch: EncodedBatch } | { ok: false; error: SerializedError };
