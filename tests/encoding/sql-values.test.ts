import assert from 'node:assert/strict';
import { test } from 'node:test';
import vm from 'node:vm';
import mysql from 'mysql2/promise';
import { createEncoder } from '../../src/encoding/encoders.js';
import { RecordCursor } from '../../src/encoding/batch.js';
import { mysqlTimestamp, sqlValueMode, sqlValuesWriter, type SqlValueMode } from '../../src/encoding/sql-values.js';
import { ByteWriter } from '../../src/encoding/writer.js';
import { RecordGraph } from '../../src/generate/graph.js';
import { loadSchema } from '../../src/schema/load.js';
import { tableShapes } from '../../src/sinks/sql/columns.js';
import { SCHEMA_FILES } from '../helpers.js';

/**
 * What the MySQL sink sent before the workers wrote tuples: the record's JSON parsed back, each
 * column's value converted, and the row escaped by mysql2 (`VALUES ?` with the rows as arrays).
 */
function throughMysql2(record: Record<string, unknown>, columns: Array<{ name: string; mode: SqlValueMode }>): string {
  const parsed = JSON.parse(JSON.stringify(record)) as Record<string, unknown>;
  const row = columns.map(({ name, mode }) => {
    const v = parsed[name];
    if (mode === 'json') return v === null || v === undefined ? null : JSON.stringify(v);
    if (typeof v === 'string' && mode === 'timestamp') return mysqlTimestamp(v);
    // An array or object in a timestamp column was handed to mysql2 as it was, which wrote a SQL
    // list or assignments (`()`, `\`a\` = 1`) that MySQL refused; the tuple writer gives it JSON text.
    return v !== null && typeof v === 'object' ? JSON.stringify(v) : v ?? null;
  });
  // As mysql2 sends it: UTF-8 (a lone surrogate becomes U+FFFD).
  return Buffer.from(mysql.format('?', [[row]] as never)).toString().replace(/^\(|\)$/g, '');
}

/** The tuples' text, one per record. */
function tuples(records: Array<Record<string, unknown>>, columns: Array<{ name: string; mode: SqlValueMode }>, room = 8): string[] {
  const write = sqlValuesWriter([columns]);
  const w = new ByteWriter(room);
  return records.map((r) => {
    const start = w.pos;
    const n = write(0, r, w);
    assert.equal(w.pos - start, n, 'returns the bytes it wrote');
    return w.buf.subarray(start, w.pos).toString();
  });
}

/**
 * mysql2 separates a row's values with ", ", the tuples with ","; so each value is compared alone
 * (a ", " inside a string cannot mislead), then the whole tuple as those values joined.
 */
function assertLikeMysql2(record: Record<string, unknown>, columns: Array<{ name: string; mode: SqlValueMode }>, what: string): void {
  const each = columns.map((c) => throughMysql2(record, [c]));
  columns.forEach((c, i) => assert.deepEqual(tuples([record], [c]), [`(${each[i]})`], `${what}, field ${c.name} as ${c.mode}`));
  assert.deepEqual(tuples([record], columns), [`(${each.join(',')})`], `${what}, the whole tuple`);
}

