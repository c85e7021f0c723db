import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { crc32 } from 'node:zlib';
import avro from 'avsc';
import { AvroDeserializer, SchemaRegistryClient, SerdeType } from '@confluentinc/schemaregistry';
import { jemallocLibrary } from '../../src/main/allocator.js';
import { CLI, example, fixture, lines, runCli, runCliAsync, tmpFile, type Line } from '../helpers.js';
import { asJson, createTopic, KAFKA_ENV, listSubjects, listTopics, readTopic, services, uniquePrefix } from './kafka-helpers.js';

const SCHEMAS = { current: example('ecommerce/ecommerce.json'), legacy: example('ecommerce-legacy/ecommerce.json') };

/** Dry-run lines grouped by topic, in order. */
function byTopic(ls: Line[]): Map<string, Line[]> {
  const m = new Map<string, Line[]>();
  for (const l of ls) m.set(l.topic, [...(m.get(l.topic) ?? []), l]);
  return m;
}

function withIsoDates(actual: Record<string, unknown>, expected: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(actual).map(([k, v]) => [k, typeof v === 'number' && typeof expected[k] === 'string' && /^\d{4}-\d\d-\d\dT/.test(expected[k] as string) ? new Date(v).toISOString() : v]),
  );
}

function assertRelations(name: string, got: Map<string, Array<{ key: string | null; value: any }>>, prefix: string) {
  const t = (s: string) => `${prefix}_${name === 'current' ? '' : 'mz_datagen_ecommerce_'}${s}`;
  const userIds = new Set(got.get(t('users'))!.map((r) => r.value.id));
  const itemIds = new Set(got.get(t('items'))!.map((r) => r.value.id));
  for (const p of got.get(t('purchases'))!) {
    assert.ok(userIds.has(p.value.user_id), 'every purchase has its user');
    for (const id of name === 'current' ? p.value.item_ids : [p.value.item_id]) assert.ok(itemIds.has(id), 'every item id has its item');
  }
}

for (const format of ['json', 'avro'] as const) {
  for (const [name, schema] of Object.entries(SCHEMAS)) {
    test(`${name} ecommerce schema as ${format}: read back equals the dry run (counts, keys, values, relationships)`, async () => {
      const prefix = uniquePrefix(`${name}_${format}`);
      const args = ['-s', schema, '-f', format, '-n', '300', '--seed', '77', '-p', prefix];
      const r = runCli(args, KAFKA_ENV);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /failed: 0/);
      const dry = byTopic(lines(runCli([...args, '--dry-run']).stdout));
      const client = new SchemaRegistryClient({ baseURLs: [KAFKA_ENV.SCHEMA_REGISTRY_URL] });
      const deser = new AvroDeserializer(client, SerdeType.VALUE, {});
      const got = new Map<string, Array<{ key: string | null; value: any }>>();
      for (const [topic, expected] of dry) {
        const records = await readTopic(topic, expected.length);
        assert.equal(records.length, expected.length, `${topic}: count`);
        assert.match(r.stderr, new RegExp(`${topic}\\s+${expected.length} records .* delivered ${expected.length}`));
        const decoded = [];
        for (const rec of records) {
          const value = format === 'json' ? JSON.parse(rec.value!.toString()) : asJson(await deser.deserialize(topic, rec.value!));
          decoded.push({ key: rec.key, value });
        }
        assert.deepEqual(decoded.map((d) => d.key), expected.map((e) => e.key), `${topic}: keys`);
        // timestamp-millis fields decode as epoch milliseconds where the dry run prints ISO text.
        const values = decoded.map((d, i) => withIsoDates(d.value, expected[i]!.value));
        assert.deepEqual(values, expected.map((e) => e.value), `${topic}: values`);
        got.set(topic, decoded);
      }
      assertRelations(name, got, prefix);
    });
  }
}

