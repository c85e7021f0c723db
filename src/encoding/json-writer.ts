/**
 * A JSON writer compiled per dataset: a record's bytes written straight into the batch, the same
 * bytes as `JSON.stringify(record)` in UTF-8.
 *
 * What it saves is the string `JSON.stringify` makes of every record, and the native call that
 * copies that string into the batch as UTF-8. Field names are written as constant stores compiled
 * into the writer; strings of printable ASCII, whole numbers, numbers of up to six decimals,
 * Dates, Buffers, arrays and plain objects are written in place. `JSON.stringify` writes what is
 * left, one value at a time: a string that needs escaping or is not ASCII, another number, any
 * other kind of object. A value whose JSON only the whole record's `JSON.stringify` can tell (a
 * `toJSON` that may look at its key, a BigInt, which throws) makes the writer give up on the
 * record: the caller writes `JSON.stringify(record)` instead.
 *
 * The fields are written in the order of `Object.keys` of the record the writer was compiled from
 * (the order `JSON.stringify` takes); every record of a dataset is built by the same compiled
 * maker (generate/graph.ts), so every one has those keys in that order. The tests compare the
 * bytes with `JSON.stringify`'s for every example schema and for values of every kind.
 */
import { asciiQuad, nativeUtf8, viewOf, writeAscii, writeDigits, writePadded, type ByteWriter } from './writer.js';

/**
 * Writes `record` from `pos`; returns where it ends, or GIVE_UP. An end past `buf.length` means
 * the buffer was too small: the bytes are incomplete, and the caller grows the buffer and writes
 * again (typed-array stores past the end are dropped).
 */
type JsonWrite = (buf: Buffer, pos: number, record: Record<string, unknown>) => number;

/** The record holds a value whose JSON only `JSON.stringify(record)` can tell. */
const GIVE_UP = -1;

/**
 * Strings shorter than this are copied char by char in JavaScript; longer ones are written by one
 * native call and their bytes checked (V8's `charCodeAt` costs about twice a byte's read).
 */
const SHORT = 48;

/**
 * Compiles the writer for records with the keys of `sample`, in its key order. Each key's `"name":`
 * (after the `{` or `,` before it) is a run of constant stores, four bytes a store through a
 * DataView of the buffer (see `writeAscii`), behind one check that they fit: a DataView's store
 * past the end would throw, where an element store is dropped.
 */
function compileJsonWriter(sample: Record<string, unknown>): JsonWrite {
  const lines = Object.keys(sample).map((name, i) => {
    const bytes = [...Buffer.from(`,${JSON.stringify(name)}:`)].slice(1);
    return `  v = r[${JSON.stringify(name)}];
  if (v !== undefined && typeof v !== 'function' && typeof v !== 'symbol') {
    if (p + ${bytes.length + 1} > buf.length) return buf.length + 1;
    buf[p] = first ? 123 : 44; ${constantStores(bytes, 1)}
    p = value(buf, p + ${bytes.length + 1}, v);
    if (p < 0) return p;
    first = false;
  } // ${i}`;
  });
  const source = `return function writeJson(buf, p, r) {
  const dv = viewOf(buf);
  let v;
  let first = true;
${lines.join('\n')}
  if (first) buf[p++] = 123;
  buf[p] = 125;
  return p + 1;
};`;
  return new Function('value', 'viewOf', source)(value, viewOf) as JsonWrite;
}

/** Statements storing `bytes` from `p + offset`: little-endian 32-bit words through `dv`, the last one to three bytes into `buf`. */
function constantStores(bytes: number[], offset: number): string {
  const out: string[] = [];
  let k = 0;
  for (; k + 4 <= bytes.length; k += 4) {
    const word = bytes[k]! | (bytes[k + 1]! << 8) | (bytes[k + 2]! << 16) | (bytes[k + 3]! << 24);
    out.push(`dv.setInt32(p + ${k + offset}, ${word}, true);`);
  }
  for (; k < bytes.length; k++) out.push(`buf[p + ${k + offset}] = ${bytes[k]};`);
  return out.join(' ');
}

/** Each dataset's writer, compiled from its first record. */
export class JsonWriters {
  private readonly writers: Array<JsonWrite | undefined>;

  constructor(datasets: number) {
    this.writers = new Array<JsonWrite | undefined>(datasets).fill(undefined);
  }

  /** Writes `record` of dataset `d` as JSON at `w.pos`; returns its byte length. */
  write(d: number, record: Record<string, unknown>, w: ByteWriter): number {
    const write = (this.writers[d] ??= compileJsonWriter(record));
    return into(w, record, write);
  }
}

