/** What the PostgreSQL and MySQL sinks do alike: where they connect, sending rows in slices, dropping tables. */
import { RecordCursor, type EncodedBatch } from '../../encoding/batch.js';
import type { Plan } from '../../schema/plan.js';
import { tableShapes, type TableShape } from './columns.js';

/** `host:port/database`, fit to print (never the password), from a URL or separate settings. */
export function connectionTarget(url: string | undefined, host: string | undefined, port: number | undefined, database: string | undefined, defaultPort: number): string {
  if (url) {
    const u = new URL(url);
    return `${u.hostname}:${u.port || defaultPort}/${u.pathname.slice(1)}`;
  }
  return `${host}:${port}/${database ?? '(default database)'}`;
}

/**
 * Sends each table's rows in plan order, counting what each statement took. A statement carries at
 * most `size` rows and, past its first row, at most `maxBytes` of row bytes (`bytes[d][i]` is row
 * i's, and `send` gets the slice's sizes too): large records (`--record-size`) would otherwise
 * make statements of hundreds of megabytes, over MySQL's `max_allowed_packet` and the largest
 * string V8 can build.
 */
export async function sendInSlices<T>(
  groups: T[][],
  bytes: number[][],
  size: number,
  maxBytes: number,
  delivered: number[],
  send: (dataset: number, rows: T[], sizes: number[]) => Promise<void>,
): Promise<void> {
  for (let d = 0; d < groups.length; d++) {
    const rows = groups[d]!;
    const sizes = bytes[d]!;
    for (let i = 0; i < rows.length; ) {
      let end = i + 1;
      let total = sizes[i]!;
      while (end < rows.length && end - i < size && total + sizes[end]! <= maxBytes) total += sizes[end++]!;
      const slice = rows.slice(i, end);
      await send(d, slice, sizes.slice(i, end));
      delivered[d]! += slice.length;
      i = end;
    }
  }
}

/**
 * A batch's rows as statements' bytes, table by table (see `sendInSlices`): each statement's rows
 * (the records' encoded values) copied from the batch by offset, comma-separated between `open`
 * and `close`, into one buffer reused from statement to statement. No Buffer view, array or string
 * per record: this runs on the main thread, which every record passes through. `send` gets a view
 * of the buffer, valid until it resolves.
 */
export class RowBytes {
  private buf = Buffer.alloc(0);
  private readonly open: Buffer;
  private readonly close: Buffer;

  constructor(open = '', close = '') {
    this.open = Buffer.from(open);
    this.close = Buffer.from(close);
  }

  async send(
    batch: EncodedBatch,
    range: { start: number; end: number; tables: number; rows: number; bytes: number },
    delivered: number[],
    send: (dataset: number, rows: Buffer) => Promise<void>,
  ): Promise<void> {
    const offsets = Array.from({ length: range.tables }, (): number[] => []);
    const sizes = Array.from({ length: range.tables }, (): number[] => []);
    const r = new RecordCursor(batch, range.start, range.end);
    while (r.next()) {
      if (r.valueLength < 0) continue;
      offsets[r.dataset]!.push(r.valueAt);
      sizes[r.dataset]!.push(r.valueLength);
    }
    const source = Buffer.from(batch.buffer, 0, batch.length);
    await sendInSlices(offsets, sizes, range.rows, range.bytes, delivered, (d, at, lengths) => send(d, this.join(source, at, lengths)));
  }

  private join(source: Buffer, at: number[], lengths: number[]): Buffer {
    let total = this.open.length + at.length + this.close.length;
    for (const n of lengths) total += n;
    if (this.buf.length < total) this.buf = Buffer.allocUnsafe(Math.max(total, 2 * this.buf.length));
    const out = this.buf;
    let p = this.open.copy(out, 0);
    for (let k = 0; k < at.length; k++) {
      if (k) out[p++] = 0x2c; // ,
      p += source.copy(out, p, at[k]!, at[k]! + lengths[k]!);
    }
    p += this.close.copy(out, p);
    return out.subarray(0, p);
  }
}

/** `--clean` for the database sinks: drops the schema's tables, children first. */
export async function dropTables(plan: Plan, drop: (t: TableShape) => Promise<string>, log: (m: string) => void): Promise<void> {
  for (const t of tableShapes(plan, []).reverse()) log(`dropped table ${await drop(t)} (if it existed)`);
}