test('large records (--record-size) keep a Kafka run\'s memory bounded: the local queue is capped in bytes too', () => {
  // 1.5 GB of records. With librdkafka's default byte cap (1 GB), the records waiting for the
  // broker took this run to 900 MB resident; capped at 64 MB it stays near 220 MB.
  const prefix = uniquePrefix('big');
  const statsPath = tmpFile('big-stats.json', '');
  try {
    const r = runCli(['-s', example('ecommerce/ecommerce.json'), '-f', 'json', '-n', '1000', '--record-size', '100000', '--seed', '1', '-p', prefix, '--stats', statsPath], KAFKA_ENV);
    assert.equal(r.code, 0, r.stderr);
    const s = JSON.parse(readFileSync(statsPath, 'utf8')) as { records: number; failed: number; maxRssMB: number; topics: Array<{ records: number; delivered: number }> };
    assert.equal(s.failed, 0);
    for (const t of s.topics) assert.equal(t.delivered, t.records);
    assert.ok(s.records > 14_000);
    assert.ok(s.maxRssMB < 450, `peak RSS ${s.maxRssMB} MB`);
  } finally {
    runCli(['-s', example('ecommerce/ecommerce.json'), '-f', 'json', '-p', prefix, '--clean'], KAFKA_ENV);
  }
});

/** Kafka's murmur2 (the Java client's `Utils.murmur2`), which librdkafka's murmur2 partitioners use. */
function murmur2(data: Buffer): number {
  const m = 0x5bd1e995;
  let h = 0x9747b28c ^ data.length;
  const whole = data.length & ~3;
  for (let i = 0; i < whole; i += 4) {
    let k = data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24);
    k = Math.imul(k, m);
    k ^= k >>> 24;
    h = Math.imul(h, m) ^ Math.imul(k, m);
  }
  const rest = data.length & 3;
  if (rest === 3) h ^= data[whole + 2]! << 16;
  if (rest >= 2) h ^= data[whole + 1]! << 8;
  if (rest >= 1) h = Math.imul(h ^ data[whole]!, m);
  h ^= h >>> 13;
  h = Math.imul(h, m);
  return h ^ (h >>> 15);
}

for (const [partitions, partitioner] of [[3, undefined], [1, undefined], [3, 'murmur2_random']] as const) {
  // The bulk path names each record's partition (bulk.c): partition 0 for a topic of one, for
  // several the partition librdkafka's partitioner function picks for the key (its default
  // consistent_random, or the one -X partitioner= sets), instead of running the partitioner.
  test(`the bulk path and produce() per record send the same records to the same partitions, through a full local queue (${partitions} partition${partitions > 1 ? 's' : ''}${partitioner ? `, ${partitioner}` : ''})`, async () => {
    // A 500-message local queue makes both paths wait for room many times (about 6,000 records).
    const run = async (bulk: 'on' | 'off') => {
      const prefix = uniquePrefix(`bulk_${bulk}`);
      const args = ['-s', example('ecommerce/ecommerce.json'), '-f', 'avro', '-n', '400', '--seed', '5', '-p', prefix, '--partitions', String(partitions), '-X', 'queue.buffering.max.messages=500', '--debug'];
      if (partitioner) args.push('-X', `partitioner=${partitioner}`);
      const r = runCli(args, { ...KAFKA_ENV, DATAGEN_KAFKA_BULK: bulk });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, bulk === 'on' ? /kafka: bulk produce \(/ : /kafka: produce\(\) per record: DATAGEN_KAFKA_BULK=off/);
      if (bulk === 'on') {
        const topics = ['users', 'purchases', 'items'].map((t) => `${prefix}_${t}`);
        const single = /partition 0 named for the topics of one partition: ([^;\n]*)/.exec(r.stderr)?.[1];
        assert.equal(single, partitions === 1 ? topics.join(', ') : undefined);
        const byKey = /partitions named by key \((\w+)\) for: ([^;\n]*)/.exec(r.stderr);
        assert.deepEqual(byKey?.slice(1), partitions > 1 ? [partitioner ?? 'consistent_random', topics.map((t) => `${t} (${partitions})`).join(', ')] : undefined);
      }
      const out = [];
      for (const t of ['users', 'purchases', 'items']) {
        const expected = Number(new RegExp(`${prefix}_${t}\\s+(\\d+) records .* delivered (\\d+)`).exec(r.stderr)![2]);
        const records = await readTopic(`${prefix}_${t}`, expected, 5000, partitions);
        assert.equal(records.length, expected, `${t}: all delivered records read back`);
        records.sort((a, b) => a.partition - b.partition || a.offset - b.offset);
        // Avro values carry their subject's schema id in bytes 1-4, which differs between the two runs' prefixes.
        out.push(records.map((m) => ({ t, partition: m.partition, offset: m.offset, key: m.key, value: m.value!.subarray(5).toString('hex') })));
      }
      return out.flat();
    };
    const bulk = await run('on');
    const single = await run('off');
    assert.ok(bulk.length > 5000);
    assert.equal(new Set(bulk.map((m) => m.partition)).size, partitions, `records spread over the ${partitions} partition(s)`);
    // Each key's partition is the configured partitioner's, worked out here independently: so a
    // setting both paths ignored would fail (it did: -X partitioner= never reached librdkafka).
    const expected = (key: string) => (partitioner === 'murmur2_random' ? (murmur2(Buffer.from(key)) & 0x7fffffff) % partitions : crc32(key) % partitions);
    for (const m of bulk) assert.equal(m.partition, expected(m.key!), `${m.t} key ${m.key}`);
    assert.deepEqual(bulk, single);
  });
}

