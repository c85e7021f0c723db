import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { test } from 'node:test';
import { CLI, fixture, runCli } from '../helpers.js';

/** What each malformed schema must name in its one-line error. */
const expected: Record<string, RegExp> = {
  'syntax.json': /not valid JSON/,
  'notjson.json': /not valid JSON/,
  'empty.json': /lists no datasets/,
  'no-meta.json': /dataset "#1", field "_meta": missing "_meta"/,
  'empty-topic.json': /field "_meta.topic"/,
  'bad-key.json': /dataset "a", field "_meta.key": key "nope" is not a field/,
  'unknown-topic.json': /dataset "a", field "_meta.relationships\[0\]": relationship names unknown topic "zzz"/,
  'cycle.json': /cycle through "a" → "b"/,
  'fractional-records-per.json': /records_per must be a non-negative integer, got 1.5/,
  'negative-records-per.json': /records_per must be a non-negative integer, got -2/,
  'bad-parent-field.json': /parent_field "nope" is not a field of "a"/,
  'unknown-method.json': /dataset "a", field "x": unknown faker method "faker.internet.notAMethod"/,
  'unknown-module.json': /field "x": unknown faker module "faker.nosuchmodule"/,
  'require.json': /field "x": expression failed: require is not defined/,
  'process.json': /field "x": expression failed: process is not defined/,
  'not-expression.json': /field "x": not a valid FakerJS expression "just some words"/,
  'list-field.json': /field "x": a field must be a FakerJS expression string or a nested object/,
  'duplicate-topic.json': /topic "a" is declared twice/,
  'bad.sql': /cannot read this CREATE TABLE/,
  'no-table.sql': /no CREATE TABLE statement found/,
  'bad-type.avsc': /dataset "X": invalid Avro schema/,
  'not-record.avsc': /must be a record schema/,
  'schema.yaml': /unsupported schema file type ".yaml"/,
};

test('every malformed schema: exit 2, one clear line naming the file, no stack trace', () => {
  const files = readdirSync(fixture('bad'));
  assert.deepEqual(files.sort(), Object.keys(expected).sort(), 'each fixture has an expectation');
  for (const name of files) {
    const r = runCli(['-s', fixture(`bad/${name}`), '--dry-run', '-n', '2']);
    assert.equal(r.code, 2, `${name}: exit ${r.code}\n${r.stderr}`);
    assert.equal(r.stdout, '', `${name}: nothing on stdout`);
    const errLines = r.stderr.trim().split('\n').filter((l) => !l.startsWith('datagen: seed '));
    assert.equal(errLines.length, 1, `${name}: one line, got:\n${r.stderr}`);
    assert.ok(errLines[0]!.startsWith(`datagen: error: ${fixture(`bad/${name}`)}`), `${name}: names the file: ${errLines[0]}`);
    assert.match(errLines[0]!, expected[name]!, name);
    assert.doesNotMatch(r.stderr, /^\s+at /m, `${name}: no stack trace`);
  }
});

test('--debug adds the stack trace', () => {
  const r = runCli(['-s', fixture('bad/unknown-method.json'), '--dry-run', '--debug']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^\s+at /m);
});

test('usage errors exit 2: missing schema file, bad flag values, unknown flag', () => {
  const cases: Array<[string[], RegExp]> = [
    [['-s', 'nope.json', '--dry-run'], /nope.json: cannot read schema file \(no such file\)/],
    [['-s', fixture('nested.json'), '-n', 'abc'], /--number must be an integer/],
    [['-s', fixture('nested.json'), '--threads', '0'], /--threads must be an integer ≥ 1/],
    [['-s', fixture('nested.json'), '-f', 'xml'], /Allowed choices are json, avro, postgres, mysql, webhook/],
    [['--dry-run'], /required option '-s, --schema <file>'/],
    [['-s', fixture('nested.json'), '--bogus'], /unknown option '--bogus'/],
  ];
  for (const [args, pattern] of cases) {
    const r = runCli(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, pattern);
    assert.doesNotMatch(r.stderr, /^\s+at /m);
  }
});

test('--help and --version into a pipe its reader has closed (`datagen --help | head`): exit 0, no error', () => {
  for (const flag of ['--help', '--version']) {
    // `true` exits at once, so the CLI writes into a closed pipe.
    const r = spawnSync('bash', ['-c', `"${process.execPath}" "${CLI}" ${flag} | true; echo "rc=\${PIPESTATUS[0]}" >&2`], { encoding: 'utf8' });
    assert.match(r.stderr, /rc=0\n$/, `${flag}: ${r.stderr}`);
    assert.doesNotMatch(r.stderr, /EPIPE|^\s+at /m, flag);
  }
});

test('--help explains every option and --version prints the version', () => {
  const h = runCli(['--help']);
  assert.equal(h.code, 0);
  for (const flag of ['--schema', '--format', '--number', '--clean', '--dry-run', '--debug', '--wait', '--record-size', '--prefix', '--seed', '--threads', '--no-code', '--version']) {
    assert.ok(h.stdout.includes(flag), flag);
  }
  assert.match(runCli(['-V']).stdout, /^\d+\.\d+\.\d+/);
});
