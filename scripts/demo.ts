/**
 * `npm run demo`: produces the seed ecommerce schema as Avro to the local broker and registry
 * (started by the npm script), then reads per-topic counts back from the broker.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import Kafka from 'node-rdkafka';

const root = fileURLToPath(new URL('../../', import.meta.url));
const env = {
  ...process.env,
  KAFKA_BROKERS: process.env.KAFKA_BROKERS ?? '127.0.0.1:9092',
  SCHEMA_REGISTRY_URL: process.env.SCHEMA_REGISTRY_URL ?? 'http://127.0.0.1:8081/apis/ccompat/v7',
};
const prefix = 'mz_datagen_ecommerce';
const cli = ['dist/src/main/cli.js', '-s', 'examples/ecommerce/ecommerce.json', '-f', 'avro', '-n', process.env.DEMO_ITERATIONS ?? '10000', '-p', prefix];

console.log(`$ datagen ${cli.slice(1).join(' ')}`);
const run = spawnSync(process.execPath, cli, { cwd: root, env, stdio: 'inherit' });
if (run.status !== 0) process.exit(run.status ?? 1);

const producer = new Kafka.Producer({ 'bootstrap.servers': env.KAFKA_BROKERS });
await new Promise<void>((resolve, reject) => producer.connect({ timeout: 10_000 }, (err) => (err ? reject(err) : resolve())));
console.log('\nRead back from the broker (all runs so far):');
for (const t of ['users', 'purchases', 'items']) {
  const topic = `${prefix}_${t}`;
  const { highOffset, lowOffset } = await new Promise<Kafka.WatermarkOffsets>((resolve, reject) =>
    producer.queryWatermarkOffsets(topic, 0, 10_000, (err, w) => (err ? reject(err) : resolve(w))),
  );
  console.log(`  ${topic.padEnd(32)} ${String(highOffset - lowOffset).padStart(10)} records`);
}
producer.disconnect();