test('DATAGEN_KAFKA_BULK other than on or off: exit 2 with the setting named, nothing sent', async () => {
  const prefix = uniquePrefix('bulk_bad');
  const r = runCli(['-s', example('ecommerce/ecommerce.json'), '-n', '5', '-p', prefix], { ...KAFKA_ENV, DATAGEN_KAFKA_BULK: 'false' });
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /datagen: error: DATAGEN_KAFKA_BULK must be "on" or "off", got "false"/);
  assert.doesNotMatch(r.stderr, /^\s+at /m);
  assert.ok(!(await listTopics()).some((t) => t.startsWith(prefix)), 'no topic was created');
});

test('-X settings librdkafka refuses (a bad value, or acks=1 with idempotence): exit 2 at once, the setting named, no topic made', async () => {
  for (const [setting, message] of [
    ['partitioner=bogus', /Invalid value for configuration property "partitioner": bogus/],
    ['acks=1', /`acks` must be set to `all` when `enable.idempotence` is true/],
  ] as const) {
    const prefix = uniquePrefix('badx');
    const started = Date.now();
    const r = runCli(['-s', example('ecommerce/ecommerce.json'), '-n', '5', '-p', prefix, '-X', setting], KAFKA_ENV);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /datagen: error: librdkafka refused the Kafka settings: /);
    assert.match(r.stderr, message);
    assert.doesNotMatch(r.stderr, /^\s+at /m);
    // Before, acks=1 was retried as an unreachable broker for 10 s.
    assert.ok(Date.now() - started < 8000, `took ${Date.now() - started} ms`);
    assert.ok(!(await listTopics()).some((t) => t.startsWith(prefix)), 'no topic was created');
  }
});

test('SASL/PLAIN on 9094 works; a wrong password fails cleanly', async () => {
  const prefix = uniquePrefix('sasl');
  const env = { ...KAFKA_ENV, KAFKA_BROKERS: '127.0.0.1:9094', SASL_USERNAME: 'datagen', SASL_MECHANISM: 'PLAIN' };
  const ok = runCli(['-s', example('ecommerce/ecommerce.json'), '-n', '20', '--seed', '1', '-p', prefix], { ...env, SASL_PASSWORD: 'datagen-secret' });
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal((await readTopic(`${prefix}_users`, 20)).length, 20);
  const scram = runCli(['-s', example('ecommerce/ecommerce.json'), '-n', '5', '--seed', '1', '-p', prefix], { ...env, SASL_MECHANISM: 'SCRAM-SHA-256', SASL_PASSWORD: 'datagen-secret' });
  assert.equal(scram.code, 0, scram.stderr);
  const started = Date.now();
  const bad = await runCliAsync(['-s', example('ecommerce/ecommerce.json'), '-n', '5', '-p', prefix, '--debug'], { ...env, SASL_PASSWORD: 'wrong-password' });
  assert.equal(bad.code, 1, bad.stderr);
  assert.match(bad.stderr, /datagen: error: .*(Authentication|SASL|authenticat)/i);
  assert.doesNotMatch(bad.stderr, /wrong-password/, 'the password is never printed, even with --debug');
  assert.ok(Date.now() - started < 30_000);
});

