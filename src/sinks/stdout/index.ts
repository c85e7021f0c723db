/** Dry-run sink: one JSON line per record on stdout, honouring stdout backpressure. */
import type { Writable } from 'node:stream';
import type { EncodedBatch } from '../../encoding/batch.js';
import type { EncodingSpec } from '../../encoding/encoders.js';
import type { Sink, SinkDefinition } from '../sink.js';

export class StdoutSink implements Sink {
  private closed = false;

  constructor(private readonly out: Writable = process.stdout) {
    // A closed pipe (`datagen ... | head`) ends the run quietly.
    out.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') this.closed = true;
      else throw e;
    });
  }

  async prepare(): Promise<EncodingSpec> {
    return { kind: 'lines' };
  }

  async write(batch: EncodedBatch, start: number, end: number): Promise<void> {
    if (this.closed || end <= start) return;
    const ok = this.out.write(Buffer.from(batch.buffer, start, end - start));
    if (!ok && !this.closed) await new Promise<void>((resolve) => this.out.once('drain', resolve));
  }

  async flush(): Promise<void> {
    if (this.closed) return;
    await new Promise<void>((resolve) => this.out.write('', () => resolve()));
  }

  async close(): Promise<void> {}

  /** Nothing waits in the stream's queue (writes to files and, on Linux, pipes complete at once). */
  doneWithBatches(): boolean {
    return this.out.writableLength === 0;
  }

  report(): undefined {
    return undefined;
  }

  get pipeClosed(): boolean {
    return this.closed;
  }
}

export const stdoutSink: SinkDefinition = {
  create: () => new StdoutSink(),
};
