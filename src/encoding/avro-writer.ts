/**
 * A compiled Avro writer for the types datagen's records use: records, strings, numbers,
 * booleans, bytes, arrays, null, ["null", T] unions and logical types over these (timestamps).
 * Every other type (maps, enums, fixed, other unions) is written by avsc itself, from inside the
 * compiled code.
 *
 * Its bytes are avsc's bytes: it makes the same checks (a value avsc would reject throws here
 * too) and writes the same encodings (varints by avsc's arithmetic, UTF-8 as avsc writes it),
 * and the tests compare the two on every example schema. What it saves is avsc's per-string
 * `Buffer.byteLength` (a native call that also flattens V8's concatenated strings) and its
 * per-value Tap: a short ASCII string is copied in one pass behind a one-byte length, a longer
 * one by one native write behind its length. A caller that catches a throw re-encodes
 * with avsc, which gives the error its message.
 */
import type avro from 'avsc';
import { NATIVE_FROM, nativeUtf8, writeAscii } from './writer.js';

/**
 * Writes `v` from `pos`; returns where it ends. An end past `buf.length` means the buffer was
 * too small: the bytes are incomplete, and the caller grows the buffer and writes again. Throws
 * when `v` does not fit the type.
 */
export type AvroWrite = (buf: Buffer, pos: number, v: unknown) => number;

/** avsc's varint long: integer arithmetic while it cannot overflow, floating point beyond. */
function long(buf: Buffer, pos: number, n: number): number {
  if (n >= -1073741824 && n < 1073741824) {
    let m = n >= 0 ? n << 1 : (~n << 1) | 1;
    while (m > 0x7f) {
      buf[pos++] = (m & 0x7f) | 0x80;
      m >>>= 7;
    }
    buf[pos++] = m;
    return pos;
  }
  let f = n >= 0 ? n * 2 : -n * 2 - 1;
  do {
    buf[pos] = f & 0x7f;
    f /= 128;
  } while (f >= 1 && (buf[pos++] |= 0x80));
  return pos + 1;
}

/**
 * A string. Below NATIVE_FROM chars, ASCII is copied behind a one-byte length; from there to 2730
 * chars, Buffer's native writer writes the UTF-8 (at most 8190 bytes) behind a one-byte length
 * when it is under 64 bytes, else a two-byte one. Typed-array stores past the end are dropped, so
 * an overflow only shows in the returned end.
 */
function string(buf: Buffer, pos: number, s: string): number {
  const n = s.length;
  if (n < NATIVE_FROM) {
    if (!writeAscii(buf, pos + 1, s)) return stringSlow(buf, pos, s);
    buf[pos] = n << 1;
    return pos + 1 + n;
  }
  if (n <= 2730 && pos + 2 + 3 * n <= buf.length) {
    if (n < 64) {
      // Most likely ASCII, so under 64 bytes: written where a one-byte length leaves it.
      const len = nativeUtf8(buf, pos + 1, s);
      if (len < 64) {
        buf[pos] = len << 1;
        return pos + 1 + len;
      }
      buf.copyWithin(pos + 2, pos + 1, pos + 1 + len);
      return twoByteLength(buf, pos, len);
    }
    return twoByteLength(buf, pos, nativeUtf8(buf, pos + 2, s));
  }
  return stringSlow(buf, pos, s);
}

/** The varint of `len` (64 to 8191) in the two bytes at `pos`, before the `len` bytes that follow. */
function twoByteLength(buf: Buffer, pos: number, len: number): number {
  const z = len << 1;
  buf[pos] = (z & 0x7f) | 0x80;
  buf[pos + 1] = z >>> 7;
  return pos + 2 + len;
}

