import assert from 'node:assert/strict';
import { test } from 'node:test';
import { kafkaOptions } from '../../src/sinks/kafka/options.js';

const config = (property: string[]) => kafkaOptions({ format: 'json', env: {}, flags: { property } }).config;

test('the local queue\'s byte limit holds two of the largest records a raised message.max.bytes allows', () => {
  const base = Number(config([])['queue.buffering.max.kbytes']);
  // A limit below message.max.bytes would make such a record wait for room forever.
  const raised = config(['message.max.bytes=200000000']);
  assert.ok(Number(raised['queue.buffering.max.kbytes']) * 1024 >= 2 * 200_000_000);
  // A small message.max.bytes never lowers the default.
  assert.equal(Number(config(['message.max.bytes=1000'])['queue.buffering.max.kbytes']), base);
  // The user's own byte limit stays as given.
  assert.equal(config(['message.max.bytes=200000000', 'queue.buffering.max.kbytes=5000'])['queue.buffering.max.kbytes'], '5000');
});
