/**
 * Field expressions: compiled once per worker, never per record.
 * - A plain call with literal arguments (`faker.commerce.price(25, 2500)`, `datatype.number(1000)`,
 *   `internet.userName`) binds straight to the faker method.
 * - Anything else is JavaScript, evaluated in a node:vm context that holds only the faker modules,
 *   a `Math` whose `random` draws from the seeded randomizer, `iteration`, and JS built-ins.
 *   vm is a guard rail against accidents, not a security boundary: a schema file is code.
 *   Every read of a global inside a vm context goes through node's interceptors (a C++ callback
 *   per read), so the globals an expression only reads (`faker.`, `Math.`, `parseInt(`) are
 *   bound once, as parameters of a closure around it (see `bindableGlobals`).
 */
import vm from 'node:vm';
import { DatagenError, ErrorCodes, locate, type ErrorContext } from '../errors.js';
import { takeGc } from '../heap.js';
import type { CompatFaker, FakerFn } from './compat.js';
import { parseLiteralArgs } from './literal.js';

export type Generator = () => unknown;

export interface Sandbox {
  context: vm.Context;
  compat: CompatFaker;
  /** Updated by the record graph before each iteration; `iteration.index` is 1-based. */
  iteration: { index: number };
  /** Globals that expressions may read through a closure binding instead of the context's interceptors. */
  bindable: ReadonlySet<string>;
  /** The context's global object, where bound globals are read from. */
  global: Record<string, unknown>;
}

/**
 * `sources`: every JavaScript expression of the schema, so that a global one field assigns is
 * never bound in another.
 */
export function createSandbox(compat: CompatFaker, random: () => number, sources: readonly string[]): Sandbox {
  const iteration = { index: 0 };
  const context = vm.createContext(Object.assign(Object.create(null), compat, { faker: compat, iteration, __random: random }), {
    name: 'datagen schema',
    codeGeneration: { strings: true, wasm: false },
  });
  // The context's own Math (not the host's) draws from our randomizer, so expressions are seeded.
  vm.runInContext('Math.random = __random; delete globalThis.__random;', context);
  const global = vm.runInContext('globalThis', context) as Record<string, unknown>;
  // `gc` is there when the coordinator has set --expose-gc (src/heap.ts): not for expressions.
  takeGc(global);
  return { context, compat, iteration, bindable: bindableGlobals(global, sources), global };
}

const IDENTIFIER = /(?<![.\w$])[A-Za-z_$][\w$]*(?![\w$])/g;
/** A bare name followed by one of these is read, never assigned: `Math.floor`, `parseInt(`, `faker?.x`, `JSON[k]`. */
const READ_ONLY_USE = /^\s*(?:\.|\(|\[|\?\.)/;
/** Ways to reach or replace globals that no scan of names can follow. */
const GLOBAL_OBJECT = /(?<![.\w$])(?:globalThis|this|eval|Function)(?![\w$])|constructor/;

/**
 * The globals that may be bound once per expression instead of looked up on every read: objects
 * and functions the context holds before any expression runs (faker's modules, `Math`, `JSON`,
 * `Date`, `iteration`, ...), except those some expression of the schema might assign, delete or
 * pass on as a value. A name counts as only read when every bare occurrence of it, in every
 * expression, is followed by `.`, `(`, `[` or `?.`; anything else (`Math = ...`, `{ Math }`, a
 * name inside a string) keeps it unbound, which is only slower. A schema that touches
 * `globalThis`, `this`, `eval`, `Function` or `constructor` gets no binding at all.
 */
function bindableGlobals(global: Record<string, unknown>, sources: readonly string[]): Set<string> {
  if (sources.some((s) => GLOBAL_OBJECT.test(s))) return new Set();
  const bindable = new Set(
    Object.getOwnPropertyNames(global).filter((n) => {
      const v = global[n];
      return n !== 'eval' && ((typeof v === 'object' && v !== null) || typeof v === 'function') && isParameterName(n);
    }),
  );
  for (const source of sources) {
    for (const m of source.matchAll(IDENTIFIER)) {
      if (bindable.has(m[0]) && !READ_ONLY_USE.test(source.slice(m.index + m[0].length, m.index + m[0].length + 32))) bindable.delete(m[0]);
    }
  }
  return bindable;
}

function isParameterName(name: string): boolean {
  try {
    new Function(name, '');
    return true;
  } catch {
    return false;
  }
}

const PLAIN_CALL = /^\s*(faker\s*\.\s*)?([A-Za-z_$][\w$]*)\s*\.\s*([A-Za-z_$][\w$]*)\s*(?:\(([\s\S]*)\))?\s*;?\s*$/;

export function expressionError(message: string, at: ErrorContext, cause?: unknown): DatagenError {
  return new DatagenError(ErrorCodes.EXPRESSION, locate(at) + message, { ...at, cause });
}

export function compileExpression(source: string, sandbox: Sandbox, allowCode: boolean, at: ErrorContext): Generator {
  const plain = PLAIN_CALL.exec(source);
  if (plain) {
    const [, prefixed, moduleName, methodName, argText] = plain;
    const args = argText === undefined ? [] : parseLiteralArgs(argText);
    const mod = Object.hasOwn(sandbox.compat, moduleName!) ? sandbox.compat[moduleName!] : undefined;
    if (args !== undefined && mod) {
      const fn = Object.hasOwn(mod, methodName!) ? mod[methodName!] : undefined;
      if (!fn) {
        throw expressionError(`unknown faker method "faker.${moduleName}.${methodName}" in ${JSON.stringify(source)}${suggest(mod, methodName!)}`, at);
      }
      return bindLiteral(fn, args);
    }
    if (args !== undefined && prefixed) {
      throw expressionError(`unknown faker module "faker.${moduleName}" in ${JSON.stringify(source)}`, at);
    }
  }
  if (!allowCode) {
    throw expressionError(`--no-code allows only plain faker calls with literal arguments, got ${JSON.stringify(source)}`, at);
  }
  let fn: Generator;
  // The source stays on line 2 of the compiled text whether or not globals are bound.
  const bound = [...new Set(Array.from(source.matchAll(IDENTIFIER), (m) => m[0]))].filter((n) => sandbox.bindable.has(n));
  try {
    const outer = vm.runInContext(`(function (${bound.join(', ')}) { return function () { return (\n${source}\n); }; })`, sandbox.context, {
      filename: `${at.dataset}.${at.field}`,
    }) as (...globals: unknown[]) => Generator;
    fn = outer(...bound.map((n) => sandbox.global[n]));
  } catch (e) {
    throw expressionError(`not a valid FakerJS expression ${JSON.stringify(source)}: ${(e as Error).message}`, at, e);
  }
  return fn;
}

/** Binds a method to literal arguments without a spread in the hot path. */
function bindLiteral(fn: FakerFn, args: unknown[]): Generator {
  switch (args.length) {
    case 0: return () => fn();
    case 1: { const [a] = args; return () => fn(a); }
    case 2: { const [a, b] = args; return () => fn(a, b); }
    case 3: { const [a, b, c] = args; return () => fn(a, b, c); }
    default: return () => fn(...args);
  }
}

function suggest(mod: Record<string, unknown>, name: string): string {
  const lower = name.toLowerCase();
  const close = Object.keys(mod).filter((k) => k.toLowerCase().includes(lower.slice(0, 4)) || lower.includes(k.toLowerCase()));
  return close.length ? ` (did you mean ${close.slice(0, 3).join(', ')}?)` : '';
}
