/**
 * A sink that takes batches and discards them: generate-only runs measure generation alone, and
 * with `avro` the workers also encode Avro as they do for Kafka (the same schemas, a made-up
 * schema id), which measures generation plus encoding without the transport.
 */
import { avroSchemas } from '../../src/encoding/avro-infer.js';
import type { EncodingSpec } from '../../src/encoding/encoders.js';
import type { Sink, SinkContext } from '../../src/sinks/sink.js';

export class NullSink implements Sink {
  constructor(private readonly encoding: 'none' | 'avro' = 'none') {}
  async prepare(ctx: SinkContext): Promise<EncodingSpec> {
    if (this.encoding === 'none') return { kind: 'none' };
    const schemas = await avroSchemas(ctx.plan, ctx.sample);
    return { kind: 'avro', schemas: schemas.map((schema) => ({ schema, id: 1 })) };
  }
  async write(): Promise<void> {}
  async flush(): Promise<void> {}
  async close(): Promise<void> {}
  doneWithBatches(): boolean {
    return true;
  }
  report(): undefined {
    return undefined;
  }
}
