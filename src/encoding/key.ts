/** A record's key: its key field's value as text (what Kafka gets as UTF-8 bytes). */

/**
 * Reads a dataset's key field. One compiled getter per dataset, so that each read site sees one
 * record shape: a shared `record[field]` across datasets is V8's slowest (megamorphic) lookup.
 * The field name enters the source as a JSON string literal.
 */
export function keyGetter(keyField: string | null): (record: Record<string, unknown>) => unknown {
  if (keyField === null) return () => null;
  return new Function('r', `return r[${JSON.stringify(keyField)}];`) as (record: Record<string, unknown>) => unknown;
}

/** A key field's value as text; null and undefined are no key. */
export function keyValueText(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v;
  // Numbers before the Date test, which would ask Object.prototype.toString about each of them.
  if (typeof v === 'number') return String(v);
  if (v instanceof Date || Object.prototype.toString.call(v) === '[object Date]') return (v as Date).toISOString();
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}
