/** A sink that takes batches and discards them: generate-only runs measure generation alone. */
import type { EncodingSpec } from '../../src/encoding/encoders.js';
import type { Sink } from '../../src/sinks/sink.js';

export class NullSink implements Sink {
  constructor(private readonly encoding: EncodingSpec = { kind: 'none' }) {}
  async prepare(): Promise<EncodingSpec> {
    return this.encoding;
  }
  async write(): Promise<void> {}
  async flush(): Promise<void> {}
  async close(): Promise<void> {}
  report(): undefined {
    return undefined;
  }
}
