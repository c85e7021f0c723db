/** The JSON schema format: a list of datasets whose fields are FakerJS expressions, with `_meta`. */
import { schemaError, type ErrorContext } from '../errors.js';
import type { FieldEntry, FieldSpec } from './plan.js';
import type { RawDataset } from './relations.js';

export function parseJsonSchema(file: string, text: string): RawDataset[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw schemaError(`not valid JSON: ${(e as Error).message}`, { file });
  }
  const list = Array.isArray(doc) ? doc : [doc];
  if (list.length === 0) throw schemaError('the schema lists no datasets', { file });
  return list.map((d, i) => parseDataset(file, d, i));
}

function parseDataset(file: string, d: unknown, index: number): RawDataset {
  const where = { file, dataset: `#${index + 1}` };
  if (typeof d !== 'object' || d === null || Array.isArray(d)) throw schemaError('a dataset must be a JSON object', where);
  const { _meta, ...rest } = d as Record<string, unknown>;
  if (typeof _meta !== 'object' || _meta === null || Array.isArray(_meta)) {
    throw schemaError('missing "_meta" object (with at least "topic")', { ...where, field: '_meta' });
  }
  const meta = _meta as Record<string, unknown>;
  if (typeof meta.topic !== 'string' || meta.topic.trim() === '') {
    throw schemaError('"_meta.topic" must be a non-empty string', { ...where, field: '_meta.topic' });
  }
  const name = meta.topic;
  const at = { file, dataset: name };
  if (meta.key !== undefined && meta.key !== null && typeof meta.key !== 'string') {
    throw schemaError('"_meta.key" must be a field name', { ...at, field: '_meta.key' });
  }
  if (meta.relationships !== undefined && !Array.isArray(meta.relationships)) {
    throw schemaError('"_meta.relationships" must be a list', { ...at, field: '_meta.relationships' });
  }
  const fields = parseFields(rest, (field) => ({ ...at, field }), '');
  if (fields.length === 0) throw schemaError('the dataset has no fields', at);
  return {
    name,
    key: (meta.key as string | undefined) ?? null,
    fields,
    relationships: (meta.relationships as RawDataset['relationships']) ?? [],
  };
}

function parseFields(obj: Record<string, unknown>, at: (field: string) => ErrorContext, path: string): FieldEntry[] {
  return Object.entries(obj).map(([name, value]): FieldEntry => [name, parseField(value, at, path + name)]);
}

function parseField(value: unknown, at: (field: string) => ErrorContext, path: string): FieldSpec {
  if (typeof value === 'string') {
    if (value.trim() === 'iteration.index') return { kind: 'index' };
    if (value.trim() === '') throw schemaError('empty expression', at(path));
    return { kind: 'expr', source: value };
  }
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return { kind: 'const', value };
  if (Array.isArray(value)) {
    throw schemaError('a field must be a FakerJS expression string or a nested object, not a list', at(path));
  }
  return { kind: 'object', fields: parseFields(value as Record<string, unknown>, at, path + '.') };
}
