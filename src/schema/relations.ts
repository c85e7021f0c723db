/**
 * Turns parsed datasets into a plan: checks keys and relationships, resolves topics to indexes,
 * rejects cycles and puts parents before children. The order of datasets in the file does not matter.
 */
import { schemaError } from '../errors.js';
import type { DatasetPlan, FieldEntry, Plan } from './plan.js';

export interface RawRelationship {
  topic?: unknown;
  parent_field?: unknown;
  child_field?: unknown;
  records_per?: unknown;
}

export interface RawDataset {
  name: string;
  key: string | null;
  fields: FieldEntry[];
  relationships: RawRelationship[];
  avroSchema?: object;
  sqlColumns?: DatasetPlan['sqlColumns'];
}

export function buildPlan(file: string, kind: Plan['kind'], raw: RawDataset[], prefix?: string): Plan {
  const byName = new Map<string, number>();
  raw.forEach((d, i) => {
    if (byName.has(d.name)) throw schemaError(`topic "${d.name}" is declared twice`, { file, dataset: d.name });
    byName.set(d.name, i);
  });

  const edges = raw.map((d) =>
    d.relationships.map((r, j) => {
      const at = { file, dataset: d.name, field: `_meta.relationships[${j}]` };
      if (typeof r !== 'object' || r === null) throw schemaError('a relationship must be an object', at);
      if (typeof r.topic !== 'string') throw schemaError('relationship needs a "topic" string', at);
      const child = byName.get(r.topic);
      if (child === undefined) {
        throw schemaError(`relationship names unknown topic "${r.topic}" (known: ${[...byName.keys()].join(', ')})`, at);
      }
      if (typeof r.parent_field !== 'string' || !d.fields.some(([n]) => n === r.parent_field)) {
        throw schemaError(`relationship parent_field ${JSON.stringify(r.parent_field)} is not a field of "${d.name}"`, at);
      }
      if (typeof r.child_field !== 'string' || r.child_field === '') {
        throw schemaError('relationship needs a "child_field" string', at);
      }
      let recordsPer = 1;
      if (r.records_per !== undefined) {
        if (typeof r.records_per !== 'number' || !Number.isInteger(r.records_per) || r.records_per < 0) {
          throw schemaError(`records_per must be a non-negative integer, got ${JSON.stringify(r.records_per)}`, at);
        }
        recordsPer = r.records_per;
      }
      return { child, parentField: r.parent_field, childField: r.child_field, recordsPer };
    }),
  );

  // Kahn's algorithm; ties keep file order so output order is stable.
  const indegree = raw.map(() => 0);
  for (const list of edges) for (const e of list) indegree[e.child]!++;
  const ready = raw.map((_, i) => i).filter((i) => indegree[i] === 0);
  const order: number[] = [];
  while (ready.length) {
    ready.sort((a, b) => a - b);
    const i = ready.shift()!;
    order.push(i);
    for (const e of edges[i]!) if (--indegree[e.child]! === 0) ready.push(e.child);
  }
  if (order.length !== raw.length) {
    const stuck = raw.filter((_, i) => !order.includes(i)).map((d) => d.name);
    throw schemaError(`relationships form a cycle through ${stuck.map((s) => `"${s}"`).join(' → ')}`, {
      file,
      dataset: stuck[0],
      field: '_meta.relationships',
    });
  }

  const position = new Map(order.map((orig, pos) => [orig, pos]));
  const datasets: DatasetPlan[] = order.map((orig) => {
    const d = raw[orig]!;
    const childFieldsInto = edges.flat().filter((e) => e.child === orig).map((e) => e.childField);
    if (d.key !== null && !d.fields.some(([n]) => n === d.key) && !childFieldsInto.includes(d.key)) {
      throw schemaError(`key "${d.key}" is not a field of the dataset`, { file, dataset: d.name, field: '_meta.key' });
    }
    // A child field always comes from its parent, so its expression ("this string can be anything")
    // is never compiled; one the dataset does not declare is put first.
    const fields: FieldEntry[] = d.fields.map(([n, spec]) => [n, childFieldsInto.includes(n) ? { kind: 'const', value: null } : spec]);
    for (const cf of childFieldsInto) if (!fields.some(([n]) => n === cf)) fields.unshift([cf, { kind: 'const', value: null }]);
    return {
      name: d.name,
      topic: prefix ? `${prefix}_${d.name}` : d.name,
      key: d.key,
      fields,
      relationships: edges[orig]!.map((e) => ({ ...e, child: position.get(e.child)! })),
      ...(d.avroSchema ? { avroSchema: d.avroSchema } : {}),
      ...(d.sqlColumns ? { sqlColumns: d.sqlColumns } : {}),
    };
  });
  return { file, kind, datasets, ...(prefix ? { prefix } : {}) };
}
