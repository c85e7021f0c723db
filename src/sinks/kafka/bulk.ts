/**
 * The Kafka sink's bulk path (bulk.c, built into build/kafka-bulk.node by scripts/build-native.mjs
 * at install): a whole batch handed to librdkafka in one call instead of one node-rdkafka
 * produce() per record. Optional: when the library is missing or will not load, or
 * DATAGEN_KAFKA_BULK=off, the sink produces record by record as before: the same records, in the
 * same order in each topic.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { DatagenError, ErrorCodes } from '../../errors.js';

/** A producer's rd_kafka_t plus one topic handle per dataset (a Node-API external). */
export type BulkHandle = { readonly __bulk: unique symbol };

export interface BulkLibrary {
  /** The file, for librdkafka's `plugin.library.paths`. */
  path: string;
  /** How many clients have been created with the plugin so far. */
  generation(): number;
  /**
   * The one live client created since `after`, with a topic handle per name; null if not exactly
   * one. `partitions`: per topic, the partition its records are given, or -1 for the configured
   * partitioner to pick one per record (as produce() with no partition does). `byKey`: per topic
   * whose `partitions` entry is -1, its partition count (2 to `maxPartitions`) to have each keyed record
   * given the partition that librdkafka's partitioner function `partitioner` (one of
   * `partitioners`) picks for its key; 0 for none.
   */
  claim(after: number, topics: string[], partitions: number[], byKey: number[], partitioner: string): BulkHandle | null;
  /** The `partitioner` settings whose picks `claim` can name per record. */
  readonly partitioners: readonly string[];
  /** The most partitions a topic can have for `claim` to name its records' by key (65,536). */
  readonly maxPartitions: number;
  /** Destroys the topic handles: before the producer disconnects. */
  release(handle: BulkHandle): void;
  /**
   * Enqueues the packed records in buffer[start, end), each topic's in order (4,096 at a time,
   * one rd_kafka_produce_batch() per topic), adding one to produced[dataset] for each; stops at
   * the first one librdkafka refuses. Returns the byte offset to go on from: the records from
   * there to `end` are those not taken, the refused one first (bulk.c moves them there). Puts
   * the refusal's error code (0 if none) in the last element of `produced`.
   */
  produce(handle: BulkHandle, buffer: ArrayBuffer, start: number, end: number, produced: Float64Array): number;
  /** librdkafka's text for an error code. */
  err2str(code: number): string;
}

export const BULK_LIBRARY_PATH = fileURLToPath(new URL('../../../../build/kafka-bulk.node', import.meta.url));

let loaded: { lib?: BulkLibrary; why?: string } | undefined;

/** The bulk library, or why it is not used. */
export function bulkLibrary(env: NodeJS.ProcessEnv): { lib?: BulkLibrary; why?: string } {
  const setting = env.DATAGEN_KAFKA_BULK?.trim();
  if (setting && setting !== 'on' && setting !== 'off') throw new DatagenError(ErrorCodes.USAGE, `DATAGEN_KAFKA_BULK must be "on" or "off", got "${setting}"`);
  if (setting === 'off') return { why: 'DATAGEN_KAFKA_BULK=off' };
  if (loaded) return loaded;
  const path = BULK_LIBRARY_PATH;
  if (!existsSync(path)) loaded = { why: `${path} was not built (npm run build:native)` };
  else if (path.includes(';')) loaded = { why: `its path contains ";", which plugin.library.paths cannot hold` };
  else {
    try {
      const native = createRequire(import.meta.url)(path) as Omit<BulkLibrary, 'path'>;
      loaded = { lib: { ...native, path } };
    } catch (e) {
      loaded = { why: `${path} did not load: ${(e as Error).message}` };
    }
  }
  return loaded;
}