test('each value is written as mysql2 escaped it after the JSON round trip, in every column mode', () => {
  const other = vm.runInNewContext('({ a: 1, d: new Date(0), list: [1, "x"] })') as Record<string, unknown>;
  const values: unknown[] = [
    '', 'plain', "it's", 'quote " inside', 'back\\slash', 'tab\tnew\nline\r', '\u0000\b\u001a\u0001\u007f', 'é à ü', '日本語', '😀 emoji', '\ud800 lone high',
    'x'.repeat(255), `${'z'.repeat(1000)}é'`, '2024-02-29T12:30:45.678Z', '2024-02-29T12:30:45Z', '2024-02-29 12:30:45', 'not a date',
    0, -0, 1, -1, 2147483648, 1.5, -0.25, 0.1 + 0.2, 1e21, 1e-7, Number.MAX_SAFE_INTEGER, NaN, Infinity, -Infinity,
    true, false, null, undefined, () => 1, Symbol('s'),
    [], [1, 2, 3], ['a', null, true, "o'k"], [undefined, () => 1], { a: 1, b: 'two\n' }, { u: undefined, k: 1 }, { '2': 'b', '1': 'a' }, { nested: { deeper: ["it's"] } },
    new Date(Date.UTC(2024, 1, 29, 12, 30, 45, 678)), new Date(-1), new Date(NaN), new Date(8.64e15), new Date(-8.64e15), new Date(Date.UTC(9999, 11, 31, 23, 59, 59, 999)), new Date(Date.UTC(10000, 0, 1)),
    Object.assign(new Date(0), { toJSON: () => 'own toJSON' }), Object.assign(new Date(0), { toISOString: () => 'own toISOString' }), Object.assign(new Date(0), { valueOf: () => NaN }),
    Buffer.from([0, 1, 255]), new Map([[1, 2]]), other, Object.create(null),
    { toJSON: () => 'custom' }, { toJSON: (key: string) => `key ${key}` }, { toJSON: () => undefined },
  ];
  const modes: SqlValueMode[] = ['plain', 'json', 'timestamp'];
  values.forEach((v, i) => {
    const what = `value ${i} (${typeof v})`;
    const columns = modes.map((mode) => ({ name: 'v', mode }));
    assertLikeMysql2({ v }, columns, what);
    assertLikeMysql2({ a: 1, v, b: 'x' }, columns, `${what}, among other fields`);
  });
  // Fields the record lacks, and a field named __proto__.
  assertLikeMysql2({ b: 1 }, [{ name: 'missing', mode: 'plain' }, { name: 'missing', mode: 'json' }], 'a missing field');
  assertLikeMysql2(JSON.parse('{"__proto__": {"x": 1}}'), [{ name: '__proto__', mode: 'json' }], 'a field named __proto__');
  // A BigInt cannot be written, as JSON.stringify cannot.
  assert.throws(() => tuples([{ v: 1n }], [{ name: 'v', mode: 'plain' }]), TypeError);
});

test('every record of every example and fixture schema is written as mysql2 escaped it, and the batch holds them all', () => {
  for (const file of SCHEMA_FILES) {
    const { plan, avroNames } = loadSchema(file);
    const graph = new RecordGraph(plan, { seed: 5, refDate: Date.parse('2025-01-01T00:00:00Z'), recordSize: 0, allowCode: true, avroNames });
    const records: Array<Array<Record<string, unknown>>> = plan.datasets.map(() => []);
    for (let i = 0; i < 40; i++) graph.generate(i, (d, r) => records[d]!.push(r));
    const columns = tableShapes(plan, records).map((t) => t.columns.map((c) => ({ name: c.name, mode: sqlValueMode(c.kind) })));
    const encoder = createEncoder(plan, { kind: 'sql-values', columns });
    let expected = 0;
    records.forEach((rs, d) => {
      for (const r of rs) {
        assertLikeMysql2(r, columns[d]!, `${file}, dataset ${d}`);
        encoder.add(d, r);
        expected++;
      }
    });
    const batch = encoder.finish(0);
    const cursor = new RecordCursor(batch);
    let seen = 0;
    while (cursor.next()) seen++;
    assert.equal(seen, expected, file);
  }
});

test('whole numbers are written as String() writes them, up to ±(2^53 - 1) and past it', () => {
  const values: number[] = [];
  for (let d = 0; d < 2000; d++) values.push(Number.MAX_SAFE_INTEGER - d, -(Number.MAX_SAFE_INTEGER - d), 2 ** 31 + d, -(2 ** 31) - d, d, -d);
  for (let i = 0; i < 20_000; i++) values.push(Math.floor((Math.random() - 0.5) * 2 ** 54));
  values.push(2 ** 53, 2 ** 53 + 2, -(2 ** 53), 1e21, -1e21);
  const columns = [{ name: 'v', mode: 'plain' as const }];
  assert.deepEqual(tuples(values.map((v) => ({ v })), columns), values.map((v) => `(${String(v)})`));
});
