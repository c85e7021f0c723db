/** Environment: `.env` in the working directory (Node's own loader), and secret-safe printing. */
import { existsSync } from 'node:fs';

export function loadDotEnv(path = '.env'): void {
  if (existsSync(path)) process.loadEnvFile(path);
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
