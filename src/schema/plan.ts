/**
 * The plan: what a schema means after parsing and validation. Pure, serialisable data: the
 * coordinator sends it to every worker once.
 */

/** How one field's value is made. */
export type FieldSpec =
  /** A FakerJS expression (plain call or JavaScript), compiled once per worker. */
  | { kind: 'expr'; source: string }
  /** A literal from the schema file (number, boolean, null). */
  | { kind: 'const'; value: unknown }
  /** `iteration.index`: the 1-based iteration number. */
  | { kind: 'index' }
  /** A nested object. */
  | { kind: 'object'; fields: FieldEntry[] }
  /** A value for a declared Avro type (from .avsc input); `names` resolves named types. */
  | { kind: 'avro'; type: unknown; fieldName: string }
  /** A generator chosen for a SQL column type (from .sql input, columns without a comment). */
  | { kind: 'sqltype'; type: string; length?: number };

export type FieldEntry = [name: string, spec: FieldSpec];

export interface RelationshipPlan {
  /** Index of the child dataset in Plan.datasets. */
  child: number;
  parentField: string;
  childField: string;
  /** Children per parent when the parent field is not an array. */
  recordsPer: number;
}

export interface SqlColumn {
  name: string;
  type: string;
  notNull: boolean;
  comment?: string;
}

export interface DatasetPlan {
  /** `_meta.topic` as written in the schema. */
  name: string;
  /** Topic or table name after `--prefix`. */
  topic: string;
  key: string | null;
  fields: FieldEntry[];
  relationships: RelationshipPlan[];
  /** The declared Avro schema of an .avsc input (registered as is). */
  avroSchema?: object;
  /** Columns of a .sql input, in declaration order (used for DDL by the database sinks). */
  sqlColumns?: SqlColumn[];
}

export interface Plan {
  file: string;
  kind: 'json' | 'avsc' | 'sql';
  /** `--prefix`, if any (already applied to every dataset's topic). */
  prefix?: string;
  /** Parents always come before their children (topological order). */
  datasets: DatasetPlan[];
}

/** Settings that shape generated values; identical in every worker. */
export interface GenOptions {
  seed: number;
  /** Reference "now" for faker's relative dates, epoch ms. */
  refDate: number;
  recordSize: number;
  allowCode: boolean;
  /** Named types declared in .avsc inputs, by full name. */
  avroNames?: Record<string, unknown>;
}
