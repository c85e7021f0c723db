/**
 * MySQL/MariaDB sink (mysql2). Tables are created when missing, from a .sql input's DDL or
 * inferred from sampled records (arrays and nested objects become JSON columns); rows go in
 * batched `INSERT ... ON DUPLICATE KEY UPDATE`, so a repeated key leaves its latest values. The
 * workers write each record as its SQL tuple (src/encoding/sql-values.ts); this thread joins them.
 * MySQL DDL is not transactional: tables this run created are dropped again if a later create fails.
 */
import mysql from 'mysql2/promise';
import type { EncodedBatch } from '../../encoding/batch.js';
import type { EncodingSpec } from '../../encoding/encoders.js';
import { sqlValueMode } from '../../encoding/sql-values.js';
import { DatagenError, ErrorCodes } from '../../errors.js';
import type { Plan } from '../../schema/plan.js';
import type { DeliveryReport, Sink, SinkContext, SinkDefinition, SinkOptionsInput } from '../sink.js';
import { tableShapes, type Column, type ColumnKind, type TableShape } from '../sql/columns.js';
import { dropTables, RowBytes } from '../sql/shared.js';
import { mysqlOptions, type MysqlOptions } from './options.js';

const SAMPLE_ITERATIONS = 200;
const q = (id: string) => `\`${id.replace(/`/g, '``')}\``;
const qname = (t: { schema?: string; table: string }) => (t.schema ? `${q(t.schema)}.${q(t.table)}` : q(t.table));

/**
 * Bytes of rows per INSERT, at most (past its first row): under MySQL 5.7's default
 * `max_allowed_packet` (4 MB) with room for the statement around them, and under MariaDB's (16 MB).
 */
const STATEMENT_BYTES = 3 << 20;

function kindType(k: ColumnKind, isKey: boolean): string {
  if (typeof k === 'object') return 'JSON';
  // TEXT holds 64 kB; strings made by --record-size or long lorem expressions can be larger.
  if (k === 'text') return isKey ? 'VARCHAR(255)' : 'LONGTEXT';
  return { int: 'BIGINT', float: 'DOUBLE', bool: 'BOOLEAN', timestamp: 'DATETIME(3)', json: 'JSON' }[k];
}

/** PostgreSQL-flavoured types a .sql input may use, in MySQL terms. */
function mapDeclared(t: string, isKey: boolean): string {
  if (/\[\]$/.test(t)) return 'JSON';
  const m = t
    .replace(/^timestamptz\b|^timestamp\s+with(out)?\s+time\s+zone/i, 'DATETIME(3)')
    .replace(/^timestamp\b/i, 'DATETIME(3)')
    .replace(/^jsonb\b/i, 'JSON')
    .replace(/^(big)?serial\b/i, 'BIGINT')
    .replace(/^uuid\b/i, 'CHAR(36)')
    .replace(/^(character varying|varchar)$/i, 'VARCHAR(255)')
    .replace(/^string\b/i, 'TEXT');
  return isKey && /^text$/i.test(m) ? 'VARCHAR(255)' : m;
}

const colType = (c: Column, key: string | null) => (c.declared ? mapDeclared(c.declared, c.name === key) : kindType(c.kind, c.name === key));

export function createTableSql(t: TableShape): string {
  const cols = t.columns.map((c) => `${q(c.name)} ${colType(c, t.key)}${c.notNull || c.name === t.key ? ' NOT NULL' : ''}`);
  if (t.key) cols.push(`PRIMARY KEY (${q(t.key)})`);
  return `CREATE TABLE ${qname(t)} (\n  ${cols.join(',\n  ')}\n)`;
}

function connectionError(e: unknown, o: MysqlOptions): DatagenError {
  const err = e as { code?: string; message: string };
  const why: Record<string, string> = {
    ER_ACCESS_DENIED_ERROR: 'access denied (check MYSQL_USER / MYSQL_PASSWORD)',
    ER_BAD_DB_ERROR: 'the database does not exist',
    ECONNREFUSED: 'connection refused (is MySQL/MariaDB running?)',
    ENOTFOUND: 'unknown host',
    ETIMEDOUT: 'no answer within 10 s',
  };
  const known = why[err.code ?? ''];
  return new DatagenError(ErrorCodes.CONNECTION, `MySQL at ${o.target}: ${known ? `${known} (${err.message})` : err.message}`, { cause: e });
}

async function connect(o: MysqlOptions): Promise<mysql.Connection> {
  try {
    return await mysql.createConnection(o.connection);
  } catch (e) {
    throw connectionError(e, o);
  }
}

export class MysqlSink implements Sink {
  private readonly o: MysqlOptions;
  private conn?: mysql.Connection;
  private tables: TableShape[] = [];
  /** Each table's statement around its rows: `INSERT ... VALUES ` and the upsert clause. */
  private statements: Array<{ head: string; tail: string }> = [];
  private delivered: number[] = [];
  private readonly rows = new RowBytes();

