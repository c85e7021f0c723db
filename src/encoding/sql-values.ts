/**
 * MySQL rows as SQL text, written by the workers: each record becomes one `(v1,v2,...)` tuple of
 * its table's columns, so that the MySQL sink only joins tuples into `INSERT ... VALUES` statements.
 * Until the twenty-third session the sink parsed each record's JSON back on the main thread and
 * mysql2 escaped every value there (bench/README.md, change 43).
 *
 * The values are those the sink used to send, escaped as mysql2 escapes them (its sql-escaper's
 * `escapeValue`):
 * - what the record's JSON holds for the field: a Date as its ISO string, `toJSON` called with the
 *   field's name, NaN and the infinities as null, an undefined field or a function as null;
 * - then as the column wants it: `json` columns (arrays and nested objects, or a .sql `json` type)
 *   the value's JSON text, `timestamp` columns an ISO string as MySQL's `YYYY-MM-DD HH:MM:SS.sss`,
 *   other columns the value itself, or the JSON text of an array or object (in a timestamp column
 *   too, where mysql2 was handed the array or object itself and wrote SQL that MySQL refused);
 * - written as `NULL`, `true`/`false`, a number as `String()` writes it, or a string quoted in
 *   `'...'` with `\0 \b \t \n \r \Z \" \' \\` escapes, in UTF-8.
 */
import type { GenRecord } from '../generate/graph.js';
import type { ColumnKind } from '../sinks/sql/columns.js';
import { isoTime, isPlainDate } from './json-writer.js';
import { nativeUtf8, writeAscii, writeDigits, type ByteWriter } from './writer.js';

/** How a column turns a value into SQL. */
export type SqlValueMode = 'json' | 'timestamp' | 'plain';

/** A column's mode: arrays, nested objects and `json` columns take JSON text; timestamps MySQL's form. */
export const sqlValueMode = (kind: ColumnKind): SqlValueMode => (typeof kind === 'object' || kind === 'json' ? 'json' : kind === 'timestamp' ? 'timestamp' : 'plain');

/** Per dataset, its table's columns in the statement's order. */
export type SqlColumns = Array<Array<{ name: string; mode: SqlValueMode }>>;

/** An ISO timestamp as JSON writes a Date. */
const ISO = /^(\d{4}-\d\d-\d\d)T(\d\d:\d\d:\d\d(?:\.\d+)?)Z$/;
const ESCAPE = /[\0\b\t\n\r\x1a"'\\]/g;
const ESCAPED: Record<string, string> = { '\0': '\\0', '\b': '\\b', '\t': '\\t', '\n': '\\n', '\r': '\\r', '\x1a': '\\Z', '"': '\\"', "'": "\\'", '\\': '\\\\' };
/** For each ASCII char, the letter that follows its backslash, or 0 when it is written as it is. */
const ESCAPE_LETTER = new Uint8Array(128);
for (const [c, e] of Object.entries(ESCAPED)) ESCAPE_LETTER[c.charCodeAt(0)] = e.charCodeAt(1);
/** Strings up to this length are copied char by char; longer ones, or non-ASCII, take `replace` and Buffer's writer. */
const SHORT = 64;

/** A MySQL timestamp column's text for an ISO string (other strings as they are). */
export const mysqlTimestamp = (s: string): string => s.replace(ISO, '$1 $2');

function writeBare(w: ByteWriter, s: string): void {
  w.ensure(s.length);
  writeAscii(w.buf, w.pos, s);
  w.pos += s.length;
}

/** A number as `String()` writes it; whole ones below 2^53 from their digits. */
function writeNumber(w: ByteWriter, v: number): void {
  if (!Number.isInteger(v) || v > Number.MAX_SAFE_INTEGER || v < -Number.MAX_SAFE_INTEGER) return writeBare(w, String(v));
  w.ensure(17);
  if (v < 0) {
    w.buf[w.pos++] = 0x2d; // -
    v = -v;
  }
  w.pos += writeDigits(w.buf, w.pos, v);
}

function writeQuoted(w: ByteWriter, s: string): void {
  // Room for the worst case: every UTF-16 unit three bytes (an escape is two).
  w.ensure(s.length * 3 + 2);
  const buf = w.buf;
  const start = w.pos;
  let at = start;
  buf[at++] = 0x27;
  if (s.length <= SHORT) {
    let i = 0;
    for (; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c > 0x7f) break;
      const e = ESCAPE_LETTER[c]!;
      if (e === 0) buf[at++] = c;
      else {
        buf[at++] = 0x5c; // backslash
        buf[at++] = e;
      }
    }
    if (i === s.length) {
      buf[at++] = 0x27;
      w.pos = at;
      return;
    }
  }
  // From the start again (the buffer may grow: nothing is kept of what the loop wrote).
  const escaped = s.replace(ESCAPE, (c) => ESCAPED[c]!);
  w.ensure(escaped.length * 3 + 2);
  const out = w.buf;
  at = start;
  out[at++] = 0x27;
  at += nativeUtf8(out, at, escaped);
  out[at++] = 0x27;
  w.pos = at;
}

