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
 *   other columns the value itself, or the JSON text of an array or object;
 * - written as `NULL`, `true`/`false`, a number as `String()` writes it, or a string quoted in
 *   `'...'` with `\0 \b \t \n \r \Z \" \' \\` escapes, in UTF-8.
 */
import type { GenRecord } from '../generate/graph.js';
import type { ColumnKind } from '../sinks/sql/columns.js';
import { writeAscii, writeUtf8, type ByteWriter } from './writer.js';

/** How a column turns a value into SQL. */
export type SqlValueMode = 'json' | 'timestamp' | 'plain';

/** A column's mode: arrays, nested objects and `json` columns take JSON text; timestamps MySQL's form. */
export const sqlValueMode = (kind: ColumnKind): SqlValueMode => (typeof kind === 'object' || kind === 'json' ? 'json' : kind === 'timestamp' ? 'timestamp' : 'plain');

/** Per dataset, its table's columns in the statement's order. */
export type SqlColumns = Array<Array<{ name: string; mode: SqlValueMode }>>;

/** An ISO timestamp as JSON writes a Date. */
const ISO = /^(\d{4}-\d\d-\d\d)T(\d\d:\d\d:\d\d(?:\.\d+)?)Z$/;
const NEEDS_ESCAPE = /[\0\b\t\n\r\x1a"'\\]/;
const ESCAPE = /[\0\b\t\n\r\x1a"'\\]/g;
const ESCAPED: Record<string, string> = { '\0': '\\0', '\b': '\\b', '\t': '\\t', '\n': '\\n', '\r': '\\r', '\x1a': '\\Z', '"': '\\"', "'": "\\'", '\\': '\\\\' };

/** A MySQL timestamp column's text for an ISO string (other strings as they are). */
export const mysqlTimestamp = (s: string): string => s.replace(ISO, '$1 $2');

function writeBare(w: ByteWriter, s: string): void {
  w.ensure(s.length);
  writeAscii(w.buf, w.pos, s);
  w.pos += s.length;
}

function writeQuoted(w: ByteWriter, s: string): void {
  if (NEEDS_ESCAPE.test(s)) s = s.replace(ESCAPE, (c) => ESCAPED[c]!);
  w.ensure(s.length * 3 + 2);
  const buf = w.buf;
  let at = w.pos;
  buf[at++] = 0x27;
  at += writeUtf8(buf, at, s);
  buf[at++] = 0x27;
  w.pos = at;
}

function writeValue(w: ByteWriter, mode: SqlValueMode, v: unknown, name: string): void {
  switch (typeof v) {
    case 'string':
      return writeQuoted(w, mode === 'json' ? JSON.stringify(v) : mode === 'timestamp' ? mysqlTimestamp(v) : v);
    case 'number':
      if (!Number.isFinite(v)) return writeBare(w, 'NULL');
      return mode === 'json' ? writeQuoted(w, JSON.stringify(v)) : writeBare(w, String(v));
    case 'boolean':
      return mode === 'json' ? writeQuoted(w, String(v)) : writeBare(w, String(v));
    case 'undefined':
      return writeBare(w, 'NULL');
  }
  if (v === null) return writeBare(w, 'NULL');
  // Anything else as the record's JSON carries it (toJSON gets the field's name, as there).
  const json: unknown = JSON.parse(JSON.stringify({ [name]: v }))[name];
  if (json === undefined || json === null) return writeBare(w, 'NULL');
  if (typeof json === 'object') return writeQuoted(w, JSON.stringify(json));
  writeValue(w, mode, json, name);
}

/** Writes dataset `d`'s record as one tuple at `w.pos`; returns its byte length. */
export function sqlValuesWriter(columns: SqlColumns): (d: number, record: GenRecord, w: ByteWriter) => number {
  return (d, record, w) => {
    const start = w.pos;
    const cols = columns[d]!;
    w.ensure(1);
    w.buf[w.pos++] = 0x28; // (
    for (let i = 0; i < cols.length; i++) {
      if (i > 0) {
        w.ensure(1);
        w.buf[w.pos++] = 0x2c; // ,
      }
      const c = cols[i]!;
      writeValue(w, c.mode, record[c.name], c.name);
    }
    w.ensure(1);
    w.buf[w.pos++] = 0x29; // )
    return w.pos - start;
  };
}