  constructor(input: SinkOptionsInput) {
    this.o = mysqlOptions(input);
  }

  async prepare(ctx: SinkContext): Promise<EncodingSpec> {
    const needsSample = ctx.plan.datasets.some((d) => !d.sqlColumns);
    const samples = needsSample ? await ctx.sample(SAMPLE_ITERATIONS) : [];
    this.tables = tableShapes(ctx.plan, samples);
    this.delivered = this.tables.map(() => 0);
    this.conn = await connect(this.o);
    await this.createTables(ctx);
    this.statements = this.tables.map((t) => {
      const cols = t.columns.map((c) => q(c.name)).join(', ');
      const updates = t.columns.filter((c) => c.name !== t.key).map((c) => `${q(c.name)} = VALUES(${q(c.name)})`);
      const upsert = t.key && updates.length ? ` ON DUPLICATE KEY UPDATE ${updates.join(', ')}` : '';
      return { head: `INSERT ${t.key && !updates.length ? 'IGNORE ' : ''}INTO ${qname(t)} (${cols}) VALUES `, tail: upsert };
    });
    // The workers write each record as its table's tuple: this thread only joins them.
    return { kind: 'sql-values', columns: this.tables.map((t) => t.columns.map((c) => ({ name: c.name, mode: sqlValueMode(c.kind) }))) };
  }

  private async createTables(ctx: SinkContext): Promise<void> {
    const c = this.conn!;
    const created: TableShape[] = [];
    try {
      for (const t of this.tables) {
        if (t.schema) await c.query(`CREATE DATABASE IF NOT EXISTS ${q(t.schema)}`);
        const [exists] = await c.query<mysql.RowDataPacket[]>(
          'SELECT 1 FROM information_schema.tables WHERE table_schema = COALESCE(?, DATABASE()) AND table_name = ?',
          [t.schema ?? null, t.table],
        );
        if (exists.length === 0) {
          const ddl = createTableSql(t);
          if (ctx.debug) ctx.log(ddl);
          await c.query(ddl);
          created.push(t);
        }
        await this.checkFits(t);
      }
    } catch (e) {
      for (const t of created.reverse()) await c.query(`DROP TABLE IF EXISTS ${qname(t)}`).catch(() => undefined);
      if (e instanceof DatagenError) throw e;
      throw new DatagenError(ErrorCodes.SINK, `MySQL at ${this.o.target}: cannot create tables: ${(e as Error).message}`, { cause: e });
    }
  }

  private async checkFits(t: TableShape): Promise<void> {
    const [cols] = await this.conn!.query<mysql.RowDataPacket[]>(
      'SELECT column_name AS name FROM information_schema.columns WHERE table_schema = COALESCE(?, DATABASE()) AND table_name = ?',
      [t.schema ?? null, t.table],
    );
    const have = new Set(cols.map((r) => String(r.name)));
    const missing = t.columns.filter((c) => !have.has(c.name)).map((c) => c.name);
    if (missing.length) {
      throw new DatagenError(ErrorCodes.SINK, `MySQL table ${qname(t)} exists but has no column ${missing.map((m) => `"${m}"`).join(', ')} (it has ${[...have].join(', ')})`);
    }
    if (t.key) {
      const [idx] = await this.conn!.query<mysql.RowDataPacket[]>(
        `SELECT index_name FROM information_schema.statistics WHERE table_schema = COALESCE(?, DATABASE()) AND table_name = ? AND non_unique = 0
         GROUP BY index_name HAVING COUNT(*) = 1 AND MAX(column_name) = ?`,
        [t.schema ?? null, t.table, t.key],
      );
      if (idx.length === 0) throw new DatagenError(ErrorCodes.SINK, `MySQL table ${qname(t)} exists without a primary key or unique index on "${t.key}", needed to upsert`);
    }
  }

  async write(batch: EncodedBatch, start: number, end: number): Promise<void> {
    const range = { start, end, tables: this.tables.length, rows: this.o.batchSize, bytes: STATEMENT_BYTES };
    await this.rows.send(batch, range, this.delivered, async (d, rows) => {
      const { head, tail } = this.statements[d]!;
      try {
        await this.conn!.query(head + rows.toString('utf8') + tail);
      } catch (e) {
        throw new DatagenError(ErrorCodes.SINK, `MySQL table ${qname(this.tables[d]!)}: ${(e as Error).message}`, { cause: e });
      }
    });
  }

  async flush(): Promise<void> {}

  async close(): Promise<void> {
    await this.conn?.end().catch(() => undefined);
    this.conn = undefined;
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
  const o = mysqlOptions(input);
  const conn = await connect(o);
  try {
    await dropTables(plan, async (t) => (await conn.query(`DROP TABLE IF EXISTS ${qname(t)}`), qname(t)), log);
  } finally {
    await conn.end();
  }
}

export const mysqlSink: SinkDefinition = {
  create: (input) => new MysqlSink(input),
  clean,
};