/**
 * A Date as its JSON carries it (toISOString's text, or null when invalid), converted for the
 * column: MySQL's `YYYY-MM-DD HH:MM:SS.sss` in a timestamp column (for years 0-9999, which the
 * ISO pattern matches), JSON text in a json one. Its text is ASCII with nothing to escape.
 */
function writeDate(w: ByteWriter, mode: SqlValueMode, d: Date): void {
  const t = d.getTime();
  if (!Number.isFinite(t)) return writeBare(w, 'NULL');
  w.ensure(34);
  const buf = w.buf;
  let at = w.pos;
  buf[at++] = 0x27;
  if (mode === 'json') {
    buf[at++] = 0x5c;
    buf[at++] = 0x22;
  }
  const start = at;
  at = isoTime(buf, at, t);
  if (mode === 'timestamp' && at - start === 24) {
    buf[start + 10] = 0x20; // the T
    at--; // the Z
  }
  if (mode === 'json') {
    buf[at++] = 0x5c;
    buf[at++] = 0x22;
  }
  buf[at++] = 0x27;
  w.pos = at;
}

function writeValue(w: ByteWriter, mode: SqlValueMode, v: unknown, name: string): void {
  switch (typeof v) {
    case 'string':
      return writeQuoted(w, mode === 'json' ? JSON.stringify(v) : mode === 'timestamp' ? mysqlTimestamp(v) : v);
    case 'number':
      if (!Number.isFinite(v)) return writeBare(w, 'NULL');
      return mode === 'json' ? writeQuoted(w, JSON.stringify(v)) : writeNumber(w, v);
    case 'boolean':
      return mode === 'json' ? writeQuoted(w, String(v)) : writeBare(w, String(v));
    case 'undefined':
      return writeBare(w, 'NULL');
  }
  if (v === null) return writeBare(w, 'NULL');
  if (typeof v === 'object' && isPlainDate(v)) return writeDate(w, mode, v);
  // Anything else as the record's JSON carries it (toJSON gets the field's name, as there).
  const json: unknown = JSON.parse(JSON.stringify({ [name]: v }))[name];
  if (json === undefined || json === null) return writeBare(w, 'NULL');
  if (typeof json === 'object') return writeQuoted(w, JSON.stringify(json));
  writeValue(w, mode, json, name);
}

type TupleWriter = (record: GenRecord, w: ByteWriter) => void;

/**
 * One dataset's tuple writer, compiled: each column's value read by a constant name (a record
 * maker gives all of a dataset's records one shape, so each read is a plain property load, where
 * a loop over the names made every read a generic keyed lookup), then written by its mode.
 */
function compileTuple(columns: SqlColumns[number]): TupleWriter {
  const lines = columns.map(({ name, mode }, i) => {
    const n = JSON.stringify(name);
    return `${i > 0 ? 'w.byte(0x2c); ' : ''}value(w, ${JSON.stringify(mode)}, record[${n}], ${n});`;
  });
  return new Function('value', `return function tuple(record, w) {\n${lines.join('\n')}\n};`)(writeValue) as TupleWriter;
}

/** Writes dataset `d`'s record as one tuple at `w.pos`; returns its byte length. */
export function sqlValuesWriter(columns: SqlColumns): (d: number, record: GenRecord, w: ByteWriter) => number {
  const tuples = columns.map(compileTuple);
  return (d, record, w) => {
    const start = w.pos;
    w.byte(0x28); // (
    tuples[d]!(record, w);
    w.byte(0x29); // )
    return w.pos - start;
  };
}
