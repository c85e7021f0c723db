/** MySQL/MariaDB connection from MaterializeInc/datagen's env names, or `--url`. */
import type { ConnectionOptions } from 'mysql2';
import type { SinkOptionsInput } from '../sink.js';
import { connectionTarget } from '../sql/shared.js';

export interface MysqlOptions {
  connection: ConnectionOptions;
  target: string;
  batchSize: number;
}

export function mysqlOptions(input: SinkOptionsInput): MysqlOptions {
  const { env, flags } = input;
  const url = flags.url as string | undefined;
  const connection: ConnectionOptions = url
    ? { uri: url }
    : {
        host: env.MYSQL_HOST || 'localhost',
        port: Number(env.MYSQL_PORT || 3306),
        user: env.MYSQL_USER || 'root',
        password: env.MYSQL_PASSWORD || '',
        ...(env.MYSQL_DB ? { database: env.MYSQL_DB } : {}),
      };
  Object.assign(connection, { connectTimeout: 10_000, supportBigNumbers: true, dateStrings: true });
  const target = connectionTarget(url, connection.host, connection.port, connection.database, 3306);
  return { connection, target, batchSize: Number(flags.batchSize ?? 2000) };
}
