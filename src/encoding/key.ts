/** The key of a record: its key field's value as text (what Kafka gets as UTF-8 bytes). */
export function keyText(record: Record<string, unknown>, keyField: string | null): string | null {
  if (keyField === null) return null;
  const v = record[keyField];
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v;
  if (v instanceof Date || Object.prototype.toString.call(v) === '[object Date]') return (v as Date).toISOString();
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}
