/** Reads a schema file of any supported kind and returns its plan. */
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { DatagenError, ErrorCodes, schemaError } from '../errors.js';
import { parseAvscSchema } from './avsc.js';
import { parseJsonSchema } from './json.js';
import type { Plan } from './plan.js';
import { buildPlan, type RawDataset } from './relations.js';
import { parseSqlSchema } from './sql.js';

export interface LoadedSchema {
  plan: Plan;
  avroNames: Record<string, unknown>;
}

export function loadSchema(file: string, prefix?: string): LoadedSchema {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new DatagenError(ErrorCodes.USAGE, `${file}: cannot read schema file (${code === 'ENOENT' ? 'no such file' : code ?? (e as Error).message})`);
  }
  const ext = extname(file).toLowerCase();
  let raw: RawDataset[];
  let avroNames: Record<string, unknown> = {};
  switch (ext) {
    case '.json':
      raw = parseJsonSchema(file, text);
      break;
    case '.avsc': {
      const parsed = parseAvscSchema(file, text);
      raw = parsed.datasets;
      avroNames = parsed.names;
      break;
    }
    case '.sql':
      raw = parseSqlSchema(file, text);
      break;
    default:
      throw schemaError(`unsupported schema file type "${ext || '(none)'}"; use .json, .avsc or .sql`, { file });
  }
  return { plan: buildPlan(file, ext.slice(1) as Plan['kind'], raw, prefix), avroNames };
}
