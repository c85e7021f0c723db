/**
 * Typed errors with stable codes. Library code throws these; only the command's entry points
 * (src/main/cli.ts and program.ts) print them and choose the exit code, through `reportError`.
 */
export const ErrorCodes = {
  USAGE: 'USAGE',
  SCHEMA: 'SCHEMA',
  EXPRESSION: 'EXPRESSION',
  RUNTIME: 'RUNTIME',
  SINK: 'SINK',
  CONNECTION: 'CONNECTION',
  DELIVERY: 'DELIVERY',
} as const;

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

/** Usage and schema problems exit with 2, everything else with 1. */
const EXIT_CODES: Record<ErrorCode, number> = {
  USAGE: 2,
  SCHEMA: 2,
  EXPRESSION: 2,
  RUNTIME: 1,
  SINK: 1,
  CONNECTION: 1,
  DELIVERY: 1,
};

export interface ErrorContext {
  file?: string;
  dataset?: string;
  field?: string;
  cause?: unknown;
  [key: string]: unknown;
}

export class DatagenError extends Error {
  readonly code: ErrorCode;
  readonly context: ErrorContext;

  constructor(code: ErrorCode, message: string, context: ErrorContext = {}) {
    super(message, context.cause === undefined ? undefined : { cause: context.cause });
    this.name = 'DatagenError';
    this.code = code;
    this.context = context;
  }

  get exitCode(): number {
    return EXIT_CODES[this.code];
  }
}

/** Where in a schema something went wrong, as one readable prefix: `file: dataset "users", field "email": `. */
export function locate(ctx: ErrorContext): string {
  const parts: string[] = [];
  if (ctx.file) parts.push(ctx.file);
  const inner: string[] = [];
  if (ctx.dataset !== undefined) inner.push(`dataset "${ctx.dataset}"`);
  if (ctx.field !== undefined) inner.push(`field "${ctx.field}"`);
  if (inner.length) parts.push(inner.join(', '));
  return parts.length ? parts.join(': ') + ': ' : '';
}

export function schemaError(message: string, ctx: ErrorContext): DatagenError {
  return new DatagenError(ErrorCodes.SCHEMA, locate(ctx) + message, ctx);
}

/** A plain-object form that survives the worker boundary (structured clone drops custom fields). */
export interface SerializedError {
  code: ErrorCode;
  message: string;
  stack?: string;
}

export function serializeError(err: unknown): SerializedError {
  if (err instanceof DatagenError) return { code: err.code, message: err.message, stack: err.stack };
  const e = err as Error;
  return { code: ErrorCodes.RUNTIME, message: e?.message ?? String(err), stack: e?.stack };
}

export function deserializeError(s: SerializedError): DatagenError {
  const err = new DatagenError(s.code, s.message);
  if (s.stack) err.stack = s.stack;
  return err;
}

/**
 * Prints an error that ended the command as `datagen: error: <message>` on stderr, with its
 * stack only under -d/--debug, and returns the exit code: a DatagenError's own, 1 for anything else.
 */
export function reportError(e: unknown, argv: string[] = process.argv): number {
  const debug = argv.includes('-d') || argv.includes('--debug');
  process.stderr.write(`datagen: error: ${errorMessage(e)}\n`);
  const stack = (e as Error)?.stack;
  if (debug && stack) process.stderr.write(stack + '\n');
  return exitCodeOf(e);
}

/** The message `reportError` prints for `e`. */
export function errorMessage(e: unknown): string {
  return (e as Error)?.message ?? String(e);
}

/** The exit code `reportError` returns for `e`. */
export function exitCodeOf(e: unknown): number {
  return e instanceof DatagenError ? e.exitCode : 1;
}
