/**
 * The one small contract every sink follows. Sinks are found by name in src/sinks/index.ts.
 *   prepare(ctx) → the encoding the workers should produce
 *   write(batch) → resolves when the sink can take more (backpressure)
 *   doneWithBatches() → whether the batches' buffers may be reused once written
 *   flush() → everything written is delivered; close() releases connections
 *   clean() → deletes what the schema would create (topics, subjects, tables)
 */
import type { EncodedBatch } from '../encoding/batch.js';
import type { EncodingSpec } from '../encoding/encoders.js';
import type { GenRecord } from '../generate/graph.js';
import type { Plan } from '../schema/plan.js';

export interface SinkContext {
  plan: Plan;
  debug: boolean;
  /** Generates the first `iterations` iterations in this thread, for inferring schemas. */
  sample(iterations: number): Promise<GenRecord[][]>;
  log(message: string): void;
}

export interface DeliveryReport {
  /** Records the destination acknowledged, per dataset (plan order). */
  delivered: number[];
  failed: number;
  /** Extra lines for the summary. */
  notes?: string[];
}

export interface Sink {
  prepare(ctx: SinkContext): Promise<EncodingSpec>;
  /** Writes bytes [start, end) of a batch; `start`/`end` fall on iteration boundaries. */
  write(batch: EncodedBatch, start: number, end: number): Promise<void>;
  flush(): Promise<void>;
  close(): Promise<void>;
  report(): DeliveryReport | undefined;
  /**
   * True when the sink holds no bytes of the batches it was given once their write() resolved
   * (it copied or sent them), so their buffers may be filled again. Absent or false: the
   * coordinator leaves them to the garbage collector.
   */
  doneWithBatches?(): boolean;
  /**
   * Why the run should stop before its end: the target reported a record it will never take
   * (Kafka: a failed delivery). The coordinator then stops as on Ctrl-C: no further batches, those
   * in flight flushed and counted, exit 1. Absent or undefined: go on.
   */
  stopReason?(): string | undefined;
}

export interface SinkDefinition {
  create(options: SinkOptionsInput): Sink;
  clean?(plan: Plan, options: SinkOptionsInput, log: (m: string) => void): Promise<void>;
}

/** What the CLI knows: flags and environment. Each sink fills in its own options from this. */
export interface SinkOptionsInput {
  format: string;
  env: NodeJS.ProcessEnv;
  flags: Record<string, unknown>;
}
