/**
 * SQL input: CREATE TABLE statements with FakerJS expressions in column comments
 * (`name varchar COMMENT 'faker.internet.userName()'`), as MaterializeInc/datagen reads them.
 * PRIMARY KEY becomes the key; a column without a comment gets a generator from its type.
 * Topic = the table name as written (`schema.table`).
 */
import { schemaError } from '../errors.js';
import type { FieldEntry, SqlColumn } from './plan.js';
import type { RawDataset } from './relations.js';

export function parseSqlSchema(file: string, text: string): RawDataset[] {
  const statements = splitTopLevel(stripComments(text), ';').map((s) => s.trim()).filter(Boolean);
  const out: RawDataset[] = [];
  for (const stmt of statements) {
    const m = /^create\s+(?:temporary\s+)?table\s+(?:if\s+not\s+exists\s+)?((?:[`"][^`"]+[`"]|[\w$]+)(?:\s*\.\s*(?:[`"][^`"]+[`"]|[\w$]+))?)\s*\(([\s\S]*)\)[^)]*$/i.exec(stmt);
    if (!m) {
      if (/^create\s+table/i.test(stmt)) throw schemaError(`cannot read this CREATE TABLE: ${stmt.slice(0, 60)}…`, { file });
      continue; // other statements (CREATE SCHEMA, INSERT, ...) are not ours to read
    }
    const name = m[1]!.split('.').map((p) => unquote(p.trim())).join('.');
    out.push(parseTable(file, name, m[2]!));
  }
  if (out.length === 0) throw schemaError('no CREATE TABLE statement found', { file });
  return out;
}

function parseTable(file: string, name: string, body: string): RawDataset {
  const columns: SqlColumn[] = [];
  const fields: FieldEntry[] = [];
  let key: string | null = null;
  for (const raw of splitTopLevel(body, ',').map((s) => s.trim()).filter(Boolean)) {
    const pk = /^(?:constraint\s+\S+\s+)?primary\s+key\s*\(([^)]*)\)/i.exec(raw);
    if (pk) {
      key = unquote(pk[1]!.split(',')[0]!.trim());
      continue;
    }
    if (/^(?:constraint|unique|key|index|foreign\s+key|check)\b/i.test(raw)) continue;
    const col = /^([`"][^`"]+[`"]|[\w$]+)\s+([\w ]+?(?:\s*\([^)]*\))?(?:\[\])?)(?=\s|$)([\s\S]*)$/.exec(raw);
    if (!col) throw schemaError(`cannot read column definition "${raw}"`, { file, dataset: name });
    const colName = unquote(col[1]!);
    const type = col[2]!.trim().toLowerCase();
    const rest = col[3]!;
    const comment = /\bcomment\s+'((?:[^']|'')*)'/i.exec(rest)?.[1]?.replace(/''/g, "'");
    if (/\bprimary\s+key\b/i.test(rest)) key = colName;
    const notNull = /\bnot\s+null\b/i.test(rest) || /\bprimary\s+key\b/i.test(rest);
    columns.push({ name: colName, type, notNull, ...(comment !== undefined ? { comment } : {}) });
    const length = Number(/\((\d+)/.exec(type)?.[1]) || undefined;
    fields.push([
      colName,
      comment !== undefined && comment.trim() !== ''
        ? comment.trim() === 'iteration.index'
          ? { kind: 'index' }
          : { kind: 'expr', source: comment }
        : { kind: 'sqltype', type: type.replace(/\(.*$/, '').trim(), ...(length ? { length } : {}) },
    ]);
  }
  if (fields.length === 0) throw schemaError('the table has no columns', { file, dataset: name });
  return { name, key, fields, relationships: [], sqlColumns: columns };
}

function unquote(s: string): string {
  return /^[`"].*[`"]$/.test(s) ? s.slice(1, -1) : s;
}

function stripComments(text: string): string {
  let out = '';
  let quote: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quote) {
      out += ch;
      if (ch === quote) quote = null;
    } else if (ch === "'" || ch === '"' || ch === '`') {
      quote = ch;
      out += ch;
    } else if (ch === '-' && text[i + 1] === '-') {
      while (i < text.length && text[i] !== '\n') i++;
      out += '\n';
    } else if (ch === '/' && text[i + 1] === '*') {
      i = text.indexOf('*/', i + 2);
      if (i < 0) break;
      i++;
    } else {
      out += ch;
    }
  }
  return out;
}

/** Splits on `sep` outside quotes and parentheses. */
function splitTopLevel(text: string, sep: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote: string | null = null;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quote) {
      if (ch === quote) quote = null;
    } else if (ch === "'" || ch === '"' || ch === '`') quote = ch;
    else if (ch === '(') depth++;
    else if (ch === ')') depth--;
    else if (ch === sep && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}
