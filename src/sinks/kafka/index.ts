/**
 * Kafka sink (node-rdkafka): feeds pre-encoded records to an idempotent librdkafka producer.
 * A full local queue is backpressure (poll, wait, retry), never a dropped record; every record
 * gets a delivery report, and the run fails if any delivery failed (and stops at the first one
 * reported: stopReason).
 */
import { setImmediate as turn, setTimeout as sleep } from 'node:timers/promises';
import Kafka from 'node-rdkafka';
import { RecordCursor, type EncodedBatch } from '../../encoding/batch.js';
import type { EncodingSpec } from '../../encoding/encoders.js';
import { DatagenError, ErrorCodes } from '../../errors.js';
import { redact } from '../../main/env.js';
import type { Plan } from '../../schema/plan.js';
import type { DeliveryReport, Sink, SinkContext, SinkDefinition, SinkOptionsInput } from '../sink.js';
import { bulkLibrary, type BulkHandle, type BulkLibrary } from './bulk.js';
import { kafkaOptions, type KafkaOptions } from './options.js';
import { deleteSubject, registerValueSchema, registryClient, safeUrl } from './registry.js';

const { CODES } = Kafka;

export class KafkaSink implements Sink {
  private readonly o: KafkaOptions;
  private producer?: Kafka.Producer;
  private topics: string[] = [];
  private readonly byTopic = new Map<string, number>();
  /** Records handed to librdkafka, and those it reported failed, per dataset. */
  private produced: number[] = [];
  private failed: number[] = [];
  /** True once flush() saw librdkafka's queue empty: then every record not failed was delivered. */
  private drained = false;
  private firstFailure?: string;
  private fatal?: string;
  /** The bulk path (bulk.ts), when it could be set up for this producer. */
  private bulk?: { lib: BulkLibrary; handle: BulkHandle; produced: Float64Array };

  constructor(private readonly input: SinkOptionsInput) {
    this.o = kafkaOptions(input);
  }

  async prepare(ctx: SinkContext): Promise<EncodingSpec> {
    const { plan } = ctx;
    this.topics = plan.datasets.map((d) => d.topic);
    this.topics.forEach((t, i) => this.byTopic.set(t, i));
    this.produced = this.topics.map(() => 0);
    this.failed = this.topics.map(() => 0);
    if (ctx.debug) ctx.log(`kafka config ${JSON.stringify(redact(this.o.config))}, topic config ${JSON.stringify(redact(this.o.topicConfig))}`);

    // Connecting the producer waits mostly on the network, the registry's side (loading its
    // client, sampling records for inference, registering) mostly on this thread: they run at once.
    // Topics are made only once the schemas are registered, so a refused schema leaves nothing on
    // the broker, and the registry's error is reported first when both fail, as before, without
    // waiting for the broker's connect timeout.
    const { lib, why } = bulkLibrary(this.input.env);
    const before = lib?.generation() ?? 0;
    const connecting = this.connectProducer(lib);
    // Its failure is awaited below; until then it must not count as unhandled (which ends the process).
    connecting.catch(() => undefined);
    let encoding: EncodingSpec = { kind: 'json' };
    try {
      if (this.input.format === 'avro') encoding = await this.registerSchemas(ctx);
    } catch (e) {
      // A producer that connects after this is let go at once.
      connecting.then((p) => p.disconnect(), () => undefined);
      throw e;
    }
    const producer = (this.producer = await connecting);
    const admin = createAdmin(this.o);
    let created: Set<string>;
    try {
      created = await ensureTopics(admin, this.topics, this.o);
    } finally {
      admin.disconnect();
    }
    // A topic this run made is waited for (up to the connect timeout) until the broker lists its
    // partitions; one that was there already gets a second at most.
    const counts = await Promise.all(this.topics.map((topic) => askMetadata(producer, topic, this.o.connectTimeoutMs, created.has(topic) ? this.o.connectTimeoutMs : 1000)));
    // A topic of one partition has its records given partition 0, which is what the partitioner
    // would pick, without its work per record (bulk.c); -1 leaves the choice to the partitioner.
    const partitions = counts.map((n) => (n === 1 ? 0 : -1));
    // A topic of several has each keyed record given the partition librdkafka's own partitioner
    // function picks for its key, when the configured partitioner is one that hashes keys.
    const partitioner = String(this.o.topicConfig.partitioner ?? 'consistent_random');
    // (A dataset without a key field has none to hash: the partitioner places all its records.
    // Nor does a topic of more than the library's maxPartitions: each chunk walks all of them.)
    const byKey = counts.map((n, i) => (lib && n > 1 && n <= lib.maxPartitions && plan.datasets[i]!.key !== null && lib.partitioners.includes(partitioner) ? n : 0));
    const handle = lib?.claim(before, this.topics, partitions, byKey, partitioner);
    if (lib && handle) this.bulk = { lib, handle, produced: new Float64Array(this.topics.length + 1) };
    if (ctx.debug) {
      const single = this.topics.filter((_, i) => partitions[i] === 0);
      const keyed = this.topics.map((t, i) => (byKey[i] ? `${t} (${byKey[i]})` : '')).filter(Boolean);
      const named =
        (single.length ? `; partition 0 named for the topics of one partition: ${single.join(', ')}` : '') +
        (keyed.length ? `; partitions named by key (${partitioner}) for: ${keyed.join(', ')}` : '');
      ctx.log(this.bulk ? `kafka: bulk produce (${lib!.path})${named}` : `kafka: produce() per record: ${why ?? 'no single producer found for the bulk library'}`);
    }
    return encoding;
  }