/** Writes `v` (not undefined) at `w.pos` as `JSON.stringify(v)` would; returns its byte length. */
export function writeJsonValue(w: ByteWriter, v: unknown): number {
  return into(w, v, value);
}

/** Runs a writer at `w.pos`, growing the buffer and writing again when it ran out of room; JSON.stringify when it gave up. */
function into<T>(w: ByteWriter, v: T, write: (buf: Buffer, p: number, v: T) => number): number {
  const start = w.pos;
  let end = write(w.buf, start, v);
  while (end > w.buf.length) {
    w.ensure(end - start);
    end = write(w.buf, start, v);
  }
  if (end < 0) return w.string(JSON.stringify(v));
  w.pos = end;
  return end - start;
}

/** A value inside a record or an array (undefined and the like are handled by the caller). */
function value(buf: Buffer, p: number, v: unknown): number {
  if (typeof v === 'string') return string(buf, p, v);
  if (typeof v === 'number') return number(buf, p, v);
  if (typeof v === 'boolean') return v ? bytes4(buf, p, 116, 114, 117, 101) : bytes5(buf, p, 102, 97, 108, 115, 101);
  if (v === null) return writeNull(buf, p);
  if (typeof v !== 'object') return GIVE_UP; // BigInt: JSON.stringify throws, and the caller's call will
  if (Array.isArray(v)) return array(buf, p, v);
  const toJSON = (v as { toJSON?: unknown }).toJSON;
  if (toJSON === dateToJSON) return isPlainDate(v) ? date(buf, p, v) : other(buf, p, v);
  if (toJSON === bufferToJSON) return bytesObject(buf, p, v as Buffer);
  // Any other toJSON is called with the value's key, which only the whole record's stringify passes.
  if (toJSON !== undefined) return GIVE_UP;
  return Object.getPrototypeOf(v) === Object.prototype ? object(buf, p, v as Record<string, unknown>) : other(buf, p, v);
}

/** A plain object (a nested record, an Avro map): its own keys in their order, as JSON.stringify takes them. */
function object(buf: Buffer, p: number, o: Record<string, unknown>): number {
  buf[p++] = 123;
  let first = true;
  for (const k of Object.keys(o)) {
    const v = o[k];
    if (v === undefined || typeof v === 'function' || typeof v === 'symbol') continue;
    if (!first) buf[p++] = 44;
    first = false;
    p = string(buf, p, k);
    buf[p++] = 58;
    p = value(buf, p, v);
    if (p < 0) return GIVE_UP;
  }
  buf[p] = 125;
  return p + 1;
}

/** Any other object (a class instance, a Map, an object of another realm): as JSON.stringify writes it alone. */
function other(buf: Buffer, p: number, v: object): number {
  const t = JSON.stringify(v);
  return t === undefined ? GIVE_UP : text(buf, p, t);
}

/** A Buffer as its toJSON gives it: `{"type":"Buffer","data":[1,2,3]}`. */
function bytesObject(buf: Buffer, p: number, b: Buffer): number {
  for (let i = 0; i < BUFFER_HEAD.length; i++) buf[p + i] = BUFFER_HEAD[i]!;
  p += BUFFER_HEAD.length;
  for (let i = 0; i < b.length; i++) {
    if (i > 0) buf[p++] = 44;
    p = number(buf, p, b[i]!);
  }
  buf[p] = 93;
  buf[p + 1] = 125;
  return p + 2;
}
const BUFFER_HEAD = Buffer.from('{"type":"Buffer","data":[');

const dateToJSON = Date.prototype.toJSON;
const dateToISOString = Date.prototype.toISOString;
const dateValueOf = Date.prototype.valueOf;
const dateToPrimitive = Date.prototype[Symbol.toPrimitive];
const bufferToJSON = Buffer.prototype.toJSON;

/**
 * A Date whose JSON is what its time value says: its toJSON and the methods that one calls are the
 * built-in ones, which do not call out to anything else. Its JSON is toISOString's text (`isoTime`),
 * or null for an invalid date.
 */
export function isPlainDate(v: object): v is Date {
  const d = v as Date;
  return d.toJSON === dateToJSON && d.toISOString === dateToISOString && d.valueOf === dateValueOf && d[Symbol.toPrimitive] === dateToPrimitive;
}

