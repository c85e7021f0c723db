/**
 * Encoders turn generated records into a packed batch inside the worker. Each sink names the
 * encoding it wants; the map below finds it (no if-chains), and new encodings register here.
 */
import type { GenRecord } from '../generate/graph.js';
import type { Plan } from '../schema/plan.js';
import type { EncodedBatch } from './batch.js';
import { JsonWriters, writeJsonValue } from './json-writer.js';
import { sqlValuesWriter, type SqlColumns } from './sql-values.js';
import { keyGetter, keyValueText } from './key.js';
import { ByteWriter, putI32LE, writeDigits, writeUtf8 } from './writer.js';

export interface Encoder {
  add(dataset: number, record: GenRecord): void;
  endIteration(): void;
  /** The batch so far; with `ends`, also where each iteration ends (for --wait). */
  finish(firstIteration: number, ends?: boolean): EncodedBatch;
  /** Buffers of earlier batches whose bytes the sink is done with, to be filled again. */
  reuse(buffers: ArrayBuffer[]): void;
  /**
   * Drops what the current chunk holds (a task that failed part-way): the next chunk starts empty,
   * not after the failed one's records and the half-written record it stopped in.
   */
  discard(): void;
}

/** What a sink asks the workers to produce. Serialisable; extended by later encodings. */
export type EncodingSpec =
  | { kind: 'none' }
  | { kind: 'lines' }
  | { kind: 'json' }
  /** MySQL: each record as its table's `(v1,v2,...)` tuple (sql-values.ts). */
  | { kind: 'sql-values'; columns: SqlColumns }
  | { kind: 'avro'; schemas: Array<{ schema: object; id: number }> };

type EncoderFactory = (plan: Plan, spec: EncodingSpec) => Encoder;

const factories: Record<string, EncoderFactory> = {
  none: (plan) => new CountingEncoder(plan),
  lines: (plan) => new LinesEncoder(plan),
  json: (plan) => {
    const json = new JsonWriters(plan.datasets.length);
    return new RecordsEncoder(plan, (d, r, w) => json.write(d, r, w));
  },
  'sql-values': (plan, spec) => new RecordsEncoder(plan, sqlValuesWriter((spec as Extract<EncodingSpec, { kind: 'sql-values' }>).columns)),
};

export function registerEncoder(kind: string, factory: EncoderFactory): void {
  factories[kind] = factory;
}

export function createEncoder(plan: Plan, spec: EncodingSpec): Encoder {
  const f = factories[spec.kind];
  if (!f) throw new Error(`no encoder "${spec.kind}"`);
  return f(plan, spec);
}

abstract class BaseEncoder implements Encoder {
  protected w = new ByteWriter();
  protected counts: number[];
  protected bytes: number[];
  /**
   * Where each iteration of the current chunk ends, in one typed array kept from chunk to chunk,
   * copied into the batch only when asked (--wait). A JS array per chunk lived for the whole
   * chunk, long enough for V8 to move it to the old generation, where these arrays piled up
   * between full collections; a typed copy per chunk made glibc's arenas creep (both seen as
   * an endless run's slow RSS rise).
   */
  private ends = new Float64Array(1024);
  private iterations = 0;
  /** Each dataset's key field, read by its own compiled getter (see key.ts). */
  protected keyOf: Array<(record: GenRecord) => unknown>;

  constructor(plan: Plan, private readonly kind: EncodedBatch['kind']) {
    this.counts = plan.datasets.map(() => 0);
    this.bytes = plan.datasets.map(() => 0);
    this.keyOf = plan.datasets.map((d) => keyGetter(d.key));
  }

  abstract add(dataset: number, record: GenRecord): void;

  reuse(buffers: ArrayBuffer[]): void {
    this.w.reuse(buffers);
  }