  private async registerSchemas(ctx: SinkContext): Promise<EncodingSpec> {
    const { avroSchemas } = await import('../../encoding/avro-infer.js');
    const client = await registryClient(this.o.registry);
    const runSchemas = await avroSchemas(ctx.plan, ctx.sample);
    const schemas = [];
    for (const [i, d] of ctx.plan.datasets.entries()) {
      const schema = runSchemas[i]!;
      const id = await registerValueSchema(client, `${d.topic}-value`, schema, this.o.registry!.url);
      if (ctx.debug) ctx.log(`registered ${d.topic}-value as schema id ${id}:\n${JSON.stringify(schema, null, 2)}`);
      schemas.push({ schema, id });
    }
    return { kind: 'avro', schemas };
  }

  private connectProducer(bulk: BulkLibrary | undefined): Promise<Kafka.Producer> {
    // Delivery reports for failures only: a report per success would cost a JS callback per record.
    // Success is then established by flush() emptying the queue (see flush).
    const config: Record<string, unknown> = { ...this.o.config, dr_cb: true, event_cb: true, 'delivery.report.only.error': true };
    // The bulk library is also a librdkafka plugin: loaded into this producer, it learns its handle.
    if (bulk) config['plugin.library.paths'] = [config['plugin.library.paths'], bulk.path].filter(Boolean).join(';');
    // Topic-level properties (acks, partitioner, timeouts) go in the topic config: node-rdkafka
    // makes it the default topic config, replacing what the global config put there.
    let producer: Kafka.Producer;
    try {
      producer = new Kafka.Producer(config as Kafka.ProducerGlobalConfig, this.o.topicConfig as Kafka.ProducerTopicConfig);
    } catch (e) {
      throw refusedSettings((e as Error).message);
    }
    producer.on('delivery-report', (err, report) => {
      if (!err) return;
      const d = this.byTopic.get(report?.topic) ?? 0;
      this.failed[d]!++;
      this.firstFailure ??= `${report?.topic ?? '?'}: ${err.message}`;
    });
    producer.on('event.error', (err: Kafka.LibrdKafkaError) => {
      // Fatal errors (e.g. the idempotent producer lost its guarantees) end the run; others are retried by librdkafka.
      if ((err as { isFatal?: boolean }).isFatal) this.fatal ??= err.message;
    });
    return connectWithin(producer, this.o);
  }

