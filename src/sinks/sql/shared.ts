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

/** Sends each table's rows in plan order, `size` rows per statement, counting what each statement took. */
export async function sendInSlices<T>(groups: T[][], size: number, delivered: number[], send: (dataset: number, rows: T[]) => Promise<void>): Promise<void> {
  for (let d = 0; d < groups.length; d++) {
    const rows = groups[d]!;
    for (let i = 0; i < rows.length; i += size) {
      const slice = rows.slice(i, i + size);
      await send(d, slice);
      delivered[d]! += slice.length;
    }
  }
}

/** `--clean` for the database sinks: drops the schema's tables, children first. */
export async function dropTables(plan: Plan, drop: (t: TableShape) => Promise<string>, log: (m: string) => void): Promise<void> {
  for (const t of tableShapes(plan, []).reverse()) log(`dropped table ${await drop(t)} (if it existed)`);
}
