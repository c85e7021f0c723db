/**
 * Bench child process, one measurement per process so memory and CPU figures are its own:
 *   node child.js floor <schema> <records>             faker floor: field generators in a tight loop, one thread
 *   node child.js generate <schema> <iterations> <threads>   generate-only: the real coordinator and workers, null sink
 *   node child.js encode <schema> <iterations> <threads>     avro-encode-only: as generate-only, with Avro encoding
 *   node child.js client <schema> <records> <json|avro>       our Kafka sink alone: the schema's records, encoded beforehand
 *   node child.js count <schema> <iterations> <floor|generate|encode|json>   one thread, no clock: the work
 *       whose instructions the bench counts under callgrind (floor: as many records in the floor's mix;
 *       json: generation and the JSON encoding of a Kafka run)
 *   node child.js spec <schema> 0        in a worker thread of count encode: the Avro encoding, posted back
 * The floor runs WARM_MS of JIT warm-up before its clock starts; generate-only prints datagen's
 * own --stats JSON, whose timeline the bench reads for the rate once warm.
 * Prints one JSON object on stdout.
 */
import { loadSchema } from '../../src/schema/load.js';
import { RecordGraph } from '../../src/generate/graph.js';
import { run, sampleRecords } from '../../src/main/run.js';
import { statsJson } from '../../src/main/progress.js';
import { fileURLToPath } from 'node:url';
import { warmMs, withBrokerCpu } from './measure.js';
import { NullSink } from './null-sink.js';
import type { EncodedBatch } from '../../src/encoding/batch.js';
import type { EncodingSpec } from '../../src/encoding/encoders.js';

const [mode, schema, countText, threadsText] = process.argv.slice(2);
const { plan, avroNames } = loadSchema(schema!);
const WARM_MS = warmMs();
const gen = { seed: 1, refDate: Date.parse('2025-01-01T00:00:00Z'), recordSize: 0, allowCode: true, avroNames };

/**
 * The floor's work: records of each dataset in the mix of a real iteration (e.g. 1 user, 4
 * purchases, ~10 items, from 200 iterations), from the field generators alone, without the
 * relationships. `round()` makes one iteration's worth and returns how many records it made.
 */
function floorMix(graph: RecordGraph): { perIteration: number; round(): number } {
  const mix = plan.datasets.map(() => 0);
  for (let i = 0; i < 200; i++) graph.generate(i, (d) => mix[d]!++);
  const share = mix.map((m) => m / 200);
  const carry = share.map(() => 0);
  return {
    perIteration: mix.reduce((a, b) => a + b, 0) / 200,
    round() {
      let records = 0;
      for (let d = 0; d < share.length; d++) {
        carry[d]! += share[d]!;
        while (carry[d]! >= 1) {
          graph.generateFlat(d);
          carry[d]!--;
          records++;
        }
      }
      return records;
    },
  };
}