  async write(batch: EncodedBatch, start: number, end: number): Promise<void> {
    if (this.bulk) return this.writeBulk(batch, start, end);
    const producer = this.producer!;
    const topics = this.topics;
    const r = new RecordCursor(batch, start, end);
    while (r.next()) {
      // node-rdkafka copies key and value; plain Uint8Array views are what it needs (any ArrayBufferView).
      const value = r.valueView() as Buffer | null;
      const key = r.keyView() as Buffer | null;
      for (;;) {
        this.assertAlive();
        try {
          producer.produce(topics[r.dataset]!, null, value, key);
          this.produced[r.dataset]!++;
          break;
        } catch (e) {
          const code = (e as Kafka.LibrdKafkaError).code;
          if (code !== CODES.ERRORS.ERR__QUEUE_FULL) throw this.refused(r, code, e as Error);
          // The local queue is full: let delivery reports drain it, then retry the same record.
          producer.poll();
          await sleep(5);
        }
      }
    }
    producer.poll();
  }

  /** The bulk path: the same records, in the same order in each topic, handed over a batch at a time (bulk.c). */
  private async writeBulk(batch: EncodedBatch, start: number, end: number): Promise<void> {
    const producer = this.producer!;
    const { lib, handle, produced } = this.bulk!;
    const codeAt = this.topics.length;
    let pos = start;
    for (;;) {
      this.assertAlive();
      produced.fill(0);
      pos = lib.produce(handle, batch.buffer, pos, end, produced);
      for (let d = 0; d < codeAt; d++) this.produced[d]! += produced[d]!;
      if (pos >= end) break;
      const code = produced[codeAt]!;
      if (code !== CODES.ERRORS.ERR__QUEUE_FULL) {
        const r = new RecordCursor(batch, pos, end);
        r.next();
        throw this.refused(r, code, new Error(lib.err2str(code)));
      }
      // The local queue is full: let delivery reports drain it, then go on from the refused record.
      producer.poll();
      await sleep(5);
    }
    producer.poll();
  }

  private refused(r: RecordCursor, code: number, e: Error): DatagenError {
    const hint =
      code === CODES.ERRORS.ERR_MSG_SIZE_TOO_LARGE
        ? ` (this record is ${Math.max(0, r.valueLength) + Math.max(0, r.keyLength)} bytes; raise the producer's limit with -X message.max.bytes=<bytes>, and the topic's max.message.bytes on the broker)`
        : '';
    return new DatagenError(ErrorCodes.DELIVERY, `Kafka refused a record for ${this.topics[r.dataset]}: ${e.message}${hint}`, { cause: e });
  }

  /** A fatal producer error (e.g. idempotence guarantees lost) ends the run wherever it is noticed. */
  private assertAlive(): void {
    if (this.fatal) throw new DatagenError(ErrorCodes.DELIVERY, `Kafka producer failed: ${this.fatal}`);
  }

  async flush(): Promise<void> {
    const producer = this.producer;
    if (!producer) return;
    // rd_kafka_flush returns without error only when every record was delivered or failed.
    for (;;) {
      const err = await new Promise<unknown>((resolve) => producer.flush(1000, (e) => resolve(e)));
      if (!err) break;
      this.assertAlive();
    }
    // Failure reports already taken off librdkafka's queue reach JS through the event loop, at
    // most 100 a turn (node-rdkafka's dispatcher), however many are waiting: up to everything in
    // flight when the broker refuses it all (150,000 in a test). Wait at least 50 ms, then until
    // two turns in a row bring none.
    producer.poll();
    await sleep(50);
    for (let seen = -1; seen !== this.failedTotal(); ) {
      seen = this.failedTotal();
      await turn();
      await turn();
    }
    this.drained = true;
  }

  private failedTotal(): number {
    return this.failed.reduce((a, b) => a + b, 0);
  }

  async close(): Promise<void> {
    const producer = this.producer;
    this.producer = undefined;
    if (this.bulk) this.bulk.lib.release(this.bulk.handle);
    this.bulk = undefined;
    if (producer?.isConnected()) await new Promise<void>((resolve) => producer.disconnect(5000, () => resolve()));
  }

