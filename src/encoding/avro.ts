/**
 * Avro values in the Confluent wire format: magic byte 0, 4-byte big-endian schema id, Avro body.
 * Workers build one avsc Type per topic from the registered schema, compile a writer from it
 * (avro-writer.ts, avsc's bytes) and encode straight into the batch buffer; a value the compiled
 * writer rejects is encoded again by avsc, which reports it.
 */
import avro from 'avsc';
import { DatagenError, ErrorCodes } from '../errors.js';
import type { GenRecord } from '../generate/graph.js';
import { avscWriter, compileAvroWriter, type AvroWrite } from './avro-writer.js';
import { registerEncoder, RecordsEncoder, type EncodingSpec } from './encoders.js';
import type { ByteWriter } from './writer.js';

/** `timestamp-millis` longs accept Date values (and plain epoch-millisecond numbers). */
class TimestampMillis extends avro.types.LogicalType {
  override _fromValue(v: number): Date {
    return new Date(v);
  }
  override _toValue(v: unknown): number | undefined {
    if (typeof v === 'number') return v;
    if (v instanceof Date || Object.prototype.toString.call(v) === '[object Date]') return (v as Date).getTime();
    if (typeof v === 'string') {
      const t = Date.parse(v);
      return Number.isNaN(t) ? undefined : t;
    }
    return undefined;
  }
  override _resolve(type: avro.Type): unknown {
    if (avro.Type.isType(type, 'long', 'logical:timestamp-millis')) return this._fromValue.bind(this);
    return undefined;
  }
}

export function avroType(schema: object): avro.Type {
  return avro.Type.forSchema(schema as avro.Schema, {
    wrapUnions: false,
    logicalTypes: { 'timestamp-millis': TimestampMillis as never },
  });
}

/** Names the first field path whose value does not fit, for a clear error. */
export function describeMismatch(type: avro.Type, value: unknown): string {
  const problems: string[] = [];
  type.isValid(value, {
    errorHook: (path: string[], v: unknown, t: avro.Type) => {
      if (problems.length < 3) problems.push(`field "${path.join('.') || '(record)'}" has ${JSON.stringify(v) ?? String(v)}, expected ${JSON.stringify(t.schema())}`);
    },
  });
  return problems.join('; ') || 'value does not fit the schema';
}

/** The Confluent header: magic byte 0 and the schema id. */
function writeHeader(id: number, w: ByteWriter): void {
  w.ensure(5);
  const buf = w.buf;
  const at = w.pos;
  buf[at] = 0;
  buf[at + 1] = id >>> 24;
  buf[at + 2] = id >>> 16;
  buf[at + 3] = id >>> 8;
  buf[at + 4] = id;
  w.pos = at + 5;
}

/**
 * A record in the Confluent wire format, written by `write` (compiled, or avsc's own); throws, with
 * nothing kept, when the value does not fit.
 */
export function encodeAvroInto(write: AvroWrite, id: number, value: unknown, w: ByteWriter): void {
  writeHeader(id, w);
  let end = write(w.buf, w.pos, value);
  if (end > w.buf.length) {
    // Out of room: grow by what it needed and write the record again.
    w.ensure(end - w.pos);
    end = write(w.buf, w.pos, value);
  }
  w.pos = end;
}

registerEncoder('avro', (plan, spec) => {
  const { schemas } = spec as Extract<EncodingSpec, { kind: 'avro' }>;
  const types = schemas.map((s) => avroType(s.schema));
  const writers = types.map((t) => compileAvroWriter(t));
  const references = types.map((t) => avscWriter(t));
  const ids = schemas.map((s) => s.id);
  return new RecordsEncoder(plan, (d: number, r: GenRecord, w: ByteWriter) => {
    const start = w.pos;
    try {
      encodeAvroInto(writers[d]!, ids[d]!, r, w);
    } catch {
      // avsc, the reference, encodes the record again: it gives the error its message.
      w.pos = start;
      try {
        encodeAvroInto(references[d]!, ids[d]!, r, w);
      } catch (e) {
        w.pos = start;
        throw new DatagenError(ErrorCodes.SCHEMA, `topic "${plan.datasets[d]!.topic}": ${describeMismatch(types[d]!, r)} (${(e as Error).message})`);
      }
    }
    return w.pos - start;
  });
});
