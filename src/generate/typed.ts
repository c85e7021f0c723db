/**
 * Generators chosen from a declared type rather than an expression: SQL column types (for
 * columns without a faker comment) and Avro types (for .avsc inputs). Every Avro value made here
 * validates against its type.
 */
import type { Faker } from '@faker-js/faker';
import type { Generator } from './expressions.js';

const INT_MAX: Record<string, number> = { tinyint: 127, smallint: 32767, int2: 32767, mediumint: 8388607 };

export function sqlTypeGenerator(f: Faker, type: string, length: number | undefined, column: string): Generator {
  const t = type.replace(/\[\]$/, '').replace(/\s+unsigned$/, '');
  switch (t) {
    case 'int': case 'integer': case 'int4': case 'serial': case 'bigint': case 'int8': case 'bigserial':
    case 'tinyint': case 'smallint': case 'int2': case 'mediumint': case 'smallserial': {
      const max = Math.min(INT_MAX[t] ?? 99999, 99999);
      return () => f.number.int({ min: 0, max });
    }
    case 'numeric': case 'decimal': case 'real': case 'float': case 'float4': case 'float8': case 'double': case 'money':
      return () => f.number.float({ min: 0, max: 10000, fractionDigits: 2 });
    case 'bool': case 'boolean': case 'bit':
      return () => f.datatype.boolean();
    case 'timestamp': case 'timestamptz': case 'datetime':
      return () => f.date.recent({ days: 30 });
    case 'date':
      return () => f.date.recent({ days: 365 }).toISOString().slice(0, 10);
    case 'time': case 'timetz':
      return () => f.date.recent().toISOString().slice(11, 19);
    case 'uuid':
      return () => f.string.uuid();
    case 'json': case 'jsonb':
      return () => ({ [f.word.noun()]: f.word.sample() });
    case 'text': case 'string': case 'mediumtext': case 'longtext':
      return stringForColumn(f, column, 255);
    default: // varchar, char, character, enum-likes: text that fits the declared length
      return stringForColumn(f, column, length ?? 32);
  }
}

/** A believable string for a column or field name, cut to fit `max` characters. */
function stringForColumn(f: Faker, column: string, max: number): Generator {
  const n = column.toLowerCase();
  const base: Generator =
    n.includes('email') ? () => f.internet.email()
      : n.includes('url') ? () => f.internet.url()
      : n.includes('phone') ? () => f.phone.number()
      : n.includes('city') ? () => f.location.city()
      : n.includes('country') ? () => f.location.country()
      : n.includes('first') ? () => f.person.firstName()
      : n.includes('last') ? () => f.person.lastName()
      : n.includes('name') ? () => f.person.fullName()
      : n.endsWith('id') ? () => f.string.uuid()
      : () => f.lorem.words({ min: 1, max: 4 });
  return () => (base() as string).slice(0, max);
}

type Names = Record<string, unknown>;

export function avroGenerator(f: Faker, type: unknown, names: Names, fieldName: string): Generator {
  if (typeof type === 'string') {
    switch (type) {
      case 'null': return () => null;
      case 'boolean': return () => f.datatype.boolean();
      case 'int': return () => f.number.int({ min: 0, max: 100000 });
      case 'long': return () => f.number.int({ min: 0, max: 1_000_000_000 });
      case 'float': case 'double': return () => f.number.float({ min: 0, max: 1000, fractionDigits: 2 });
      case 'string': return stringForColumn(f, fieldName, 200);
      case 'bytes': return () => Buffer.from(f.string.alphanumeric(8));
      default: {
        const named = names[type];
        if (!named) throw new Error(`unknown Avro type "${type}"`);
        return avroGenerator(f, named, names, fieldName);
      }
    }
  }
  if (Array.isArray(type)) {
    const branches = type.map((t) => avroGenerator(f, t, names, fieldName));
    const nullAt = type.indexOf('null');
    const others = branches.filter((_, i) => i !== nullAt);
    if (others.length === 0) return () => null;
    // Mostly values, sometimes null: believable optional fields.
    return () => (nullAt >= 0 && f.number.int(9) === 0 ? null : others[others.length === 1 ? 0 : f.number.int(others.length - 1)]!());
  }
  const t = type as Record<string, any>;
  switch (t.logicalType) {
    case 'timestamp-millis': return () => f.date.recent({ days: 30 }).getTime();
    case 'timestamp-micros': return () => f.date.recent({ days: 30 }).getTime() * 1000;
    case 'date': return () => Math.floor(f.date.recent({ days: 365 }).getTime() / 86_400_000);
    case 'time-millis': return () => f.number.int({ min: 0, max: 86_399_999 });
    case 'uuid': if (t.type === 'string') return () => f.string.uuid(); break;
  }
  switch (t.type) {
    case 'record': {
      const fields = (t.fields as Array<Record<string, unknown>>).map((fd) => ({
        name: String(fd.name),
        gen: avroGenerator(f, fd.type, names, String(fd.name)),
      }));
      return () => {
        const o: Record<string, unknown> = {};
        for (const fd of fields) o[fd.name] = fd.gen();
        return o;
      };
    }
    case 'enum': {
      const symbols = t.symbols as string[];
      return () => f.helpers.arrayElement(symbols);
    }
    case 'array': {
      const item = avroGenerator(f, t.items, names, fieldName);
      return () => Array.from({ length: f.number.int({ min: 1, max: 4 }) }, item);
    }
    case 'map': {
      const value = avroGenerator(f, t.values, names, fieldName);
      return () => {
        const o: Record<string, unknown> = {};
        for (let i = f.number.int({ min: 1, max: 3 }); i > 0; i--) o[f.word.noun()] = value();
        return o;
      };
    }
    case 'fixed': {
      const size = t.size as number;
      return () => Buffer.from(f.string.alphanumeric(size));
    }
    default:
      return avroGenerator(f, t.type, names, fieldName);
  }
}