/** avsc's own string writing, for non-ASCII short strings, very long ones, and a buffer's end. */
function stringSlow(buf: Buffer, pos: number, s: string): number {
  const len = Buffer.byteLength(s);
  pos = long(buf, pos, len);
  if (pos + len > buf.length) return pos + len;
  if (len > 64) {
    // There is room for all `len` bytes (checked above).
    nativeUtf8(buf, pos, s);
    return pos + len;
  }
  // avsc's loop for short strings (lone surrogates as three bytes, as avsc writes them).
  const end = pos + len;
  for (let i = 0; i < s.length && pos < end; i++) {
    let c1 = s.charCodeAt(i);
    let c2: number;
    if (c1 < 0x80) {
      buf[pos++] = c1;
    } else if (c1 < 0x800) {
      buf[pos++] = (c1 >> 6) | 0xc0;
      buf[pos++] = (c1 & 0x3f) | 0x80;
    } else if ((c1 & 0xfc00) === 0xd800 && ((c2 = s.charCodeAt(i + 1)) & 0xfc00) === 0xdc00) {
      c1 = 0x10000 + ((c1 & 0x03ff) << 10) + (c2 & 0x03ff);
      i++;
      buf[pos++] = (c1 >> 18) | 0xf0;
      buf[pos++] = ((c1 >> 12) & 0x3f) | 0x80;
      buf[pos++] = ((c1 >> 6) & 0x3f) | 0x80;
      buf[pos++] = (c1 & 0x3f) | 0x80;
    } else {
      buf[pos++] = (c1 >> 12) | 0xe0;
      buf[pos++] = ((c1 >> 6) & 0x3f) | 0x80;
      buf[pos++] = (c1 & 0x3f) | 0x80;
    }
  }
  return end;
}

function double(buf: Buffer, pos: number, d: number): number {
  if (pos + 8 <= buf.length) buf.writeDoubleLE(d, pos);
  return pos + 8;
}

function float(buf: Buffer, pos: number, f: number): number {
  if (pos + 4 <= buf.length) buf.writeFloatLE(f, pos);
  return pos + 4;
}

/** Bytes, or a field's default (pre-encoded by avsc). */
function bytes(buf: Buffer, pos: number, b: Buffer): number {
  pos = long(buf, pos, b.length);
  return raw(buf, pos, b);
}

function raw(buf: Buffer, pos: number, b: Buffer): number {
  if (pos + b.length <= buf.length) b.copy(buf, pos);
  return pos + b.length;
}

/** avsc's own encoding, as an AvroWrite: its `encode` returns minus the missing bytes when out of room. */
function delegate(type: avro.Type, buf: Buffer, pos: number, v: unknown): number {
  const end = type.encode(v, buf, pos);
  return end >= 0 ? end : buf.length - end;
}

/** avsc's writing of `type`, the reference the compiled writer matches. */
export function avscWriter(type: avro.Type): AvroWrite {
  return (buf, pos, v) => delegate(type, buf, pos, v);
}

function isSafeLong(n: number): boolean {
  return n >= -9007199254740990 && n <= 9007199254740990;
}

function fail(): never {
  throw new TypeError('value does not fit the Avro type');
}

const helpers = { long, string, double, float, bytes, raw, delegate, isSafeLong, fail, isBuffer: Buffer.isBuffer };

/** Types written inline; a union is, when it is null and one of these. */
const INLINE = new Set(['null', 'boolean', 'int', 'long', 'float', 'double', 'string', 'bytes', 'array', 'record']);

