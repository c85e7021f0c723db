import { DatagenError, ErrorCodes } from '../../errors.js';
import type { SinkDefinition } from '../sink.js';

export const webhookSink: SinkDefinition = {
  create: () => {
    throw new DatagenError(ErrorCodes.USAGE, 'the webhook sink is not built yet');
  },
};
