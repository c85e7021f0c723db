/**
 * Avro input: one record schema (or a list of them). Each top-level record is a dataset whose
 * topic is the record name; every generated value follows the declared types. A field may carry
 * `"faker": "<expression>"` to choose its generator; `"datagen.key": "<field>"` on the record names the key.
 */
import { createRequire } from 'node:module';
import type avro from 'avsc';
import { schemaError } from '../errors.js';
import type { FieldEntry } from './plan.js';
import type { RawDataset } from './relations.js';

export interface ParsedAvsc {
  datasets: RawDataset[];
  /** Named types by full name, so generators can resolve references. */
  names: Record<string, unknown>;
}

export function parseAvscSchema(file: string, text: string): ParsedAvsc {
  // Loaded here, not with the module: most runs never read an .avsc file, and avsc takes tens of
  // milliseconds to load, which every run would otherwise pay before its first record.
  const avsc = createRequire(import.meta.url)('avsc') as typeof avro;
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw schemaError(`not valid JSON: ${(e as Error).message}`, { file });
  }
  const records = Array.isArray(doc) ? doc : [doc];
  const names: Record<string, unknown> = {};
  const datasets = records.map((rec, i): RawDataset => {
    const r = rec as Record<string, unknown>;
    const dataset = typeof r?.name === 'string' ? r.name : `#${i + 1}`;
    if (typeof rec !== 'object' || rec === null || r.type !== 'record' || !Array.isArray(r.fields)) {
      throw schemaError('an .avsc input must be a record schema with "fields"', { file, dataset });
    }
    try {
      // Validates the whole schema, including references between named types.
      avsc.Type.forSchema(rec as avro.Schema, { wrapUnions: false, registry: { ...(names as object) } as never });
    } catch (e) {
      throw schemaError(`invalid Avro schema: ${(e as Error).message}`, { file, dataset });
    }
    collectNames(rec, typeof r.namespace === 'string' ? r.namespace : '', names);
    const fields: FieldEntry[] = (r.fields as Array<Record<string, unknown>>).map((f) => [
      String(f.name),
      typeof f.faker === 'string' ? { kind: 'expr', source: f.faker } : { kind: 'avro', type: f.type, fieldName: String(f.name) },
    ]);
    const key = typeof r['datagen.key'] === 'string' ? (r['datagen.key'] as string) : null;
    return { name: dataset, key, fields, relationships: [], avroSchema: rec as object };
  });
  return { datasets, names };
}

/** Records every named type (record, enum, fixed) under its short and full name. */
function collectNames(type: unknown, namespace: string, names: Record<string, unknown>): void {
  if (Array.isArray(type)) {
    for (const t of type) collectNames(t, namespace, names);
    return;
  }
  if (typeof type !== 'object' || type === null) return;
  const t = type as Record<string, unknown>;
  const ns = typeof t.namespace === 'string' ? t.namespace : namespace;
  if ((t.type === 'record' || t.type === 'enum' || t.type === 'fixed') && typeof t.name === 'string') {
    const full = t.name.includes('.') || !ns ? t.name : `${ns}.${t.name}`;
    names[full] = t;
    names[t.name] = t;
  }
  if (t.type === 'record' && Array.isArray(t.fields)) for (const f of t.fields as Array<{ type: unknown }>) collectNames(f.type, ns, names);
  if (t.type === 'array') collectNames(t.items, ns, names);
  if (t.type === 'map') collectNames(t.values, ns, names);
}