/** Compiles `type`'s writer: one generated function per record type, values inline. */
export function compileAvroWriter(type: avro.Type): AvroWrite {
  const consts: unknown[] = [];
  const constant = (v: unknown): string => `c[${consts.push(v) - 1}]`;
  const functions: string[] = [];
  const records = new Map<avro.Type, string>();
  let vars = 0;

  /** Statements writing the value in variable `x`, advancing `pos`. */
  function write(t: avro.Type, x: string): string {
    switch (t.typeName) {
      case 'null':
        return `if (${x} !== null) fail();`;
      case 'boolean':
        return `if (typeof ${x} !== 'boolean') fail(); buf[pos++] = ${x} ? 1 : 0;`;
      case 'int':
        return `if (${x} !== (${x} | 0)) fail(); pos = long(buf, pos, ${x});`;
      case 'long':
        return `if (typeof ${x} !== 'number' || ${x} % 1 || !isSafeLong(${x})) fail(); pos = long(buf, pos, ${x});`;
      case 'float':
        return `if (typeof ${x} !== 'number') fail(); pos = float(buf, pos, ${x});`;
      case 'double':
        return `if (typeof ${x} !== 'number') fail(); pos = double(buf, pos, ${x});`;
      case 'string':
        return `if (typeof ${x} !== 'string') fail(); pos = string(buf, pos, ${x});`;
      case 'bytes':
        return `if (!isBuffer(${x})) fail(); pos = bytes(buf, pos, ${x});`;
      case 'array': {
        const n = `n${vars++}`;
        const i = `i${vars++}`;
        const y = `y${vars++}`;
        const items = (t as unknown as { itemsType: avro.Type }).itemsType;
        return `if (!Array.isArray(${x})) fail();
  const ${n} = ${x}.length;
  if (${n}) {
    pos = long(buf, pos, ${n});
    for (let ${i} = 0; ${i} < ${n}; ${i}++) {
      const ${y} = ${x}[${i}];
      ${write(items, y)}
    }
  }
  buf[pos++] = 0;`;
      }
      case 'record':
        return `pos = ${record(t)}(buf, pos, ${x});`;
      case 'union:unwrapped': {
        // avsc picks a branch by the value's kind: null, or the other branch (whose checks reject the rest).
        const types = (t as unknown as { types: avro.Type[] }).types;
        const other = types.findIndex((b) => b.typeName !== 'null');
        const nul = types.findIndex((b) => b.typeName === 'null');
        if (types.length === 2 && nul >= 0 && INLINE.has(types[other]!.typeName)) {
          const branch = types[other]!;
          // A record branch takes objects only: avsc files arrays and Buffers under other kinds.
          const kind = branch.typeName === 'record' ? `if (typeof ${x} !== 'object' || Array.isArray(${x}) || isBuffer(${x})) fail();` : '';
          return `if (${x} === null) {
    buf[pos++] = ${nul << 1};
  } else {
    ${kind}
    buf[pos++] = ${other << 1};
    ${write(branch, x)}
  }`;
        }
        return `pos = delegate(${constant(t)}, buf, pos, ${x});`;
      }
      default: {
        // A logical type (timestamp-millis) converts its value, then writes it as its underlying type, as avsc does.
        const under = (t as unknown as { underlyingType?: avro.Type }).underlyingType;
        if (t.typeName.startsWith('logical:') && under && INLINE.has(under.typeName)) {
          const y = `y${vars++}`;
          return `const ${y} = ${constant(t)}._toValue(${x});\n  ${write(under, y)}`;
        }
        return `pos = delegate(${constant(t)}, buf, pos, ${x});`;
      }
    }
  }

  /** The name of record type `t`'s function, generated once (named types may recur). */
  function record(t: avro.Type): string {
    let name = records.get(t);
    if (name) return name;
    name = `r${records.size}`;
    records.set(t, name);
    const fields = (t as unknown as { fields: Array<{ name: string; type: avro.Type; defaultValue(): unknown }> }).fields;
    const body = fields.map((f) => {
      const x = `v${vars++}`;
      const read = `const ${x} = v[${JSON.stringify(f.name)}];`;
      const dflt = f.defaultValue();
      // avsc writes a field's default (encoded once) when the value is undefined.
      if (dflt === undefined) return `${read}\n  ${write(f.type, x)}`;
      return `${read}\n  if (${x} === undefined) { pos = raw(buf, pos, ${constant(f.type.toBuffer(dflt))}); } else {\n  ${write(f.type, x)}\n  }`;
    });
    functions.push(`function ${name}(buf, pos, v) {\n  ${body.join('\n  ')}\n  return pos;\n}`);
    return name;
  }

  const top = `function top(buf, pos, v) {\n  ${write(type, 'v')}\n  return pos;\n}`;
  const source = `const { ${Object.keys(helpers).join(', ')} } = h;\n${functions.join('\n')}\n${top}\nreturn top;`;
  return new Function('h', 'c', source)(helpers, consts) as AvroWrite;
}