if (mode === 'floor') {
  const graph = new RecordGraph(plan, gen);
  const floor = floorMix(graph);
  const rounds = Math.max(1, Math.round(Number(countText) / floor.perIteration));
  // Warm up the JIT as the workers' long runs would.
  for (const until = performance.now() + WARM_MS; performance.now() < until; ) {
    for (let i = 0; i < 100; i++) for (let d = 0; d < plan.datasets.length; d++) graph.generateFlat(d);
  }
  let records = 0;
  const t0 = performance.now();
  for (let i = 0; i < rounds; i++) records += floor.round();
  const ms = performance.now() - t0;
  console.log(JSON.stringify({ records, durationMs: ms, recordsPerSec: Math.round(records / (ms / 1000)) }));
} else if (mode === 'generate' || mode === 'encode') {
  // encode: the workers encode Avro exactly as for Kafka (schemas inferred from the same sample,
  // a made-up schema id) and the null sink drops the batches: the Avro rows' ceiling without Kafka.
  const sink = new NullSink(mode === 'encode' ? 'avro' : 'none');
  const stats = await run({
    plan,
    gen,
    sink,
    iterations: Number(countText),
    threads: Number(threadsText),
    waitMs: 0,
    debug: false,
    log: (m) => process.stderr.write(m + '\n'),
  });
  console.log(JSON.stringify(statsJson(plan, stats, undefined, 'null', { exitCode: 0, error: null })));
} else if (mode === 'client') {
  // The schema's own records, generated and encoded (JSON, or Avro as the workers encode it with a
  // made-up schema id) before the clock starts, then handed to the real Kafka sink in batches of
  // about 16k records as the coordinator does, each dataset to a topic of its own.
  const format = threadsText === 'avro' ? 'avro' : 'json';
  const records = Number(countText);
  const { kafkaSink } = await import('../../src/sinks/kafka/index.js');
  const { createEncoder } = await import('../../src/encoding/encoders.js');
  const { avroSchemas } = await import('../../src/encoding/avro-infer.js');
  await import('../../src/encoding/avro.js'); // registers the Avro encoder, as in the workers
  const clientPlan = { ...plan, datasets: plan.datasets.map((d) => ({ ...d, topic: `bench_client_${process.pid}_${d.topic}` })) };
  const input = { format: 'json', env: process.env, flags: {} };
  const sink = kafkaSink.create(input);
  await sink.prepare({ plan: clientPlan, debug: false, log: () => {}, sample: async () => [] });
  const schemas = format === 'avro' ? await avroSchemas(plan, (n) => sampleRecords(plan, gen, n)) : [];
  const encoder = createEncoder(plan, format === 'avro' ? { kind: 'avro', schemas: schemas.map((schema) => ({ schema, id: 1 })) } : { kind: 'json' });
  const graph = new RecordGraph(plan, gen);
  const batches: EncodedBatch[] = [];
  // Whole iterations, so a little over `records` may be sent; `sent` counts what was.
  let sent = 0;
  for (let i = 0; sent < records; ) {
    const first = i;
    let inBatch = 0;
    for (; inBatch < 16_384 && sent + inBatch < records; i++) {
      graph.generate(i, (d, r) => {
        encoder.add(d, r);
        inBatch++;
      });
      encoder.endIteration();
    }
    batches.push(encoder.finish(first));
    sent += inBatch;
  }
  // The broker's CPU over the same window (topic creation settled first): what it needs to take these records.
  const { result: { ms, cpu }, brokerCpuSec } = await withBrokerCpu(fileURLToPath(new URL('../../../', import.meta.url)), async () => {
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    for (const b of batches) await sink.write(b, 0, b.length);
    await sink.flush();
    return { ms: performance.now() - t0, cpu: process.cpuUsage(cpu0) };
  });
  const report = sink.report();
  await sink.close();
  await kafkaSink.clean!(clientPlan, input, () => {});
  if (report && report.failed) throw new Error(`${report.failed} records failed`);
  console.log(JSON.stringify({
    records: sent, durationMs: ms, recordsPerSec: Math.round(sent / (ms / 1000)), cpuUsPerRecord: (cpu.user + cpu.system) / sent,
    brokerUsPerRecord: brokerCpuSec === undefined ? undefined : (brokerCpuSec / sent) * 1e6,
  }));
} else if (mode === 'count') {
  // Iterations 0..n-1 in this thread, as a worker makes them (generate), encodes them too (encode as
  // Avro, json as JSON), or the same number of records in the floor's mix without relationships
  // (floor). The bench runs this under callgrind twice, n and 4n, and divides the difference by the
  // records between.
  const kind = threadsText!;
  const n = Number(countText);
  const graph = new RecordGraph(plan, gen);
  let records = 0;
  if (kind === 'floor') {
    // n iterations' worth of records in the floor's mix (its 200 sample iterations are the same
    // in both runs, so they cancel out).
    const floor = floorMix(graph);
    for (let i = 0; i < n; i++) records += floor.round();
  } else {
    const { createEncoder } = await import('../../src/encoding/encoders.js');
    if (kind === 'encode') await import('../../src/encoding/avro.js'); // registers the Avro encoder, as in the workers
    // What generate-only and avro-encode-only ask the workers for (the null sink's encoding), or what a JSON Kafka run does.
    const spec: EncodingSpec = kind === 'encode' ? await specInOtherThread() : kind === 'json' ? { kind: 'json' } : { kind: 'none' };
    const encoder = createEncoder(plan, spec);
    const add = encoder.add.bind(encoder);
    for (let first = 0; first < n; first += 1000) {
      const end = Math.min(n, first + 1000);
      for (let i = first; i < end; i++) {
        graph.generate(i, add);
        encoder.endIteration();
      }
      for (const c of encoder.finish(first, false).counts) records += c;
    }
  }
  console.log(JSON.stringify({ records }));
} else if (mode === 'spec') {
  // The Avro encoding the null sink asks for, posted to the thread that asked (count encode).
  const { parentPort } = await import('node:worker_threads');
  const spec = await new NullSink('avro').prepare({ plan, debug: false, log: () => {}, sample: (k) => sampleRecords(plan, gen, k) });
  parentPort!.postMessage(spec);
} else {
  throw new Error(`unknown mode ${mode}`);
}

/**
 * The null sink's Avro encoding, inferred in a thread of its own: inferred here, from sample
 * records of a second RecordGraph, it left faker's methods and our fast paths with call feedback
 * from two graphs' closures, which a worker (one graph) never has, and TurboFan inlined the
 * counted generation differently.
 */
async function specInOtherThread(): Promise<EncodingSpec> {
  const { Worker } = await import('node:worker_threads');
  const w = new Worker(new URL(import.meta.url), { argv: ['spec', schema!, '0'] });
  try {
    return await new Promise<EncodingSpec>((resolve, reject) => {
      w.once('message', resolve);
      w.once('error', reject);
    });
  } finally {
    await w.terminate();
  }
}
