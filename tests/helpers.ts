/** Shared test helpers: run the built CLI and read its dry-run lines. */
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
