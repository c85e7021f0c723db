import { DatagenError, ErrorCodes } from '../../errors.js';
import type { SinkDefinition } from '../sink.js';

export const mysqlSink: SinkDefinition = {
  create: () => {
    throw new DatagenError(ErrorCodes.USAGE, 'the mysql sink is not built yet');
  },
};
