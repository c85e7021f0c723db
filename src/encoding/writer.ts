/** A growable byte buffer for packing encoded records without per-record allocations. */
export class ByteWriter {
  buf: Buffer;
  pos = 0;
  /** Buffers handed back for reuse (see `reuse`), taken by `detach` before allocating. */
  private spares: ArrayBuffer[] = [];

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

  /** Copies bytes in: a few dozen by a loop, which costs less than `set`'s call. */
  bytes(b: Uint8Array): void {
    const n = b.length;
    this.ensure(n);
    const buf = this.buf;
    const at = this.pos;
    if (n > 32) buf.set(b, at);
    else for (let i = 0; i < n; i++) buf[at + i] = b[i]!;
    this.pos = at + n;
  }

  /** Writes one byte. */
  byte(b: number): void {
    this.ensure(1);
    this.buf[this.pos++] = b;
  }

  /** Writes UTF-8 text; returns its byte length. */
  string(s: string): number {
    this.ensure(s.length * 3);
    const n = writeUtf8(this.buf, this.pos, s);
    this.pos += n;
    return n;
  }

  /**
   * Hands over the whole backing ArrayBuffer (no copy) for transfer to another thread, with the
   * number of bytes used; the writer starts again on a spare buffer at least as large, or a fresh
   * one of the same size.
   */
  detach(): { buffer: ArrayBuffer; length: number } {
    const out = { buffer: this.buf.buffer as ArrayBuffer, length: this.pos };
    const size = this.buf.length;
    let spare = this.spares.pop();
    while (spare && spare.byteLength < size) spare = this.spares.pop();
    this.buf = spare ? Buffer.from(spare) : Buffer.allocUnsafeSlow(size);
    this.pos = 0;
    return out;
  }

  /**
   * Takes back buffers this writer (or another thread's) detached earlier, once their bytes are no
   * longer needed, so that `detach` reuses them instead of allocating. Their old bytes are never
   * read: only bytes written after `detach` are. At most `MAX_SPARES` are kept.
   */
  reuse(buffers: ArrayBuffer[]): void {
    for (const b of buffers) if (this.spares.length < ByteWriter.MAX_SPARES && b.byteLength > 0) this.spares.push(b);
  }

  static readonly MAX_SPARES = 4;
}

/**
 * Strings shorter than this are tried as ASCII in JavaScript; from this length on, Buffer's native
 * UTF-8 writer costs less than the loop (its call costs about as much as 30 chars of the loop).
 */
export const NATIVE_FROM = 32;

/**
 * Writes `s` as UTF-8 at `at` (room for `s.length * 3` bytes assumed); returns the byte length.
 * Strings under NATIVE_FROM chars (most keys) are copied by `writeAscii`; longer ones, and short
 * ones it finds not ASCII, go to Buffer's native UTF-8 writer, which overwrites from `at`.
 */
export function writeUtf8(buf: Buffer, at: number, s: string): number {
  return s.length < NATIVE_FROM && writeAscii(buf, at, s) ? s.length : nativeUtf8(buf, at, s);
}

/**
 * Copies `s` from `at` one byte per char; returns whether it was all ASCII. A false return leaves
 * the bytes from `at` on unspecified, for the caller to overwrite. Four chars go in as one 32-bit
 * store through a DataView of `buf`: TurboFan checks a typed array's map, length and data pointer
 * again at every element store, so one store instead of four takes about a fifth of the
 * instructions off each char. Where the string does not fit, the bytes that do are stored one by
 * one (an element store past the end is dropped; a DataView's would throw).
 */
export function writeAscii(buf: Uint8Array, at: number, s: string): boolean {
  const n = s.length;
  let i = 0;
  if (at + n <= buf.length) {
    const dv = viewOf(buf);
    for (; i + 4 <= n; i += 4) {
      const word = asciiQuad(s, i);
      if (word < 0) return false;
      dv.setInt32(at + i, word, true);
    }
  }
  let any = 0;
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    buf[at + i] = c;
    any |= c;
  }
  return any < 0x80;
}

/** Chars `i` to `i + 3` of `s` as the little-endian word of their bytes, or -1 when one is not ASCII. */
export function asciiQuad(s: string, i: number): number {
  const a = s.charCodeAt(i);
  const b = s.charCodeAt(i + 1);
  const c = s.charCodeAt(i + 2);
  const d = s.charCodeAt(i + 3);
  return (a | b | c | d) > 0x7f ? -1 : a | (b << 8) | (c << 16) | (d << 24);
}

/** A DataView of `buf`: the last one made, while the writers fill the same buffer (a whole chunk). */
let viewBuf: Uint8Array | undefined;
let view: DataView<ArrayBufferLike> = new DataView(new ArrayBuffer(0));
export function viewOf(buf: Uint8Array): DataView<ArrayBufferLike> {
  if (buf !== viewBuf) {
    view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    viewBuf = buf;
  }
  return view;
}

/** Buffer's own UTF-8 writer (untyped in @types/node): no encoding lookup, no range checks. */
export const nativeUtf8 = (buf: Buffer, at: number, s: string): number => (buf as unknown as { utf8Write(s: string, at: number): number }).utf8Write(s, at);

/** Writes a whole number from 0 to 2^53 - 1 as decimal digits at `at` (room for 16 assumed); returns how many. */
export function writeDigits(buf: Uint8Array, at: number, v: number): number {
  let len = 1;
  for (let t = v; t >= 10; t = Math.floor(t / 10)) len++;
  writePadded(buf, at, v, len);
  return len;
}

/**
 * Writes `v` (a whole number, 0 ≤ v < 10^width, below 2^53) as `width` digits from `at`, zeros
 * first; returns where they end. Every step is exact below 2^53: `v / 10` is never rounded up to
 * the next whole number (its fraction is at most .9, the spacing of doubles there at most 1/8),
 * and the digit is taken before 48 is added (`48 + v` would round for v within 48 of 2^53).
 */
export function writePadded(buf: Uint8Array, at: number, v: number, width: number): number {
  if (v <= 0x7fffffff) {
    // 32-bit integer arithmetic, cheaper than the doubles' below (most keys, prices, dates).
    for (let i = at + width - 1; i >= at; i--) {
      const q = (v / 10) | 0;
      buf[i] = 48 + v - q * 10;
      v = q;
    }
  } else {
    for (let i = at + width - 1; i >= at; i--) {
      const q = Math.floor(v / 10);
      buf[i] = 48 + (v - q * 10);
      v = q;
    }
  }
  return at + width;
}

/** Little-endian int32 without Buffer's range checks (the callers' values are lengths or -1). */
export function putI32LE(buf: Uint8Array, at: number, v: number): void {
  buf[at] = v;
  buf[at + 1] = v >>> 8;
  buf[at + 2] = v >>> 16;
  buf[at + 3] = v >>> 24;
}
