#!/usr/bin/env node
/**
 * Builds build/kafka-bulk.node (src/sinks/kafka/bulk.c): the Kafka sink's bulk path, a Node-API
 * addon that is also a librdkafka plugin. It links against node-rdkafka's own librdkafka.so.1, so
 * it needs node-rdkafka built first, a C compiler and Node's headers. Optional: when any is
 * missing this says why and exits 0, and the sink produces record by record (same records).
 * `--strict` exits 1 instead (CI, so that the fast path is what gets tested). Silent on success.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const strict = process.argv.includes('--strict');
const out = join(root, 'build', 'kafka-bulk.node');

function skip(why) {
  // No stale library from an earlier build: the sink would load it.
  rmSync(out, { force: true });
  process.stderr.write(`build-native: not building the Kafka bulk path (${why}); Kafka records go through node-rdkafka's produce() one by one\n`);
  process.exit(strict ? 1 : 0);
}

let rdkafka;
try {
  rdkafka = dirname(createRequire(join(root, 'package.json')).resolve('node-rdkafka/package.json'));
} catch {
  skip('node-rdkafka is not installed');
}
const deps = join(rdkafka, 'build', 'deps');
const header = join(deps, 'include', 'librdkafka', 'rdkafka.h');
const nodeInclude = join(dirname(process.execPath), '..', 'include', 'node');
if (!existsSync(join(deps, 'librdkafka.so.1')) || !existsSync(header)) skip(`node-rdkafka's librdkafka is not at ${deps}`);
if (!existsSync(join(nodeInclude, 'node_api.h'))) skip(`Node's headers are not at ${nodeInclude}`);

mkdirSync(dirname(out), { recursive: true });
const cc = process.env.CC || 'cc';
const args = [
  '-O2', '-Wall', '-shared', '-fPIC', '-DNAPI_VERSION=8', '-DNODE_GYP_MODULE_NAME=kafka_bulk',
  `-I${nodeInclude}`, `-I${dirname(header)}`,
  '-o', out, join(root, 'src', 'sinks', 'kafka', 'bulk.c'),
  `-L${deps}`, '-l:librdkafka.so.1', '-lpthread',
  // Found relative to this file, so that it loads the very librdkafka node-rdkafka has loaded.
  `-Wl,-rpath,$ORIGIN/${relative(dirname(out), deps)}`,
];
try {
  execFileSync(cc, args, { stdio: ['ignore', 'inherit', 'inherit'] });
} catch (e) {
  skip(`${cc} failed: ${e.message.split('\n')[0]}`);
}
