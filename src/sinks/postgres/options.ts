/** PostgreSQL connection from MaterializeInc/datagen's env names, or `--url`. */
import { userInfo } from 'node:os';
import type { ClientConfig } from 'pg';
import type { SinkOptionsInput } from '../sink.js';
import { connectionTarget } from '../sql/shared.js';

export interface PostgresOptions {
  connection: ClientConfig;
  /** Where we connect, fit to print (no password). */
  target: string;
  batchSize: number;
}

export function postgresOptions(input: SinkOptionsInput): PostgresOptions {
  const { env, flags } = input;
  const url = flags.url as string | undefined;
  const connection: ClientConfig = url
    ? { connectionString: url }
    : {
        host: env.POSTGRES_HOST || 'localhost',
        port: Number(env.POSTGRES_PORT || 5432),
        user: env.POSTGRES_USER || env.PGUSER || userInfo().username,
        ...(env.POSTGRES_DB ? { database: env.POSTGRES_DB } : {}),
        ...(env.POSTGRES_PASSWORD ? { password: env.POSTGRES_PASSWORD } : {}),
      };
  connection.connectionTimeoutMillis = 10_000;
  connection.application_name = 'datagen';
  const target = connectionTarget(url, connection.host, connection.port, connection.database, 5432);
  return { connection, target, batchSize: Number(flags.batchSize ?? 5000) };
}
