/** Reading topics back from the real local broker, and the settings the integration tests share. */
import { execFileSync } from 'node:child_process';
import Kafka from 'node-rdkafka';
import { ROOT } from '../helpers.js';

export const BROKERS = '127.0.0.1:9092';
export const REGISTRY = 'http://127.0.0.1:8081/apis/ccompat/v7';
export const KAFKA_ENV = { KAFKA_BROKERS: BROKERS, SCHEMA_REGISTRY_URL: REGISTRY };

export interface Consumed {
  key: string | null;
  value: Buffer | null;
  partition: number;
  offset: number;
}

/**
 * Reads a whole topic (partitions 0..partitions-1) from the beginning until `expected` records or
 * `idleMs` of silence; in offset order within each partition, partitions interleaved as they come.
 */
export async function readTopic(topic: string, expected: number, idleMs = 5000, partitions = 1): Promise<Consumed[]> {
  const consumer = new Kafka.KafkaConsumer(
    { 'group.id': `datagen-test-${process.pid}-${Date.now()}-${Math.random()}`, 'metadata.broker.list': BROKERS, 'enable.auto.commit': false },
    { 'auto.offset.reset': 'earliest' },
  );
  await new Promise<void>((resolve, reject) => consumer.connect({ timeout: 10_000 }, (err) => (err ? reject(err) : resolve())));
  consumer.assign(Array.from({ length: partitions }, (_, partition) => ({ topic, partition, offset: 0 })));
  const out: Consumed[] = [];
  let last = Date.now();
  try {
    while (out.length < expected || Date.now() - last < 500) {
      const msgs = await new Promise<Kafka.Message[]>((resolve, reject) => consumer.consume(5000, (err, m) => (err ? reject(err) : resolve(m))));
      if (msgs.length) last = Date.now();
      for (const m of msgs) out.push({ key: m.key ? m.key.toString() : null, value: m.value, partition: m.partition, offset: m.offset });
      if (Date.now() - last > idleMs) break;
    }
  } finally {
    await new Promise<void>((resolve) => consumer.disconnect(() => resolve()));
  }
  return out;
}

/** Creates a topic with topic-level settings (e.g. a small `max.message.bytes`). */
export async function createTopic(topic: string, config: Record<string, string>): Promise<void> {
  const admin = Kafka.AdminClient.create({ 'metadata.broker.list': BROKERS });
  try {
    await new Promise<void>((resolve, reject) => admin.createTopic({ topic, num_partitions: 1, replication_factor: 1, config }, 10_000, (err) => (err ? reject(err) : resolve())));
  } finally {
    admin.disconnect();
  }
}

export async function listTopics(): Promise<string[]> {
  const producer = new Kafka.Producer({ 'metadata.broker.list': BROKERS });
  const md = await new Promise<Kafka.Metadata>((resolve, reject) => producer.connect({ timeout: 10_000 }, (err, data) => (err ? reject(err) : resolve(data))));
  await new Promise<void>((resolve) => producer.disconnect(() => resolve()));
  return md.topics.map((t) => t.name);
}

export async function listSubjects(): Promise<string[]> {
  const res = await fetch(`${REGISTRY}/subjects`);
  return (await res.json()) as string[];
}

export function services(cmd: 'kafka-down' | 'kafka-up' | 'status'): void {
  execFileSync('bash', [`${ROOT}scripts/services/services.sh`, cmd], { stdio: 'inherit' });
}

/** Dates and other non-JSON values as the dry run prints them. */
export function asJson(v: unknown): unknown {
  return JSON.parse(JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? Number(x) : x)));
}

export const uniquePrefix = (name: string) => `t${Date.now().toString(36)}_${name}`;
