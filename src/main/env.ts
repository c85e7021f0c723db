/** Environment: `.env` in the working directory (Node's own loader), and secret-safe printing. */
import { existsSync, readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';

export function loadDotEnv(path = '.env'): void {
  if (existsSync(path)) process.loadEnvFile(path);
}

/** The settings `.env` holds, without putting them into this process's environment. */
export function readDotEnv(path = '.env'): NodeJS.Dict<string> {
  return existsSync(path) ? parseEnv(readFileSync(path, 'utf8')) : {};
}

const SECRET = /(password|secret|token|sasl\.password|ssl\.key|api[-_.]?key|credentials)/i;

/** Options or settings for `--debug` output, with every secret-looking value masked. */
export function redact(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redact);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, SECRET.test(k) && v ? '***' : redact(v)]));
  }
  if (typeof value === 'string') return value.replace(/(\/\/[^:/@]+:)[^@]+@/, '$1***@').replace(/((?:password|secret)=)[^\s&,]+/gi, '$1***');
  return value;
}