/** A plain Date (`isPlainDate`) as its own toJSON gives it: toISOString's ASCII in quotes, or null for an invalid date. */
function date(buf: Buffer, p: number, d: Date): number {
  const t = d.getTime();
  if (!Number.isFinite(t)) return writeNull(buf, p);
  buf[p] = 34;
  p = isoTime(buf, p + 1, t);
  buf[p] = 34;
  return p + 1;
}

const DAY_MS = 86_400_000;

/**
 * `toISOString()`'s text for the time value `t` (whole milliseconds within ±8.64e15), written
 * from the calendar arithmetic: V8's own goes through its date cache and formatted printing, a
 * microsecond a call. The civil date from days since 1970 is Howard Hinnant's `civil_from_days`.
 */
export function isoTime(buf: Uint8Array, p: number, t: number): number {
  const days = Math.floor(t / DAY_MS);
  let ms = t - days * DAY_MS;
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  if (year >= 0 && year <= 9999) p = writePadded(buf, p, year, 4);
  else {
    buf[p] = year < 0 ? 45 : 43;
    p = writePadded(buf, p + 1, Math.abs(year), 6);
  }
  buf[p] = 45;
  p = writePadded(buf, p + 1, month, 2);
  buf[p] = 45;
  p = writePadded(buf, p + 1, day, 2);
  buf[p] = 84;
  const hours = Math.floor(ms / 3_600_000);
  ms -= hours * 3_600_000;
  const minutes = Math.floor(ms / 60_000);
  ms -= minutes * 60_000;
  const seconds = Math.floor(ms / 1000);
  p = writePadded(buf, p + 1, hours, 2);
  buf[p] = 58;
  p = writePadded(buf, p + 1, minutes, 2);
  buf[p] = 58;
  p = writePadded(buf, p + 1, seconds, 2);
  buf[p] = 46;
  p = writePadded(buf, p + 1, ms - seconds * 1000, 3);
  buf[p] = 90;
  return p + 1;
}

function array(buf: Buffer, p: number, a: unknown[]): number {
  if ((a as { toJSON?: unknown }).toJSON !== undefined) return GIVE_UP;
  buf[p++] = 91;
  for (let i = 0; i < a.length; i++) {
    if (i > 0) buf[p++] = 44;
    const v = a[i];
    // In an array, what a record's field would leave out is null.
    p = v === undefined || typeof v === 'function' || typeof v === 'symbol' ? writeNull(buf, p) : value(buf, p, v);
    if (p < 0) return GIVE_UP;
  }
  buf[p] = 93;
  return p + 1;
}

/** A string of printable ASCII without `"` or `\` in place; anything else as JSON.stringify writes it. */
function string(buf: Buffer, p: number, s: string): number {
  const n = s.length;
  if (n >= SHORT) return longString(buf, p, s);
  buf[p] = 34;
  let i = 0;
  if (p + n + 2 <= buf.length) {
    // Four chars a step, tested together and stored by one 32-bit store (writeAscii says why).
    const dv = viewOf(buf);
    for (; i + 4 <= n; i += 4) {
      const word = asciiQuad(s, i);
      if (word < 0 || escapes(word)) return text(buf, p, JSON.stringify(s));
      dv.setInt32(p + 1 + i, word, true);
    }
  }
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 34 || c === 92 || c > 0x7f) return text(buf, p, JSON.stringify(s));
    buf[p + 1 + i] = c;
  }
  buf[p + n + 1] = 34;
  return p + n + 2;
}

/**
 * Whether any of the four ASCII bytes of `word` is one JSON escapes: a control character (below
 * 0x20), `"` or `\`. The tests are the exact ones of "Bit Twiddling Hacks" (haszero, hasless):
 * `(x - 0x01010101) & ~x & 0x80808080` is non-zero exactly when a byte of `x` is zero, and
 * `(x - 0x20202020) & ~x & 0x80808080` exactly when one is below 0x20, for bytes below 0x80.
 */
function escapes(word: number): boolean {
  const quote = word ^ 0x22222222;
  const backslash = word ^ 0x5c5c5c5c;
  return ((((word - 0x20202020) & ~word) | ((quote - 0x01010101) & ~quote) | ((backslash - 0x01010101) & ~backslash)) & 0x80808080) !== 0;
}

/**
 * A longer string by Buffer's native UTF-8 writer, its bytes then checked for what JSON escapes.
 * As many bytes as chars means ASCII; otherwise, or with a byte to escape, JSON.stringify's text
 * is written over it.
 */
