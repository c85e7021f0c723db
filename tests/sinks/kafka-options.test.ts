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

test('topic-level properties (-X partitioner=, acks=, message.timeout.ms=) go to the topic config, where node-rdkafka reads them', () => {
  // node-rdkafka makes its topic config the producer's default one, replacing what the global
  // config put there: a partitioner left in the global config was silently ignored.
  const o = kafkaOptions({ format: 'json', env: {}, flags: { property: ['partitioner=murmur2_random', 'message.timeout.ms=5000', 'linger.ms=5'] } });
  assert.deepEqual(o.topicConfig, { acks: 'all', partitioner: 'murmur2_random', 'message.timeout.ms': '5000' });
  for (const k of ['acks', 'partitioner', 'message.timeout.ms']) assert.equal(o.config[k], undefined, k);
  assert.equal(o.config['linger.ms'], '5');
  assert.equal(o.config['compression.codec'], 'lz4', 'the codec is global (topics inherit it)');
});