  /** produce() copies key and value into librdkafka's own messages. */
  doneWithBatches(): boolean {
    return true;
  }

  /** A record that failed (the broker refused it, or it timed out) fails the run: going on would only add to them. */
  stopReason(): string | undefined {
    return this.firstFailure === undefined ? undefined : `a record was not delivered (${this.firstFailure})`;
  }

  report(): DeliveryReport {
    const notes = [];
    if (this.firstFailure) notes.push(`first failure: ${this.firstFailure}`);
    if (this.fatal) notes.push(`fatal: ${this.fatal}`);
    const failed = this.failedTotal();
    if (!this.drained) notes.push('delivery not confirmed: the run stopped before the queue drained');
    const delivered = this.produced.map((p, d) => (this.drained ? p - this.failed[d]! : 0));
    return { delivered, failed: failed + (this.fatal ? 1 : 0), notes };
  }
}

/** A usage error: librdkafka refused the settings (a -X value, or two that conflict). */
function refusedSettings(message: string): DatagenError {
  return new DatagenError(ErrorCodes.USAGE, `librdkafka refused the Kafka settings: ${message}`);
}

/**
 * Producer connect that fails clearly instead of hanging when no broker answers. It tries in
 * short steps: librdkafka's pending metadata request holds process exit until it times out, so a
 * refused login must not leave a 10-second request behind.
 */
