/**
 * A sink that takes batches and discards them: generate-only runs measure generation alone. It
 * notes when each batch arrived, so the bench can tell the rate once the workers' JIT has warmed up.
 */
import type { EncodedBatch } from '../../src/encoding/batch.js';
import type { EncodingSpec } from '../../src/encoding/encoders.js';
import type { Sink } from '../../src/sinks/sink.js';

export class NullSink implements Sink {
  /** [ms since the sink was made, records delivered so far] after each batch. */
  readonly marks: Array<[number, number]> = [];
  private readonly t0 = performance.now();
  private records = 0;
  constructor(private readonly encoding: EncodingSpec = { kind: 'none' }) {}
  async prepare(): Promise<EncodingSpec> {
    return this.encoding;
  }
  async write(batch: EncodedBatch): Promise<void> {
    for (const c of batch.counts) this.records += c;
    this.marks.push([performance.now() - this.t0, this.records]);
  }
  async flush(): Promise<void> {}
  async close(): Promise<void> {}
  report(): undefined {
    return undefined;
  }

  /**
   * Records per second over the batches that arrived from `warmMs` after the first one to the last:
   * the rate once every worker runs optimised code. Undefined if the run was too short to tell.
   */
  rateAfter(warmMs: number): number | undefined {
    const first = this.marks[0];
    const from = this.marks.find(([ms]) => first && ms >= first[0] + warmMs);
    const last = this.marks[this.marks.length - 1];
    if (!from || !last || last[0] - from[0] < warmMs) return undefined;
    return Math.round((last[1] - from[1]) / ((last[0] - from[0]) / 1000));
  }
}
