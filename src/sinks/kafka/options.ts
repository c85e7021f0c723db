/**
 * Kafka settings from MaterializeInc/datagen's environment names plus `-X key=value` librdkafka
 * properties (kcat's convention), validated once into a filled-in librdkafka config.
 */
import { DatagenError, ErrorCodes } from '../../errors.js';
import type { SinkOptionsInput } from '../sink.js';

export interface RegistryOptions {
  url: string;
  username?: string;
  password?: string;
}

export interface KafkaOptions {
  /** librdkafka global config for the producer and admin client. */
  config: Record<string, string | number | boolean>;
  /**
   * The producer's topic-level properties (TOPIC_PROPERTIES), given to node-rdkafka as its topic
   * config: node-rdkafka makes that the producer's default topic config, replacing the one the
   * global config's topic-level properties went into (where a `-X partitioner=...` was ignored).
   */
  topicConfig: Record<string, string | number | boolean>;
  brokers: string;
  partitions: number;
  registry?: RegistryOptions;
  connectTimeoutMs: number;
}

const usage = (m: string) => new DatagenError(ErrorCodes.USAGE, m);

/**
 * librdkafka's topic-level producer properties (CONFIGURATION.md, "Topic configuration
 * properties"; the compression codec is also a global one, which topics inherit, so it stays
 * global), with their aliases.
 */
const TOPIC_PROPERTIES = new Set(['request.required.acks', 'acks', 'request.timeout.ms', 'message.timeout.ms', 'delivery.timeout.ms', 'queuing.strategy', 'produce.offset.report', 'partitioner', 'compression.level']);

/** The local queue's byte limit (64 MB), unless a raised message.max.bytes needs more. */
const QUEUE_KBYTES = 65_536;

export function kafkaOptions(input: SinkOptionsInput): KafkaOptions {
  const { env, flags } = input;
  const brokers = env.KAFKA_BROKERS?.trim() || 'localhost:9092';
  const config: KafkaOptions['config'] = {
    'bootstrap.servers': brokers,
    'client.id': 'datagen',
    // No loss and no duplicates on retry.
    'enable.idempotence': true,
    acks: 'all',
    'linger.ms': 20,
    'batch.size': 1_000_000,
    'batch.num.messages': 100_000,
    // Records not yet acknowledged. Whenever the broker is the slower side the queue stays full,
    // so its length is what a run holds in memory and what librdkafka walks when acks come back:
    // 100,000 (librdkafka's default) cost 0.64-0.74 µs of librdkafka CPU per ecommerce record at
    // two threads against 0.43-0.49 at 30,000 and 0.53 at 40,000, its messages having left the
    // cache (bench/README.md, change 40). 40,000 is still about 25 ms of sending at 1.6 M records/s;
    // a broker far away (tens of ms) may want more: -X queue.buffering.max.messages=200000.
    'queue.buffering.max.messages': 40_000,
    // And in bytes: 64 MB, so that large records (--record-size) do not fill 1 GB (librdkafka's
    // default) first; raised below for a larger message.max.bytes.
    'queue.buffering.max.kbytes': QUEUE_KBYTES,
    'compression.codec': String(flags.compression ?? 'lz4'),
    'socket.keepalive.enable': true,
    'log.connection.close': false,
  };

  const mechanism = env.SASL_MECHANISM?.trim();
  const tls = Boolean(env.SSL_CA_LOCATION || env.SSL_CERT_LOCATION || env.SSL_KEY_LOCATION);
  if (env.SASL_USERNAME || env.SASL_PASSWORD) {
    if (!env.SASL_USERNAME || !env.SASL_PASSWORD) throw usage('SASL_USERNAME and SASL_PASSWORD must both be set');
    const m = (mechanism || 'PLAIN').toUpperCase();
    if (!['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'].includes(m)) {
      throw usage(`SASL_MECHANISM must be PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512, got "${mechanism}"`);
    }
    Object.assign(config, {
      'security.protocol': tls || env.KAFKA_SSL === 'true' ? 'sasl_ssl' : 'sasl_plaintext',
      'sasl.mechanisms': m,
      'sasl.username': env.SASL_USERNAME,
      'sasl.password': env.SASL_PASSWORD,
    });
  } else if (tls) {
    config['security.protocol'] = 'ssl';
  }
  if (env.SSL_CA_LOCATION) config['ssl.ca.location'] = env.SSL_CA_LOCATION;
  if (env.SSL_CERT_LOCATION) config['ssl.certificate.location'] = env.SSL_CERT_LOCATION;
  if (env.SSL_KEY_LOCATION) config['ssl.key.location'] = env.SSL_KEY_LOCATION;

  const properties: Record<string, string> = {};
  for (const p of (flags.property as string[] | undefined) ?? []) {
    const at = p.indexOf('=');
    if (at <= 0) throw usage(`-X expects key=value, got "${p}"`);
    properties[p.slice(0, at).trim()] = p.slice(at + 1);
  }
  // A record larger than the queue's byte limit would wait for room forever: the queue holds at
  // least two of the largest records allowed. A byte limit given with -X is applied after, as given.
  const maxMessage = Number(properties['message.max.bytes']);
  if (Number.isFinite(maxMessage)) config['queue.buffering.max.kbytes'] = Math.max(QUEUE_KBYTES, Math.ceil((2 * maxMessage) / 1024));
  Object.assign(config, properties);
  const topicConfig: KafkaOptions['topicConfig'] = {};
  for (const k of Object.keys(config)) {
    if (!TOPIC_PROPERTIES.has(k)) continue;
    topicConfig[k] = config[k]!;
    delete config[k];
  }

  const registry = env.SCHEMA_REGISTRY_URL?.trim()
    ? { url: env.SCHEMA_REGISTRY_URL.trim(), username: env.SCHEMA_REGISTRY_USERNAME || undefined, password: env.SCHEMA_REGISTRY_PASSWORD || undefined }
    : undefined;
  return { config, topicConfig, brokers, partitions: Number(flags.partitions ?? 1), registry, connectTimeoutMs: 10_000 };
}
