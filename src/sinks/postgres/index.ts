/**
 * PostgreSQL sink. Tables are created when missing (from a .sql input's DDL, or inferred from
 * sampled records) in one transaction, so a failed create leaves nothing behind. Rows arrive as
 * one JSON array per table and statement, expanded server-side by json_populate_recordset; keyed
 * tables upsert, the latest record of a key winning, as a Kafka UPSERT source would see it.
 */
import pg from 'pg';
import type { EncodedBatch } from '../../encoding/batch.js';
import type { EncodingSpec } from '../../encoding/encoders.js';
import { DatagenError, ErrorCodes } from '../../errors.js';
import type { Plan } from '../../schema/plan.js';
import type { DeliveryReport, Sink, SinkContext, SinkDefinition, SinkOptionsInput } from '../sink.js';
import { tableShapes, type Column, type ColumnKind, type TableShape } from '../sql/columns.js';
import { dropTables, RowBytes } from '../sql/shared.js';
import { postgresOptions, type PostgresOptions } from './options.js';

const SAMPLE_ITERATIONS = 200;
/** Row JSON per statement, at most (past one row): keeps the JSON parameter far from V8's and PostgreSQL's 0.5–1 GB limits with large records. */
const STATEMENT_BYTES = 16 << 20;
const q = (id: string) => `"${id.replace(/"/g, '""')}"`;
const qname = (t: { schema?: string; table: string }) => (t.schema ? `${q(t.schema)}.${q(t.table)}` : q(t.table));

function pgType(c: Column): string {
  if (c.declared) return mapDeclared(c.declared);
  return kindType(c.kind);
}

function kindType(k: ColumnKind): string {
  if (typeof k === 'object') return `${kindType(k.array)}[]`;
  return { int: 'bigint', float: 'double precision', bool: 'boolean', text: 'text', timestamp: 'timestamptz', json: 'jsonb' }[k];
}

/** MySQL-flavoured types that seed-tool .sql files use, in PostgreSQL terms. */
function mapDeclared(t: string): string {
  return t
    .replace(/^datetime\b/i, 'timestamp')
    .replace(/^tinyint\b(\(\d+\))?/i, 'smallint')
    .replace(/^mediumint\b(\(\d+\))?/i, 'integer')
    .replace(/^int\s+unsigned\b/i, 'bigint')
    .replace(/^(int|integer|bigint|smallint)\(\d+\)/i, '$1')
    .replace(/^double\b(?!\s+precision)/i, 'double precision')
    .replace(/^(long|medium|tiny)text\b/i, 'text')
    .replace(/^string\b/i, 'text');
}

export function createTableSql(t: TableShape): string {
  const cols = t.columns.map((c) => `${q(c.name)} ${pgType(c)}${c.notNull || c.name === t.key ? ' NOT NULL' : ''}`);
  if (t.key) cols.push(`PRIMARY KEY (${q(t.key)})`);
  return `CREATE TABLE IF NOT EXISTS ${qname(t)} (\n  ${cols.join(',\n  ')}\n)`;
}

function insertSql(t: TableShape): string {
  const cols = t.columns.map((c) => q(c.name)).join(', ');
  const rows = `json_populate_recordset(NULL::${qname(t)}, $1::json) WITH ORDINALITY AS r`;
  if (!t.key) return `INSERT INTO ${qname(t)} (${cols}) SELECT ${cols} FROM ${rows}`;
  // A key may repeat within one statement; keep its latest record (ON CONFLICT cannot touch a row twice).
  const updates = t.columns.filter((c) => c.name !== t.key).map((c) => `${q(c.name)} = EXCLUDED.${q(c.name)}`);
  return (
    `INSERT INTO ${qname(t)} (${cols}) SELECT ${cols} FROM (SELECT DISTINCT ON (${q(t.key)}) * FROM ${rows} ORDER BY ${q(t.key)}, r.ordinality DESC) AS latest ` +
    `ON CONFLICT (${q(t.key)}) DO ${updates.length ? `UPDATE SET ${updates.join(', ')}` : 'NOTHING'}`
  );
}

/** One clear line for the errors users meet: bad credentials, missing database, unreachable host. */
function connectionError(e: unknown, o: PostgresOptions): DatagenError {
  const err = e as { code?: string; message: string };
  const why: Record<string, string> = {
    '28P01': 'password authentication failed',
    '28000': 'the server refused this user',
    '3D000': 'the database does not exist',
    ECONNREFUSED: 'connection refused (is PostgreSQL running?)',
    ENOTFOUND: 'unknown host',
  };
  return new DatagenError(ErrorCodes.CONNECTION, `PostgreSQL at ${o.target}: ${why[err.code ?? ""] ? `${why[err.code ?? ""]} (${err.message})` : err.message}`, { cause: e });
}

