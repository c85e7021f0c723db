/**
 * Field expressions: compiled once per worker, never per record.
 * - A plain call with literal arguments (`faker.commerce.price(25, 2500)`, `datatype.number(1000)`,
 *   `internet.userName`) binds straight to the faker method.
 * - Anything else is JavaScript, evaluated in a node:vm context that holds only the faker modules,
 *   a `Math` whose `random` draws from the seeded randomizer, `iteration`, and JS built-ins.
 *   vm is a guard rail against accidents, not a security boundary: a schema file is code.
 */
import vm from 'node:vm';
import { DatagenError, ErrorCodes, locate, type ErrorContext } from '../errors.js';
import type { CompatFaker, FakerFn } from './compat.js';
import { parseLiteralArgs } from './literal.js';

export type Generator = () => unknown;

export interface Sandbox {
  context: vm.Context;
  compat: CompatFaker;
  /** Updated by the record graph before each iteration; `iteration.index` is 1-based. */
  iteration: { index: number };
}

export function createSandbox(compat: CompatFaker, random: () => number): Sandbox {
  const iteration = { index: 0 };
  const context = vm.createContext(Object.assign(Object.create(null), compat, { faker: compat, iteration, __random: random }), {
    name: 'datagen schema',
    codeGeneration: { strings: true, wasm: false },
  });
  // The context's own Math (not the host's) draws from our randomizer, so expressions are seeded.
  vm.runInContext('Math.random = __random; delete globalThis.__random;', context);
  return { context, compat, iteration };
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
  try {
    fn = vm.runInContext(`(function () { return (\n${source}\n); })`, sandbox.context, {
      filename: `${at.dataset}.${at.field}`,
    }) as Generator;
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