  endIteration(): void {
    if (this.iterations === this.ends.length) {
      const grown = new Float64Array(this.ends.length * 2);
      grown.set(this.ends);
      this.ends = grown;
    }
    this.ends[this.iterations++] = this.w.pos;
  }

  finish(firstIteration: number, ends = false): EncodedBatch {
    const { buffer, length } = this.w.detach();
    const batch: EncodedBatch = {
      kind: this.kind,
      buffer,
      length,
      counts: this.counts,
      bytes: this.bytes,
      iterations: this.iterations,
      firstIteration,
    };
    if (ends) batch.iterationEnds = this.ends.slice(0, this.iterations);
    this.restart();
    return batch;
  }

  discard(): void {
    this.w.pos = 0;
    this.restart();
  }

  /** New counts (the old ones went out with a batch) for the next chunk. */
  private restart(): void {
    this.counts = this.counts.map(() => 0);
    this.bytes = this.bytes.map(() => 0);
    this.iterations = 0;
  }
}

/** Generate-only runs (bench): records are made and counted, never serialised. */
class CountingEncoder extends BaseEncoder {
  constructor(plan: Plan) {
    super(plan, 'none');
  }

  add(dataset: number): void {
    this.counts[dataset]!++;
  }
}

/** The dry-run contract: `{"topic":"users","key":"955","value":{...}}` per line, the value as JSON.stringify writes it. */
class LinesEncoder extends BaseEncoder {
  /** `{"topic":"users","key":` per dataset. */
  private readonly heads: Buffer[];
  private readonly json: JsonWriters;

  constructor(plan: Plan) {
    super(plan, 'lines');
    this.heads = plan.datasets.map((d) => Buffer.from(`{"topic":${JSON.stringify(d.topic)},"key":`));
    this.json = new JsonWriters(plan.datasets.length);
  }

  add(dataset: number, record: GenRecord): void {
    const w = this.w;
    const key = keyValueText(this.keyOf[dataset]!(record));
    w.bytes(this.heads[dataset]!);
    if (key === null) w.bytes(NULL);
    else writeJsonValue(w, key);
    w.bytes(VALUE);
    const n = this.json.write(dataset, record, w);
    w.bytes(LINE_END);
    this.bytes[dataset]! += n;
    this.counts[dataset]!++;
  }
}

const NULL = Buffer.from('null');
const VALUE = Buffer.from(',"value":');
const LINE_END = Buffer.from('}\n');

/** Key and value bytes per record, for sinks that send records one by one (Kafka). */
export class RecordsEncoder extends BaseEncoder {
  constructor(
    plan: Plan,
    /** Writes the value at `w.pos` and returns its byte length. */
    private readonly value: (dataset: number, record: GenRecord, w: ByteWriter) => number,
  ) {
    super(plan, 'records');
  }

  add(dataset: number, record: GenRecord): void {
    const w = this.w;
    const k = this.keyOf[dataset]!(record);
    // Dataset, key length and key, and the value's length slot, written straight into the buffer.
    // Whole non-negative 32-bit keys (the usual ids) go in as digits, without a string between.
    const digits = typeof k === 'number' && k >= 0 && k <= 0x7fffffff && k === (k | 0);
    const key = digits ? null : keyValueText(k);
    w.ensure(20 + (key === null ? 0 : key.length * 3));
    const buf = w.buf;
    const at = w.pos;
    buf[at] = dataset;
    buf[at + 1] = dataset >>> 8;
    const keyLength = digits ? writeDigits(buf, at + 6, k) : key === null ? -1 : writeUtf8(buf, at + 6, key);
    putI32LE(buf, at + 2, keyLength);
    const lengthAt = at + 6 + (keyLength > 0 ? keyLength : 0);
    w.pos = lengthAt + 4;
    const n = this.value(dataset, record, w);
    // The value may have grown the buffer: w.buf, not buf.
    putI32LE(w.buf, lengthAt, n);
    this.bytes[dataset]! += n;
    this.counts[dataset]!++;
  }
}