async function connectWithin(producer: Kafka.Producer, o: KafkaOptions): Promise<Kafka.Producer> {
  const STEP_MS = 2000;
  let refused: string | undefined;
  // librdkafka reports refused SASL credentials and TLS failures as log lines or error events.
  const onLog = (e: { message: string }) => {
    const m = /(SASL authentication error: .*?|SSL handshake failed.*?|Authentication failed.*?)(?: \(after|$)/.exec(e.message);
    if (m) refused ??= m[1];
  };
  const onError = (err: Kafka.LibrdKafkaError) => {
    if (err.code === CODES.ERRORS.ERR__AUTHENTICATION) refused ??= err.message;
  };
  producer.on('event.log', onLog);
  producer.on('event.error', onError);
  const started = Date.now();
  let lastError = 'no answer';
  try {
    while (Date.now() - started < o.connectTimeoutMs) {
      const err = await new Promise<{ message: string } | null>((resolve) => producer.connect({ timeout: STEP_MS }, (e) => resolve(e ?? null)));
      if (!err) {
        producer.setPollInterval(50);
        return producer;
      }
      lastError = err.message;
      // The client could not be made (node-rdkafka's connect() reports rd_kafka_new()'s error so):
      // settings librdkafka refuses together, such as -X acks=1 with idempotence. No retry mends that.
      if ((err as { code?: number }).code === CODES.ERRORS.ERR__STATE) throw refusedSettings(err.message);
      if (refused) break;
    }
  } finally {
    producer.off('event.log', onLog);
    producer.off('event.error', onError);
  }
  throw new DatagenError(
    ErrorCodes.CONNECTION,
    refused ? `Kafka at ${o.brokers} refused the connection: ${refused}` : `cannot reach Kafka at ${o.brokers} within ${o.connectTimeoutMs / 1000} s: ${lastError}`,
  );
}

/**
 * Asks the producer's broker for a topic's metadata, and waits for the answer (an error too: a
 * real problem shows when records are sent). Two things come of it before the first record:
 *  - the producer knows the topic's partitions and their leaders;
 *  - an idempotent producer asks for its producer id, which it needs before it sends anything.
 *    librdkafka asks when a metadata answer arrives, through the broker that answered. When the
 *    answer to connect() arrived before librdkafka's own thread was ready to ask (that thread
 *    starts late while the workers' start-up keeps the cores busy), it found no broker connected
 *    and waited for its 500 ms retry timer, and the first records, a short run's whole flush,
 *    waited with it: 6 of 15 `-n 1` Avro runs on a two-core machine (bench/README.md). This answer
 *    makes it ask at once.
 * Resolves with the topic's partition count (0 when the answer has none): the bulk path names
 * partition 0 for a topic of one partition, and each keyed record's partition for a topic of
 * several (bulk.c).
 */
async function askMetadata(producer: Kafka.Producer, topic: string, timeoutMs: number, waitMs: number): Promise<number> {
  const ask = () =>
    new Promise<number | undefined>((resolve) =>
      producer.getMetadata({ topic, allTopics: false, timeout: timeoutMs }, (err, md) => resolve(err ? undefined : (md?.topics?.find((t) => t.name === topic)?.partitions?.length ?? 0))),
    );
  // A topic made a moment ago can be answered without its partitions yet, or with an error (fresh
  // clones' CI runs got no count for one or two of three new topics): asked again every 100 ms
  // while the asking has taken under `waitMs` (an answer that timed out is not asked again).
  const started = Date.now();
  for (;;) {
    const n = await ask();
    if (n || Date.now() - started >= waitMs) return n ?? 0;
    await sleep(100);
  }
}

/** The connection part of the config: the admin client warns about producer-only properties. */
function connectionConfig(o: KafkaOptions): Record<string, string | number | boolean> {
  return Object.fromEntries(Object.entries(o.config).filter(([k]) => /^(bootstrap|security|sasl|ssl|client\.id|socket|broker|metadata|api\.version)/.test(k)));
}

function createAdmin(o: KafkaOptions): Kafka.IAdminClient {
  return Kafka.AdminClient.create(connectionConfig(o) as Kafka.GlobalConfig);
}

/** Makes the topics that do not exist yet; returns those it made. */
async function ensureTopics(admin: Kafka.IAdminClient, topics: string[], o: KafkaOptions): Promise<Set<string>> {
  const created = new Set<string>();
  for (const topic of topics) {
    await new Promise<void>((resolve, reject) => {
      admin.createTopic({ topic, num_partitions: o.partitions, replication_factor: -1 }, o.connectTimeoutMs, (err) => {
        if (!err) created.add(topic);
        if (!err || err.code === CODES.ERRORS.ERR_TOPIC_ALREADY_EXISTS) return resolve();
        const unreachable = err.code === CODES.ERRORS.ERR__TIMED_OUT || err.code === CODES.ERRORS.ERR__TRANSPORT;
        reject(
          new DatagenError(
            ErrorCodes.CONNECTION,
            unreachable ? `cannot reach Kafka at ${o.brokers} within ${o.connectTimeoutMs / 1000} s: ${err.message}` : `cannot create topic "${topic}": ${err.message}`,
          ),
        );
      });
    });
  }
  return created;
}

async function clean(plan: Plan, input: SinkOptionsInput, log: (m: string) => void): Promise<void> {
  const o = kafkaOptions(input);
  const admin = createAdmin(o);
  try {
    for (const d of plan.datasets) {
      const deleted = await new Promise<boolean>((resolve, reject) => {
        admin.deleteTopic(d.topic, o.connectTimeoutMs, (err) => {
          if (!err) return resolve(true);
          if (err.code === CODES.ERRORS.ERR_UNKNOWN_TOPIC_OR_PART) return resolve(false);
          reject(new DatagenError(ErrorCodes.CONNECTION, `cannot delete topic "${d.topic}" at ${o.brokers}: ${err.message}`));
        });
      });
      log(deleted ? `deleted topic ${d.topic}` : `topic ${d.topic} does not exist`);
    }
  } finally {
    admin.disconnect();
  }
  if (o.registry) {
    const client = await registryClient(o.registry);
    for (const d of plan.datasets) {
      const deleted = await deleteSubject(client, `${d.topic}-value`);
      log(deleted ? `deleted subject ${d.topic}-value at ${safeUrl(o.registry.url)}` : `subject ${d.topic}-value does not exist`);
    }
  }
}

export const kafkaSink: SinkDefinition = {
  create: (input) => new KafkaSink(input),
  clean,
};
