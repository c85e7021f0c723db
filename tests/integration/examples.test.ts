/**
 * Every `datagen` command in examples/ READMEs runs as written (with `datagen` being this
 * checkout's CLI), against the local Kafka, registry and PostgreSQL. Endless runs (`-n -1`) are
 * stopped with Ctrl-C after a few seconds, as a user would.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { ROOT, runCliAsync } from '../helpers.js';
import { KAFKA_ENV } from './kafka-helpers.js';

const ENV = { ...KAFKA_ENV, POSTGRES_HOST: '127.0.0.1', POSTGRES_DB: 'test', POSTGRES_USER: 'postgres' };

/** `datagen ...` commands of a README's bash blocks, continuation lines joined, split into words. */
export function commands(markdown: string): string[][] {
  const out: string[][] = [];
  for (const block of markdown.matchAll(/```bash\n([\s\S]*?)```/g)) {
    const joined = block[1]!.replace(/\\\n\s*/g, ' ');
    for (const line of joined.split('\n')) {
      const words = line.trim().split(/\s+/).filter(Boolean);
      if (words[0] === 'datagen') out.push(words.slice(1));
    }
  }
  return out;
}

const run = (args: string[], stopAfterMs?: number) => runCliAsync(args, ENV, stopAfterMs);

const dir = `${ROOT}examples`;
for (const example of readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name)) {
  test(`examples/${example}: every command in the README runs unchanged`, async () => {
    const cmds = commands(readFileSync(`${dir}/${example}/README.md`, 'utf8'));
    assert.ok(cmds.length >= 2, 'the README shows commands');
    for (const args of cmds) {
      const endless = args.join(' ').match(/(^|\s)(-n|--number) -1(\s|$)/);
      const r = await run(args, endless ? 4000 : undefined);
      assert.equal(r.code, 0, `datagen ${args.join(' ')}\n${r.stderr}`);
      if (args.includes('--dry-run')) assert.ok(r.stdout.length > 0, 'dry runs print records');
      else if (!args.includes('--clean')) assert.match(r.stderr, /failed: 0/, `datagen ${args.join(' ')}`);
    }
    // Leave no tables behind from the PostgreSQL commands.
    for (const args of cmds.filter((a) => a.includes('postgres'))) {
      const clean = args.filter((a, i) => !['-n', '--number'].includes(a) && !['-n', '--number'].includes(args[i - 1]!));
      assert.equal((await run([...clean, '--clean'])).code, 0);
    }
  });
}
