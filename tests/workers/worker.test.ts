import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Piscina } from 'piscina';
import { RecordCursor, type EncodedBatch } from '../../src/encoding/batch.js';
import { shareSetup } from '../../src/main/run.js';
import { loadSchema } from '../../src/schema/load.js';
import runTask from '../../src/workers/worker.js';
import type { GenResult, GenTask } from '../../src/workers/messages.js';
import { tmpFile } from '../helpers.js';

test('a task that fails part-way leaves nothing behind: the next batch holds its own iterations only', async () => {
  // Iterations from 50 on fail in their first record; those before them are written first.
  const file = tmpFile('late.json', [{ _meta: { topic: 't', key: 'id' }, id: 'iteration.index', v: "(() => { if (iteration.index > 50) throw new Error('boom'); return 1; })()" }]);
  const { plan, avroNames } = loadSchema(file);
  const shared = shareSetup({ plan, gen: { seed: 1, refDate: 0, recordSize: 0, allowCode: true, avroNames }, encoding: { kind: 'json' } });
  // A batch comes back wrapped for transfer (Piscina.move); a failure as it is.
  const task = async (firstIteration: number, count: number): Promise<GenResult> => {
    const out = (await runTask({ setup: shared, firstIteration, count } satisfies GenTask)) as Record<symbol, GenResult> & GenResult;
    return out[Piscina.valueSymbol] ?? out;
  };

  // A worker may run a later task before an earlier one; this one fails after ten iterations.
  const failed = await task(40, 40);
  assert.equal(failed.ok, false);
  assert.match(failed.ok ? '' : failed.error.message, /boom/);

  for (const [first, count] of [[0, 20], [20, 5]] as const) {
    const r = await task(first, count);
    assert.ok(r.ok, r.ok ? '' : r.error.message);
    const batch: EncodedBatch = r.batch;
    assert.equal(batch.iterations, count);
    assert.deepEqual(batch.counts, [count]);
    const keys: number[] = [];
    const c = new RecordCursor(batch);
    while (c.next()) {
      assert.deepEqual(JSON.parse(c.value!.toString()), { id: Number(c.key!.toString()), v: 1 });
      keys.push(Number(c.key!.toString()));
    }
    assert.deepEqual(keys, Array.from({ length: count }, (_, i) => first + i + 1));
  }
});
