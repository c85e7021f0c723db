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
  /** Byte offset where each iteration ends, for pacing with --wait. */
  iterationEnds: number[];
  firstIteration: number;
}

/**
 * Walks the records of a `records` batch without allocating per record beyond the key and value
 * views (no copies): `while (c.next()) use(c.dataset, c.key, c.value)`.
 */
export class RecordCursor {
  dataset = 0;
  key: Buffer | null = null;
  value: Buffer | null = null;
  private readonly buf: Buffer;
  private pos: number;
  private readonly end: number;

  constructor(batch: EncodedBatch, start = 0, end = batch.length) {
    this.buf = Buffer.from(batch.buffer, 0, batch.length);
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
    this.key = keyLen < 0 ? null : buf.subarray(pos, pos + keyLen);
    if (keyLen > 0) pos += keyLen;
    const valueLen = buf.readInt32LE(pos);
    pos += 4;
    this.value = valueLen < 0 ? null : buf.subarray(pos, pos + valueLen);
    if (valueLen > 0) pos += valueLen;
    this.pos = pos;
    return true;
  }
}
