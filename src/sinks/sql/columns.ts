/**
 * Table shapes shared by the database sinks: column kinds inferred from sampled records (for JSON
 * and .avsc inputs) or taken from a .sql input's own column types, and the table's name parts.
 */
import type { DatasetPlan, Plan } from '../../schema/plan.js';

export type ColumnKind = 'int' | 'float' | 'bool' | 'text' | 'timestamp' | 'json' | { array: ColumnKind };

export interface Column {
  name: string;
  kind: ColumnKind;
  /** The declared type of a .sql input column, used verbatim by the dialect that understands it. */
  declared?: string;
  notNull?: boolean;
}

export interface TableShape {
  dataset: number;
  schema?: string;
  table: string;
  key: string | null;
  columns: Column[];
}

const isDate = (v: unknown) => Object.prototype.toString.call(v) === '[object Date]';

function kindOf(v: unknown): ColumnKind | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  if (typeof v === 'bigint') return 'int';
  if (typeof v === 'string') return 'text';
  if (isDate(v)) return 'timestamp';
  if (Array.isArray(v)) {
    let el: ColumnKind | null = null;
    for (const x of v) el = merge(el, kindOf(x));
    return { array: el === null || typeof el === 'object' ? 'json' : el };
  }
  return 'json';
}

function merge(a: ColumnKind | null, b: ColumnKind | null): ColumnKind | null {
  if (a === null) return b;
  if (b === null) return a;
  if (typeof a === 'object' && typeof b === 'object') {
    const el = merge(a.array, b.array);
    return { array: el ?? 'text' };
  }
  if (a === b) return a;
  if ((a === 'int' && b === 'float') || (a === 'float' && b === 'int')) return 'float';
  if (typeof a === 'object' || typeof b === 'object' || a === 'json' || b === 'json') return 'json';
  return 'text';
}

/** Maps a .sql column type onto a kind, for encoding values. */
function kindOfDeclared(type: string): ColumnKind {
  const t = type.toLowerCase().replace(/\(.*$/, '').trim();
  if (t.endsWith('[]')) return { array: kindOfDeclared(t.slice(0, -2)) };
  if (/^(small|big|medium|tiny)?int|^integer|serial$/.test(t)) return 'int';
  if (/^(numeric|decimal|real|float|double|money)/.test(t)) return 'float';
  if (/^bool/.test(t)) return 'bool';
  if (/^(timestamp|datetime)/.test(t)) return 'timestamp';
  if (/^json/.test(t)) return 'json';
  return 'text';
}

export function splitName(plan: Plan, d: DatasetPlan): { schema?: string; table: string } {
  const dot = d.name.lastIndexOf('.');
  const schema = dot > 0 ? d.name.slice(0, dot) : undefined;
  const base = dot > 0 ? d.name.slice(dot + 1) : d.name;
  return { schema, table: plan.prefix ? `${plan.prefix}_${base}` : base };
}

export function tableShapes(plan: Plan, samples: Array<Array<Record<string, unknown>>>): TableShape[] {
  return plan.datasets.map((d, i) => {
    const { schema, table } = splitName(plan, d);
    let columns: Column[];
    if (d.sqlColumns) {
      columns = d.sqlColumns.map((c) => ({ name: c.name, kind: kindOfDeclared(c.type), declared: c.type, notNull: c.notNull }));
    } else {
      const kinds = new Map<string, ColumnKind | null>();
      for (const r of samples[i] ?? []) for (const [k, v] of Object.entries(r)) kinds.set(k, merge(kinds.get(k) ?? null, kindOf(v)));
      columns = [...kinds.entries()].map(([name, kind]) => ({ name, kind: kind ?? 'text' }));
    }
    return { dataset: i, schema, table, key: d.key, columns };
  });
}
