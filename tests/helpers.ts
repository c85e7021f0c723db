/** Shared test helpers: run the built CLI and read its dry-run lines. */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const CLI = fileURLToPath(new URL('../src/main/cli.js', import.meta.url));
export const fixture = (name: string) => fileURLToPath(new URL(`../../tests/fixtures/${name}`, import.meta.url));
export const example = (name: string) => fileURLToPath(new URL(`../../examples/${name}`, import.meta.url));

/** Every example and fixture schema that generates records (paths from the repository root, the tests' working directory). */
export const SCHEMA_FILES = [
  'examples/ecommerce/ecommerce.json',
  'examples/ecommerce-legacy/ecommerce.json',
  'examples/jaffle-shop/jaffle-shop.json',
  'bench/schemas/wide.json',
  'tests/fixtures/complex.avsc',
  'tests/fixtures/nested.json',
  'tests/fixtures/legacy.json',
  'tests/fixtures/products.sql',
];

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], env: NodeJS.ProcessEnv = {}, cwd = ROOT): CliResult {
  const r: SpawnSyncReturns<string> = spawnSync(process.execPath, [CLI, ...args], {
    cwd,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    maxBuffer: 512 * 1024 * 1024,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Runs the CLI without blocking the test's event loop; `stopAfterMs` sends Ctrl-C (SIGINT) as a user would. */
export function runCliAsync(args: string[], env: NodeJS.ProcessEnv = {}, stopAfterMs?: number): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = stopAfterMs === undefined ? undefined : setTimeout(() => child.kill('SIGINT'), stopAfterMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Writes a schema (text, or a value as JSON) into a fresh temporary folder; returns its path. */
export function tmpFile(name: string, content: unknown): string {
  const file = `${mkdtempSync(`${tmpdir()}/datagen-test-`)}/${name}`;
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

export interface Line {
  topic: string;
  key: string | null;
  value: Record<string, any>;
}

export function lines(stdout: string): Line[] {
  return stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Line);
}

export const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/**
 * Runs a database sink on a schema whose records test its fidelity, and checks that the table
 * holds each record exactly as the dry run prints it. `s` is sometimes `tricky`; the other fields
 * are names, decimals, 13-digit integers, booleans, string arrays and a nested object. The key `k`
 * is the iteration, so `read` returns the rows in the dry run's order, and `normalize` turns one
 * into the record's JSON types (the drivers return big integers, booleans and JSON as they do).
 */
export async function assertRowsExact(o: {
  format: string;
  env: NodeJS.ProcessEnv;
  table: string;
  tricky: string;
  read: () => Promise<Array<Record<string, any>>>;
  normalize: (row: Record<string, any>) => Record<string, unknown>;
}): Promise<void> {
  const file = tmpFile('exact.json', [
    {
      _meta: { topic: o.table, key: 'k' },
      k: 'iteration.index',
      s: `faker.helpers.arrayElement([${JSON.stringify(o.tricky)}, 'plain', ''])`,
      name: 'faker.person.fullName()',
      city: 'faker.location.city()',
      price: 'faker.commerce.price(1, 1000)',
      ratio: 'faker.number.float({ min: -1, max: 1, fractionDigits: 6 })',
      big: 'faker.number.int({ min: 1000000000000, max: 9000000000000 })',
      flag: 'faker.datatype.boolean()',
      tags: 'faker.helpers.arrayElements(["a", "b\\"c", "ü", "it\'s"], 2)',
      nested: { at: 'faker.location.zipCode()', deep: { s: `faker.helpers.arrayElement([${JSON.stringify(o.tricky)}, 'x'])` } },
    },
  ]);
  const r = runCli(['-s', file, '-f', o.format, '-n', '300', '--seed', '4'], o.env);
  assert.equal(r.code, 0, r.stderr);
  const dry = lines(runCli(['-s', file, '--dry-run', '-n', '300', '--seed', '4']).stdout).map((l) => l.value);
  assert.ok(dry.some((v) => v.s === o.tricky), 'the tricky string was drawn');
  const got = await o.read();
  assert.equal(got.length, 300);
  got.forEach((row, i) => assert.deepEqual(o.normalize(row), dry[i], `row ${i + 1}`));
}
