/** The only types the coordinator and the workers share. */
import type { EncodedBatch } from '../encoding/batch.js';
import type { EncodingSpec } from '../encoding/encoders.js';
import type { SerializedError } from '../errors.js';
import type { GenOptions, Plan } from '../schema/plan.js';

/** Sent once per worker, as Piscina's workerData. */
export interface WorkerSetup {
  plan: Plan;
  gen: GenOptions;
  encoding: EncodingSpec;
}

/** One chunk of iterations. */
export interface GenTask {
  firstIteration: number;
  count: number;
  /** Whether the batch should say where each iteration ends (--wait paces by iteration). */
  ends?: boolean;
  /** Buffers of delivered batches, transferred back for the worker's encoder to reuse. */
  spare?: ArrayBuffer[];
}

export type GenResult = { ok: true; batch: EncodedBatch } | { ok: false; error: SerializedError };