test('--clean deletes the topics and the -value subjects (respecting --prefix)', async () => {
  const prefix = uniquePrefix('clean');
  const args = ['-s', example('ecommerce/ecommerce.json'), '-f', 'avro', '-p', prefix];
  assert.equal(runCli([...args, '-n', '5', '--seed', '1'], KAFKA_ENV).code, 0);
  const mine = (xs: string[]) => xs.filter((x) => x.startsWith(prefix)).sort();
  assert.equal(mine(await listTopics()).length, 3);
  assert.deepEqual(mine(await listSubjects()), [`${prefix}_items-value`, `${prefix}_purchases-value`, `${prefix}_users-value`]);
  const r = runCli([...args, '--clean'], KAFKA_ENV);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(mine(await listTopics()), []);
  assert.deepEqual(mine(await listSubjects()), []);
});

test('no broker at the address: a clear error within about 10 seconds', async () => {
  const started = Date.now();
  const r = await runCliAsync(['-s', example('ecommerce/ecommerce.json'), '-n', '5'], { ...KAFKA_ENV, KAFKA_BROKERS: '127.0.0.1:9' });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /datagen: error: cannot reach Kafka at 127.0.0.1:9 within 10 s/);
  assert.doesNotMatch(r.stderr, /^\s+at /m);
  assert.ok(Date.now() - started < 20_000, `took ${Date.now() - started} ms`);
});

test('records the broker refuses are counted as failed, the rest as delivered: exit 1, and the topics hold exactly what the summary says', async () => {
  // The run stops once the first failure is reported (below), so it may end before its 3,000 iterations.
  const prefix = uniquePrefix('refused');
  // The broker refuses every batch over 300 bytes for this topic: most users, after the producer accepted them.
  await createTopic(`${prefix}_users`, { 'max.message.bytes': '300' });
  const statsPath = tmpFile('refused-stats.json', '');
  const r = await runCliAsync(['-s', example('ecommerce/ecommerce.json'), '-n', '3000', '--seed', '2', '-p', prefix, '--stats', statsPath], KAFKA_ENV);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /first failure: t\w+_refused_users: .*too large/i);
  assert.doesNotMatch(r.stderr, /^\s+at /m);
  const s = JSON.parse(readFileSync(statsPath, 'utf8')) as { failed: number; topics: Array<{ topic: string; records: number; delivered: number }> };
  const users = s.topics.find((t) => t.topic === `${prefix}_users`)!;
  assert.ok(users.records > 0 && users.records <= 3000, `${users.records} users`);
  assert.ok(users.delivered < users.records, 'some users were refused');
  assert.equal(s.failed, users.records - users.delivered, 'every refused record is counted');
  assert.equal((await readTopic(`${prefix}_users`, users.delivered, 2000)).length, users.delivered, 'the topic holds exactly the delivered users');
  for (const t of s.topics.filter((x) => x !== users)) {
    assert.equal(t.delivered, t.records, t.topic);
    assert.equal((await readTopic(t.topic, t.records)).length, t.records, t.topic);
  }
});

/** The ecommerce schema's three topics under `prefix`, made so that the broker refuses every record sent to them. */
async function refuseEverything(prefix: string): Promise<void> {
  for (const d of ['users', 'purchases', 'items']) await createTopic(`${prefix}_${d}`, { 'max.message.bytes': '10' });
}

