import { DatagenError, ErrorCodes } from '../../errors.js';
import type { SinkDefinition } from '../sink.js';

export const kafkaSink: SinkDefinition = {
  create: () => {
    throw new DatagenError(ErrorCodes.USAGE, 'the kafka sink is not built yet');
  },
};