function longString(buf: Buffer, p: number, s: string): number {
  const n = s.length;
  if (p + 2 + 3 * n > buf.length) return p + 2 + 3 * n;
  const end = p + 1 + n;
  if (nativeUtf8(buf, p + 1, s) === n) {
    let i = p + 1;
    // Four bytes a read while none is one to escape, then byte by byte from the four that hold it.
    const dv = viewOf(buf);
    while (i + 4 <= end && !escapes(dv.getInt32(i, true))) i += 4;
    while (i < end) {
      const c = buf[i]!;
      if (c < 0x20 || c === 34 || c === 92) break;
      i++;
    }
    if (i === end) {
      buf[p] = 34;
      buf[end] = 34;
      return end + 1;
    }
  }
  return text(buf, p, JSON.stringify(s));
}

/**
 * Whole numbers of up to 32 bits as digits; numbers of up to six decimals by `decimal`; other
 * finite numbers as JavaScript prints them; NaN and infinities as null.
 */
function number(buf: Buffer, p: number, v: number): number {
  if (v !== (v | 0)) {
    if (!Number.isFinite(v)) return writeNull(buf, p);
    const end = decimal(buf, p, v);
    if (end >= 0) return end;
    const t = String(v); // digits, '.', 'e', '+' and '-': ASCII, one byte each
    writeAscii(buf, p, t);
    return p + t.length;
  }
  if (v < 0) {
    buf[p++] = 45;
    v = -v; // -2^31 becomes 2^31, which writeDigits takes
  }
  return p + writeDigits(buf, p, v);
}

const POW10 = [1, 10, 100, 1000, 1e4, 1e5, 1e6];
/** BELOW[s]: 2^B, the largest B with B < 53 - s·log2(10) (see decimal). */
const BELOW = [0, 2 ** 49, 2 ** 46, 2 ** 43, 2 ** 39, 2 ** 36, 2 ** 33];

/**
 * `v` as `String(v)` prints it when it is k / 10^s for a whole k and s ≤ 6 (a price, a
 * coordinate), written from k's digits; -1 otherwise. V8 prints a number by a shortest-digits
 * search, about a microsecond for these.
 *
 * Why the digits are the same: JavaScript prints the shortest decimal that reads back as `v`. When
 * `k / 10^s === v` (a correctly rounded division of exact values), k's digits with the point
 * s places from the right read back as `v`. Below BELOW[s] the spacing of doubles near `v` is less
 * than 10^-s, so no other decimal with at most s places reads back as `v`; one with more places
 * has more digits, or (being below a power of ten that ours reaches) could only tie with ours when
 * ours is that power of ten itself, a whole number of one digit. Trailing zeros go, as in
 * JavaScript's output, and from 10^-6 on (the smallest such `v`) JavaScript uses no exponent.
 */
function decimal(buf: Buffer, p: number, v: number): number {
  const a = v < 0 ? -v : v;
  for (let s = 1; s <= 6; s++) {
    const scale = POW10[s]!;
    if (a >= BELOW[s]!) return -1;
    const k = Math.round(a * scale);
    if (k / scale !== a) continue;
    if (v < 0) buf[p++] = 45;
    // k and whole * scale are below 2^53: exact. k / scale is within one spacing of a, which is
    // below 10^-s, so flooring it gives the whole part.
    const whole = Math.floor(k / scale);
    let fraction = k - whole * scale;
    p += writeDigits(buf, p, whole);
    if (fraction === 0) return p;
    let width = s;
    while (fraction % 10 === 0) {
      fraction /= 10;
      width--;
    }
    buf[p] = 46;
    return writePadded(buf, p + 1, fraction, width);
  }
  return -1;
}

/** JSON text by Buffer's native UTF-8 writer, when there is room for its longest encoding (else an end past the buffer). */
function text(buf: Buffer, p: number, t: string): number {
  const end = p + 3 * t.length;
  return end > buf.length ? end : p + nativeUtf8(buf, p, t);
}

function writeNull(buf: Buffer, p: number): number {
  return bytes4(buf, p, 110, 117, 108, 108);
}

function bytes4(buf: Buffer, p: number, a: number, b: number, c: number, d: number): number {
  buf[p] = a;
  buf[p + 1] = b;
  buf[p + 2] = c;
  buf[p + 3] = d;
  return p + 4;
}

function bytes5(buf: Buffer, p: number, a: number, b: number, c: number, d: number, e: number): number {
  buf[p + 4] = e;
  return bytes4(buf, p, a, b, c, d) + 1;
}