async function connect(o: PostgresOptions): Promise<pg.Client> {
  const client = new pg.Client(o.connection);
  client.on('error', () => undefined); // surfaced by the failing query instead
  try {
    await client.connect();
  } catch (e) {
    await client.end().catch(() => undefined);
    throw connectionError(e, o);
  }
  return client;
}

export class PostgresSink implements Sink {
  private readonly o: PostgresOptions;
  private client?: pg.Client;
  private tables: TableShape[] = [];
  private statements: string[] = [];
  private delivered: number[] = [];
  private readonly rows = new RowBytes('[', ']');

  constructor(input: SinkOptionsInput) {
    this.o = postgresOptions(input);
  }

  async prepare(ctx: SinkContext): Promise<EncodingSpec> {
    const needsSample = ctx.plan.datasets.some((d) => !d.sqlColumns);
    const samples = needsSample ? await ctx.sample(SAMPLE_ITERATIONS) : [];
    this.tables = tableShapes(ctx.plan, samples);
    this.delivered = this.tables.map(() => 0);
    this.client = await connect(this.o);
    await this.createTables(ctx);
    this.statements = this.tables.map(insertSql);
    return { kind: 'json' };
  }

  private async createTables(ctx: SinkContext): Promise<void> {
    const c = this.client!;
    await c.query('BEGIN');
    try {
      for (const t of this.tables) {
        if (t.schema) await c.query(`CREATE SCHEMA IF NOT EXISTS ${q(t.schema)}`);
        const ddl = createTableSql(t);
        if (ctx.debug) ctx.log(ddl);
        await c.query(ddl);
        await this.checkFits(t);
      }
      await c.query('COMMIT');
    } catch (e) {
      await c.query('ROLLBACK').catch(() => undefined);
      if (e instanceof DatagenError) throw e;
      throw new DatagenError(ErrorCodes.SINK, `PostgreSQL at ${this.o.target}: cannot create tables: ${(e as Error).message}`, { cause: e });
    }
  }

  /** An existing table must have every column we write (json_populate_recordset would drop the rest silently) and a unique key. */
  private async checkFits(t: TableShape): Promise<void> {
    const res = await this.client!.query<{ column_name: string }>(
      `SELECT column_name FROM information_schema.columns WHERE table_schema = COALESCE($1, current_schema()) AND table_name = $2`,
      [t.schema ?? null, t.table],
    );
    const have = new Set(res.rows.map((r) => r.column_name));
    const missing = t.columns.filter((c) => !have.has(c.name)).map((c) => c.name);
    if (missing.length) {
      throw new DatagenError(ErrorCodes.SINK, `PostgreSQL table ${qname(t)} exists but has no column ${missing.map((m) => `"${m}"`).join(', ')} (it has ${[...have].join(', ')})`);
    }
    if (t.key) {
      const unique = await this.client!.query(
        `SELECT 1 FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
         WHERE i.indrelid = $1::regclass AND i.indisunique AND i.indnatts = 1 AND a.attname = $2`,
        [qname(t), t.key],
      );
      if (unique.rowCount === 0) throw new DatagenError(ErrorCodes.SINK, `PostgreSQL table ${qname(t)} exists without a primary key or unique index on "${t.key}", needed to upsert`);
    }
  }

  /**
   * Each table's rows go as one JSON array, built as bytes (RowBytes) and sent as the `json`
   * parameter in binary format, which for `json` is the text itself: no string is made of it here.
   */
  async write(batch: EncodedBatch, start: number, end: number): Promise<void> {
    const range = { start, end, tables: this.tables.length, rows: this.o.batchSize, bytes: STATEMENT_BYTES };
    await this.rows.send(batch, range, this.delivered, async (d, json) => {
      try {
        await this.client!.query(this.statements[d]!, [json]);
      } catch (e) {
        throw new DatagenError(ErrorCodes.SINK, `PostgreSQL table ${qname(this.tables[d]!)}: ${(e as Error).message}`, { cause: e });
      }
    });
  }

  async flush(): Promise<void> {}

  async close(): Promise<void> {
    await this.client?.end().catch(() => undefined);
    this.client = undefined;
  }

  /** write() resolves once its statements ran. */
  doneWithBatches(): boolean {
    return true;
  }

  report(): DeliveryReport {
    return { delivered: this.delivered, failed: 0 };
  }
}

async function clean(plan: Plan, input: SinkOptionsInput, log: (m: string) => void): Promise<void> {
  const o = postgresOptions(input);
  const client = await connect(o);
  try {
    await dropTables(plan, async (t) => (await client.query(`DROP TABLE IF EXISTS ${qname(t)}`), qname(t)), log);
  } finally {
    await client.end();
  }
}

export const postgresSink: SinkDefinition = {
  create: (input) => new PostgresSink(input),
  clean,
};
