/**
 * Infers one Avro schema per topic from many sampled records (not one): int and double merge to
 * double, integers beyond 32 bits become long, a field ever seen null becomes ["null", T],
 * Dates become timestamp-millis longs, nested records and arrays get deterministic names.
 */
import { schemaError } from '../errors.js';
import type { GenRecord } from '../generate/graph.js';
import type { Plan } from '../schema/plan.js';

/** Iterations sampled to infer a run's Avro schemas. */
export const AVRO_SAMPLE_ITERATIONS = 500;

/**
 * Each dataset's Avro schema, in plan order: the one its .avsc file declares, else one inferred
 * from the first `iterations` iterations (sampled only when some dataset needs it).
 */
export async function avroSchemas(plan: Plan, sample: (iterations: number) => Promise<GenRecord[][]>, iterations = AVRO_SAMPLE_ITERATIONS): Promise<object[]> {
  const samples = plan.datasets.some((d) => !d.avroSchema) ? await sample(iterations) : [];
  return plan.datasets.map((d, i) => d.avroSchema ?? inferAvroSchema(d.topic, samples[i]!, plan.file));
}

type AvroType = string | { [k: string]: unknown } | AvroType[];

/** What we learned about one position from all samples. */
interface Shape {
  nullable: boolean;
  kinds: Set<'boolean' | 'int' | 'long' | 'double' | 'string' | 'bytes' | 'timestamp'>;
  array?: Shape;
  record?: Map<string, Shape>;
  /** Records in which the field was present (to spot optional fields). */
  seen: number;
}

const VALID_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const newShape = (): Shape => ({ nullable: false, kinds: new Set(), seen: 0 });

function observe(shape: Shape, v: unknown, at: { file: string; dataset: string; field: string }): void {
  shape.seen++;
  if (v === null || v === undefined) {
    shape.nullable = true;
  } else if (typeof v === 'boolean') {
    shape.kinds.add('boolean');
  } else if (typeof v === 'number') {
    shape.kinds.add(!Number.isInteger(v) ? 'double' : v >= -2147483648 && v <= 2147483647 ? 'int' : 'long');
  } else if (typeof v === 'string') {
    shape.kinds.add('string');
  } else if (typeof v === 'bigint') {
    shape.kinds.add('long');
  } else if (Object.prototype.toString.call(v) === '[object Date]') {
    shape.kinds.add('timestamp');
  } else if (Buffer.isBuffer(v) || v instanceof Uint8Array) {
    shape.kinds.add('bytes');
  } else if (Array.isArray(v)) {
    shape.array ??= newShape();
    for (const el of v) observe(shape.array, el, { ...at, field: at.field + '[]' });
  } else if (typeof v === 'object') {
    shape.record ??= new Map();
    for (const [k, fv] of Object.entries(v as object)) {
      if (!VALID_NAME.test(k)) throw schemaError(`"${k}" is not a valid Avro field name (letters, digits, _; not starting with a digit)`, { ...at, field: at.field ? `${at.field}.${k}` : k });
      let s = shape.record.get(k);
      if (!s) shape.record.set(k, (s = newShape()));
      observe(s, fv, { ...at, field: at.field ? `${at.field}.${k}` : k });
    }
  }
}

function toAvro(shape: Shape, name: string, records: number): AvroType {
  const branches: AvroType[] = [];
  const k = shape.kinds;
  if (k.has('boolean')) branches.push('boolean');
  if (k.has('double') || ((k.has('int') || k.has('long')) && k.has('double'))) branches.push('double');
  else if (k.has('long')) branches.push('long');
  else if (k.has('int')) branches.push('int');
  if (k.has('timestamp')) branches.push({ type: 'long', logicalType: 'timestamp-millis' });
  if (k.has('string')) branches.push('string');
  if (k.has('bytes')) branches.push('bytes');
  if (shape.array) branches.push({ type: 'array', items: shape.array.seen ? toAvro(shape.array, `${name}_item`, shape.array.seen) : 'string' });
  if (shape.record) {
    const fields = [...shape.record.entries()].map(([fname, s]) => fieldFor(fname, s, `${name}_${fname}`, records));
    branches.push({ type: 'record', name, fields });
  }
  const nullable = shape.nullable || shape.seen < records;
  if (branches.length === 0) return 'null';
  if (nullable) return ['null', ...branches];
  return branches.length === 1 ? branches[0]! : branches;
}

function fieldFor(name: string, s: Shape, typeName: string, parentCount: number): { name: string; type: AvroType; default?: null } {
  const type = toAvro(s, typeName, parentCount);
  return Array.isArray(type) && type[0] === 'null' ? { name, type, default: null } : { name, type };
}

/** One value schema for a topic, from its sampled records. */
export function inferAvroSchema(topic: string, records: Array<Record<string, unknown>>, file: string): object {
  const root = newShape();
  const at = { file, dataset: topic, field: '' };
  for (const r of records) observe(root, r, at);
  const name = topic.replace(/[^A-Za-z0-9_]/g, '_').replace(/^([0-9])/, '_$1');
  const fields = [...(root.record ?? new Map<string, Shape>()).entries()].map(([f, s]) => fieldFor(f, s, `${name}_${f}`, records.length));
  return { type: 'record', name, namespace: 'datagen', fields };
}
