import { DatagenError, ErrorCodes } from '../../errors.js';
import type { SinkDefinition } from '../sink.js';

export const postgresSink: SinkDefinition = {
  create: () => {
    throw new DatagenError(ErrorCodes.USAGE, 'the postgres sink is not built yet');
  },
};
