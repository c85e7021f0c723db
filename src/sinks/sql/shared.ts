/** What the PostgreSQL and MySQL sinks do alike: where they connect, sending rows in slices, dropping tables. */
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
 * most `size` rows and, past its first row, at most `maxBytes` of row JSON (`bytes[d][i]` is row
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

/** `--clean` for the database sinks: drops the schema's tables, children first. */
export async function dropTables(plan: Plan, drop: (t: TableShape) => Promise<string>, log: (m: string) => void): Promise<void> {
  for (const t of tableShapes(plan, []).reverse()) log(`dropped table ${await drop(t)} (if it existed)`);
}
