/** Sinks by name. `--dry-run` always uses stdout; otherwise `--format` picks the sink. */
import type { SinkDefinition } from './sink.js';
import { stdoutSink } from './stdout/index.js';

const loaders: Record<string, () => Promise<SinkDefinition>> = {
  stdout: async () => stdoutSink,
  json: async () => (await import('./kafka/index.js')).kafkaSink,
  avro: async () => (await import('./kafka/index.js')).kafkaSink,
  postgres: async () => (await import('./postgres/index.js')).postgresSink,
  mysql: async () => (await import('./mysql/index.js')).mysqlSink,
  webhook: async () => (await import('./webhook/index.js')).webhookSink,
};

export const FORMATS = ['json', 'avro', 'postgres', 'mysql', 'webhook'] as const;

export async function loadSink(name: string): Promise<SinkDefinition> {
  const load = loaders[name];
  if (!load) throw new Error(`no sink "${name}"`);
  return load();
}
