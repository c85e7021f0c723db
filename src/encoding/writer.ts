/** A growable byte buffer for packing encoded records without per-record allocations. */
export class ByteWriter {
  buf: Buffer;
  pos = 0;

  constructor(initial = 64 * 1024) {
    // Slow (unpooled) buffers own their ArrayBuffer, so it can be transferred to another thread.
    this.buf = Buffer.allocUnsafeSlow(initial);
  }

  ensure(extra: number): void {
    if (this.pos + extra <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + extra) size *= 2;
    const next = Buffer.allocUnsafeSlow(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  /** Writes UTF-8 text; returns its byte length. */
  string(s: string): number {
    this.ensure(s.length * 3);
    const n = (this.buf as unknown as { utf8Write(s: string, at: number): number }).utf8Write(s, this.pos);
    this.pos += n;
    return n;
  }

  u16(v: number): void {
    this.ensure(2);
    this.buf.writeUInt16LE(v, this.pos);
    this.pos += 2;
  }

  i32(v: number): void {
    this.ensure(4);
    this.buf.writeInt32LE(v, this.pos);
    this.pos += 4;
  }

  /** Reserves a 4-byte length slot to fill in later with `patchI32`. */
  reserveI32(): number {
    this.ensure(4);
    this.pos += 4;
    return this.pos - 4;
  }

  patchI32(at: number, v: number): void {
    this.buf.writeInt32LE(v, at);
  }

  /**
   * Hands over the whole backing ArrayBuffer (no copy) for transfer to another thread, with the
   * number of bytes used; the writer starts again on a fresh buffer of the same size.
   */
  detach(): { buffer: ArrayBuffer; length: number } {
    const out = { buffer: this.buf.buffer as ArrayBuffer, length: this.pos };
    this.buf = Buffer.allocUnsafeSlow(this.buf.length);
    this.pos = 0;
    return out;
  }
}
