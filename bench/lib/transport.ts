/**
 * The transport limit: Kafka's own ProducerPerformance (org.apache.kafka.tools, from the
 * kafka-tools jar on the local services' classpath) sending the same number of records of the same
 * average size to the same broker, with the same acks, idempotence, linger, batch size and compression.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import Kafka from 'node-rdkafka';
import { servicesDir } from './measure.js';

export interface TransportResult {
  records: number;
  /** The whole run, JVM warm-up included. */
  recordsPerSec: number;
  /**
   * After its first 5-second report window: the rate once warm, as the bench measures ours (see
   * `warm` in measure.ts). Undefined when less than a second of the run came after that window.
   */
  warmRecordsPerSec?: number;
  mbPerSec: number;
  /** CPU seconds of the Java producer process, when /usr/bin/time is there to tell. */
  producerCpuSec?: number;
}

export function kafkaClasspath(root: string): string | undefined {
  const file = `${servicesDir(root)}/kafka.classpath`;
  return existsSync(file) ? readFileSync(file, 'utf8').trim() : undefined;
}

export async function createTopic(brokers: string, topic: string, partitions = 1): Promise<void> {
  const admin = Kafka.AdminClient.create({ 'bootstrap.servers': brokers });
  await new Promise<void>((resolve, reject) =>
    admin.createTopic({ topic, num_partitions: partitions, replication_factor: 1 }, 10_000, (err) => (err && err.code !== 36 ? reject(err) : resolve())),
  );
  admin.disconnect();
}

export async function deleteTopic(brokers: string, topic: string): Promise<void> {
  const admin = Kafka.AdminClient.create({ 'bootstrap.servers': brokers });
  await new Promise<void>((resolve) => admin.deleteTopic(topic, 10_000, () => resolve()));
  admin.disconnect();
}

/**
 * Runs ProducerPerformance; `payloadFile` (newline-separated values) or `recordSize` bytes of its
 * own payload, to a topic of `partitions` partitions (1 unless given; its records have no key, so
 * the Java client's sticky partitioner spreads them batch by batch).
 */
export async function producerPerformance(
  root: string,
  brokers: string,
  records: number,
  opts: { payloadFile?: string; recordSize?: number; compression: string; partitions?: number },
): Promise<TransportResult> {
  const cp = kafkaClasspath(root);
  if (!cp) throw new Error('no Kafka classpath: run `npm run services:up` first');
  const topic = `bench_transport_${Date.now().toString(36)}`;
  await createTopic(brokers, topic, opts.partitions);
  try {
    const args = [
      '-Xmx512m',
      '-cp',
      cp,
      'org.apache.kafka.tools.ProducerPerformance',
      '--topic', topic,
      '--num-records', String(records),
      '--throughput', '-1',
      ...(opts.payloadFile ? ['--payload-file', opts.payloadFile] : ['--record-size', String(Math.max(1, Math.round(opts.recordSize ?? 100)))]),
      '--producer-props',
      `bootstrap.servers=${brokers}`,
      'acks=all',
      'enable.idempotence=true',
      `compression.type=${opts.compression}`,
      'linger.ms=20',
      'batch.size=1000000',
      'buffer.memory=268435456',
    ];
    const timed = existsSync('/usr/bin/time');
    const r = timed
      ? spawnSync('/usr/bin/time', ['-f', 'cpu %U %S', 'java', ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })
      : spawnSync('java', args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    const cpu = /cpu ([\d.]+) ([\d.]+)/.exec(r.stderr ?? '');
    // One line per 5-second window while it runs, then one for the whole run, all of this form.
    const reports = [...r.stdout.matchAll(/(\d+) records sent, ([\d.]+) records\/sec \(([\d.]+) MB\/sec\)/g)].map((m) => ({
      records: Number(m[1]),
      perSec: Number(m[2]),
      mbPerSec: Number(m[3]),
    }));
    const total = reports[reports.length - 1];
    if (!total) throw new Error(`ProducerPerformance failed: ${r.stderr.slice(-500)}${r.stdout.slice(-500)}`);
    const first = reports.length > 1 ? reports[0]! : undefined;
    const restSec = first ? total.records / total.perSec - first.records / first.perSec : 0;
    return {
      records: total.records,
      recordsPerSec: total.perSec,
      ...(first && restSec >= 1 ? { warmRecordsPerSec: Math.round((total.records - first.records) / restSec) } : {}),
      mbPerSec: total.mbPerSec,
      ...(cpu ? { producerCpuSec: Number(cpu[1]) + Number(cpu[2]) } : {}),
    };
  } finally {
    await deleteTopic(brokers, topic);
  }
}