test('a record the broker refuses stops the run: what was in flight is flushed and counted, exit 1', async () => {
  // An endless run whose records the broker refuses would otherwise go on failing until stopped.
  const prefix = uniquePrefix('allrefused');
  await refuseEverything(prefix);
  const statsPath = tmpFile('allrefused-stats.json', '');
  const r = await runCliAsync(['-s', example('ecommerce/ecommerce.json'), '-n', '100000', '--seed', '3', '-p', prefix, '--stats', statsPath], KAFKA_ENV);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /datagen: stopping: a record was not delivered \(t\w+_allrefused_\w+: .*too large\); finishing what is in flight/i);
  const s = JSON.parse(readFileSync(statsPath, 'utf8')) as { iterations: number; records: number; failed: number; topics: Array<{ topic: string; records: number; delivered: number }> };
  assert.ok(s.iterations > 0 && s.iterations < 100_000, `stopped after ${s.iterations} iterations`);
  assert.equal(s.failed, s.records, 'every record sent is counted as failed');
  for (const t of s.topics) {
    assert.equal(t.delivered, 0, t.topic);
    assert.equal((await readTopic(t.topic, 0, 1000)).length, 0, `${t.topic} is empty`);
  }
});

test('failures reported during the final flush, by the hundred thousand, are all counted', async () => {
  // Nothing is sent before the flush (a long linger, batches up to 50 MB), so every failure report
  // arrives after the last record was handed over. node-rdkafka passes JavaScript at most 100 a
  // turn; a fixed wait after the flush counted a fifth to a third of them (src/sinks/kafka/index.ts).
  const prefix = uniquePrefix('flushrefused');
  await refuseEverything(prefix);
  const statsPath = tmpFile('flushrefused-stats.json', '');
  const x = ['linger.ms=3000', 'message.max.bytes=50000000', 'batch.size=50000000', 'batch.num.messages=1000000', 'queue.buffering.max.messages=1000000'].flatMap((p) => ['-X', p]);
  const r = await runCliAsync(['-s', example('ecommerce/ecommerce.json'), '-n', '10000', '--seed', '4', '-p', prefix, '--stats', statsPath, ...x], KAFKA_ENV);
  assert.equal(r.code, 1, r.stderr);
  const s = JSON.parse(readFileSync(statsPath, 'utf8')) as { records: number; failed: number; topics: Array<{ topic: string; delivered: number }> };
  assert.ok(s.records > 100_000, `${s.records} records`);
  assert.equal(s.failed, s.records, 'every record is counted as failed');
  for (const t of s.topics) assert.equal(t.delivered, 0, t.topic);
});

test('Avro with no schema registry at the address: the registry named, at once, even when no broker answers either; nothing sent', async () => {
  const prefix = uniquePrefix('noreg');
  const args = ['-s', example('ecommerce/ecommerce.json'), '-f', 'avro', '-n', '5', '-p', prefix];
  const registry = 'http://127.0.0.1:9/apis/ccompat/v7';
  // The broker's side of the start runs while the registry's does (src/sinks/kafka/index.ts).
  const brokerUp = await runCliAsync(args, { ...KAFKA_ENV, SCHEMA_REGISTRY_URL: registry });
  assert.equal(brokerUp.code, 1, brokerUp.stderr);
  assert.ok(brokerUp.stderr.includes(`datagen: error: schema registry at ${registry} refused subject "${prefix}_users-value"`), brokerUp.stderr);
  assert.doesNotMatch(brokerUp.stderr, /^\s+at /m);
  assert.ok(!(await listTopics()).some((t) => t.startsWith(prefix)), 'no topic was created');
  // Both unreachable: the registry's error, without waiting for the broker's 10-second connect timeout.
  const started = Date.now();
  const neither = await runCliAsync(args, { KAFKA_BROKERS: '127.0.0.1:9', SCHEMA_REGISTRY_URL: registry });
  assert.equal(neither.code, 1, neither.stderr);
  assert.match(neither.stderr, /datagen: error: schema registry at http:\/\/127\.0\.0\.1:9\/.* refused subject/);
  assert.ok(Date.now() - started < 8_000, `took ${Date.now() - started} ms`);
});

