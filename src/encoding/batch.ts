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

export interface PackedRecord {
  dataset: number;
  key: Buffer | null;
  value: Buffer | null;
}

/** Walks the records of a `records` batch; the buffers are views, not copies. */
export function* readRecords(batch: EncodedBatch, start = 0, end = batch.length): Generator<PackedRecord> {
  const buf = Buffer.from(batch.buffer, 0, batch.length);
  let pos = start;
  while (pos < end) {
    const dataset = buf.readUInt16LE(pos);
    const keyLen = buf.readInt32LE(pos + 2);
    pos += 6;
    const key = keyLen < 0 ? null : buf.subarray(pos, pos + keyLen);
    pos += Math.max(keyLen, 0);
    const valueLen = buf.readInt32LE(pos);
    pos += 4;
    const value = valueLen < 0 ? null : buf.subarray(pos, pos + valueLen);
    pos += Math.max(valueLen, 0);
    yield { dataset, key, value };
  }
}
