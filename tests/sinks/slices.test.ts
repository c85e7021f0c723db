import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sendInSlices } from '../../src/sinks/sql/shared.js';

test('database statements are cut by row count and by bytes; a row larger than the limit goes alone', async () => {
  const sent: Array<[number, string[]]> = [];
  const rows = [['a', 'b', 'c', 'd', 'e'], ['big', 'x', 'y']];
  const bytes = [[10, 10, 10, 10, 10], [500, 10, 10]];
  const delivered = [0, 0];
  await sendInSlices(rows, bytes, 3, 25, delivered, async (d, slice) => void sent.push([d, slice]));
  assert.deepEqual(sent, [
    [0, ['a', 'b']], // a third row would pass 25 bytes
    [0, ['c', 'd']],
    [0, ['e']],
    [1, ['big']], // over the limit on its own: sent by itself, not dropped
    [1, ['x', 'y']],
  ]);
  assert.deepEqual(delivered, [5, 3]);
  const byCount: string[][] = [];
  await sendInSlices([['1', '2', '3', '4']], [[1, 1, 1, 1]], 3, 1 << 20, [0], async (_d, s) => void byCount.push(s));
  assert.deepEqual(byCount, [['1', '2', '3'], ['4']]);
});