test('Avro: a value that does not fit the inferred schema names topic and field; what went out before it is in the topic', async () => {
  // Numbers for the first 600 iterations (the sample), then text: the schema says int.
  const topic = uniquePrefix('drift');
  const file = tmpFile('drift.json', [{ _meta: { topic, key: 'id' }, id: 'iteration.index', v: "iteration.index > 600 ? 'text' : 1" }]);
  const r = runCli(['-s', file, '-f', 'avro', '-n', '700', '--seed', '1'], KAFKA_ENV);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /topic "t\w+_drift": field "v" has "text", expected "int"/);
  // Whole chunks of iterations went out before the failed one, and were delivered in order.
  const sent = /before it, (\d+) iterations were sent:\n.*\n\s+t\w+_drift\s+(\d+) records .* delivered (\d+)/.exec(r.stderr);
  assert.ok(sent, r.stderr);
  assert.equal(sent[2], sent[1]);
  assert.equal(sent[3], sent[1]);
  const n = Number(sent[1]);
  assert.ok(n > 0 && n <= 600, `${n} sent`);
  const keys = (await readTopic(topic, n)).map((m) => Number(m.key));
  assert.deepEqual(keys, Array.from({ length: n }, (_, i) => i + 1));
});

test('a record over message.max.bytes: exit 1, its size and the setting to raise, no stack trace', () => {
  const file = tmpFile('huge.json', [{ _meta: { topic: uniquePrefix('huge'), key: 'id' }, id: 'iteration.index' }]);
  const r = runCli(['-s', file, '-f', 'json', '-n', '2', '--seed', '1', '--record-size', '1100000'], KAFKA_ENV);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /datagen: error: Kafka refused a record for t\w+_huge: .*too large \(this record is 11000\d\d bytes; raise the producer's limit with -X message\.max\.bytes=/);
  assert.doesNotMatch(r.stderr, /^\s+at /m);
});

test('a broker killed and restarted mid-run loses nothing and duplicates nothing', async () => {
  const topic = uniquePrefix('restart');
  const file = tmpFile('seq.json', [{ _meta: { topic, key: 'n' }, n: 'iteration.index', body: 'faker.lorem.sentence()' }]);
  const n = 4000;
  const child = spawn(process.execPath, [CLI, '-s', file, '-n', String(n), '-w', '2', '--seed', '5'], { env: { ...process.env, ...KAFKA_ENV } });
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  const exit = new Promise<number | null>((resolve) => child.on('close', resolve));
  await new Promise((r) => setTimeout(r, 3000));
  services('kafka-down');
  await new Promise((r) => setTimeout(r, 3000));
  services('kafka-up');
  const code = await exit;
  assert.equal(code, 0, err);
  assert.match(err, new RegExp(`${topic}\\s+${n} records .* delivered ${n}`));
  const records = await readTopic(topic, n);
  const keys = records.map((r) => Number(r.key));
  assert.equal(new Set(keys).size, keys.length, 'no duplicates');
  assert.equal(keys.length, n, 'nothing lost');
  assert.deepEqual(keys, Array.from({ length: n }, (_, i) => i + 1), 'in order');
});

test('an .avsc input registers its own schema; every record read back validates against it', async () => {
  const prefix = uniquePrefix('avsc');
  const r = runCli(['-s', fixture('complex.avsc'), '-f', 'avro', '-n', '50', '--seed', '3', '-p', prefix], KAFKA_ENV);
  assert.equal(r.code, 0, r.stderr);
  const declared = JSON.parse(readFileSync(fixture('complex.avsc'), 'utf8'));
  const registered = await (await fetch(`${KAFKA_ENV.SCHEMA_REGISTRY_URL}/subjects/${prefix}_Products-value/versions/latest`)).json() as { schema: string; id: number };
  assert.deepEqual(JSON.parse(registered.schema).fields.map((f: { name: string }) => f.name), declared.fields.map((f: { name: string }) => f.name));
  const type = avro.Type.forSchema(declared, { wrapUnions: false });
  const records = await readTopic(`${prefix}_Products`, 50);
  assert.equal(records.length, 50);
  for (const rec of records) {
    assert.equal(rec.value![0], 0, 'Confluent magic byte');
    assert.equal(rec.value!.readUInt32BE(1), registered.id, 'the registered schema id');
    const value = type.fromBuffer(rec.value!.subarray(5)) as { id: string };
    assert.ok(type.isValid(value));
    assert.equal(rec.key, value.id, 'datagen.key names the key');
  }
});

test('Kafka runs relaunch under jemalloc where it is installed (a short run only when DATAGEN_ALLOCATOR=jemalloc), DATAGEN_ALLOCATOR=system does not; the records are the same', async () => {
  const [a, b, c] = [uniquePrefix('alloc_jemalloc'), uniquePrefix('alloc_system'), uniquePrefix('alloc_short')];
  const args = (prefix: string) => ['-s', example('ecommerce/ecommerce.json'), '-n', '40', '--seed', '3', '-p', prefix, '--debug'];
  const jemalloc = runCli(args(a), { ...KAFKA_ENV, DATAGEN_ALLOCATOR: 'jemalloc' });
  const system = runCli(args(b), { ...KAFKA_ENV, DATAGEN_ALLOCATOR: 'system' });
  const short = runCli(args(c), KAFKA_ENV);
  for (const r of [jemalloc, system, short]) assert.equal(r.code, 0, r.stderr);
  const lib = jemallocLibrary();
  if (lib) assert.match(jemalloc.stderr, new RegExp(`allocator jemalloc \\(${lib.replace(/\./g, '\\.')}\\)`));
  else assert.match(jemalloc.stderr, /allocator the system's malloc/, 'no jemalloc installed: the run stays in its own process');
  assert.match(system.stderr, /allocator the system's malloc/);
  assert.match(short.stderr, /allocator the system's malloc/, '40 iterations: not worth a second Node start-up');
  const value = (r: { value: Buffer | null }) => r.value!.toString();
  const expected = (await readTopic(`${a}_users`, 40)).map(value);
  assert.equal(expected.length, 40);
  assert.deepEqual((await readTopic(`${b}_users`, 40)).map(value), expected);
  assert.deepEqual((await readTopic(`${c}_users`, 40)).map(value), expected);
});

test('a Kafka run relaunched under jemalloc stops once and cleanly on Ctrl-C (both processes get it) and on SIGTERM to the command', { skip: !jemallocLibrary() && 'no jemalloc here: nothing is relaunched' }, async () => {
  for (const how of ['Ctrl-C', 'SIGTERM'] as const) {
    const prefix = uniquePrefix(`stop_${how === 'Ctrl-C' ? 'int' : 'term'}`);
    // Its own process group, as a terminal's foreground job is: Ctrl-C signals every process in it.
    const child = spawn(process.execPath, [CLI, '-s', example('ecommerce/ecommerce.json'), '-n', '-1', '-w', '1', '--seed', '9', '-p', prefix], {
      env: { ...process.env, ...KAFKA_ENV },
      detached: true,
    });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.stdout.resume();
    const exit = new Promise<number | null>((resolve) => child.on('close', resolve));
    await new Promise((r) => setTimeout(r, 4000));
    if (how === 'Ctrl-C') {
      const relaunched = Number(readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim());
      assert.ok(relaunched > 0, 'the command runs in a relaunched child process');
      process.kill(-child.pid!, 'SIGINT');
      // The launcher's copy of the signal may come a little later than the terminal's.
      await new Promise((r) => setTimeout(r, 10));
      process.kill(relaunched, 'SIGINT');
    } else child.kill('SIGTERM');
    assert.equal(await exit, 0, err);
    assert.equal(err.match(/stopping: finishing what is in flight/g)?.length, 1, err);
    assert.match(err, /failed: 0/);
    const users = Number(new RegExp(`${prefix}_users\\s+(\\d+) records .* delivered (\\d+)`).exec(err)?.[1]);
    assert.ok(users > 0, err);
    assert.match(err, new RegExp(`${prefix}_users\\s+${users} records .* delivered ${users}\\b`));
    assert.equal((await readTopic(`${prefix}_users`, users)).length, users, `${how}: every user the summary counts is in the topic`);
  }
});
