/**
 * The packed batch a worker returns for one chunk of iterations, transferred (not copied) to
 * the coordinator. `kind: 'records'` packs each record as
 *   u16 dataset | i32 key length (-1 = null key) | key bytes | i32 value length (-1 = tombstone) | value bytes
 * `kind: 'lines'` holds ready-to-print text, and `kind: 'none'` only counts (generate-only runs).
 */
export interface EncodedBatch {
  kind: 'records' | 'lines' | 'none';
  /** Transferred from the worker; only the first `length` bytes are data. */
  buffer: ArrayBuffer;
  length: number;
  /** Records per dataset (plan order). */
  counts: number[];
  /** Value bytes per dataset. */
  bytes: number[];
  /** Iterations in the batch. */
  iterations: number;
  /** Byte offset where each iteration ends, for pacing with --wait; only when the task asked. */
  iterationEnds?: Float64Array;
  firstIteration: number;
}

/**
 * Walks the records of a `records` batch without copying: `while (c.next()) use(c.dataset, c.key, c.value)`.
 * `key` and `value` make a Buffer view on each access; `keyView()` and `valueView()` make plain
 * Uint8Array views, which cost a third as much (the Kafka sink makes two per record).
 */
export class RecordCursor {
  dataset = 0;
  /** Byte offset and length of the current key and value in the batch buffer; length -1 = null. */
  keyAt = 0;
  keyLength = -1;
  valueAt = 0;
  valueLength = -1;
  private readonly buf: Buffer;
  /** The batch's ArrayBuffer, read once: `buf.buffer` is a getter that costs a call per record. */
  private readonly ab: ArrayBuffer;
  private pos: number;
  private readonly end: number;

  constructor(batch: EncodedBatch, start = 0, end = batch.length) {
    this.buf = Buffer.from(batch.buffer, 0, batch.length);
    this.ab = batch.buffer;
    this.pos = start;
    this.end = end;
  }

  next(): boolean {
    if (this.pos >= this.end) return false;
    const buf = this.buf;
    let pos = this.pos;
    this.dataset = buf.readUInt16LE(pos);
    const keyLen = buf.readInt32LE(pos + 2);
    pos += 6;
    this.keyAt = pos;
    this.keyLength = keyLen;
    if (keyLen > 0) pos += keyLen;
    const valueLen = buf.readInt32LE(pos);
    pos += 4;
    this.valueAt = pos;
    this.valueLength = valueLen;
    if (valueLen > 0) pos += valueLen;
    this.pos = pos;
    return true;
  }

  get key(): Buffer | null {
    return this.keyLength < 0 ? null : this.buf.subarray(this.keyAt, this.keyAt + this.keyLength);
  }

  get value(): Buffer | null {
    return this.valueLength < 0 ? null : this.buf.subarray(this.valueAt, this.valueAt + this.valueLength);
  }

  keyView(): Uint8Array | null {
    return this.keyLength < 0 ? null : new Uint8Array(this.ab, this.keyAt, this.keyLength);
  }

  valueView(): Uint8Array | null {
    return this.valueLength < 0 ? null : new Uint8Array(this.ab, this.valueAt, this.valueLength);
  }
}
