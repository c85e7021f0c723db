/**
 * The record graph of one iteration: one record of every root dataset, then for each
 * relationship `records_per` children (or one per element of an array parent field), recursively.
 * Randomness depends only on (seed, iteration index); records come out dataset by dataset in
 * plan order, so parents always precede their children.
 */
import type { Faker } from '@faker-js/faker';
import v8 from 'node:v8';
import { faker as enFaker } from '@faker-js/faker/locale/en';
import { DatagenError, ErrorCodes, locate, type ErrorContext } from '../errors.js';
import type { FieldEntry, FieldSpec, GenOptions, Plan } from '../schema/plan.js';
import { buildCompatFaker } from './compat.js';
import { compileExpression, createSandbox, expressionError, type Generator, type Sandbox } from './expressions.js';
import { installFastPaths } from './fast.js';
import { Sfc32 } from './randomizer.js';
import { avroGenerator, sqlTypeGenerator } from './typed.js';

export type GenRecord = Record<string, unknown>;

/**
 * TurboFan's inlining budget, raised for every thread that generates records (V8's flags are the
 * process's; set when this module loads, before any generator is hot). A record is made by a chain
 * of small calls: the record maker, each field's generator, faker's method, our fast path, the
 * randomizer, and for Avro the compiled writer and its string helpers. With V8's default of 920
 * bytecode bytes inlined per optimized function, an Avro worker's maker ran out of budget and
 * called much of the chain out of line. At 3000 (the randomizer's `next` already an arrow
 * function), callgrind counted 8% fewer instructions per ecommerce record for generation and 7%
 * fewer for generation and Avro encoding (seventeenth session, bench/README.md); 5000 gained
 * little more. The bench's faker floor makes its records with this module too, so it runs with
 * the same budget.
 */
v8.setFlagsFromString('--max-inlined-bytecode-size-cumulative=3000');

interface CompiledField {
  name: string;
  gen: Generator;
}

/** Makes one record; `preset` is the value of the field a relationship fills from the parent. */
type Maker = (preset?: unknown) => GenRecord;

interface CompiledDataset {
  fields: CompiledField[];
  /** Records without a preset field (roots, and the bench's floor). */
  make: Maker;
  relationships: Array<Plan['datasets'][number]['relationships'][number] & { make: Maker }>;
}

/** Called for every record in output order. */
export type Emit = (dataset: number, record: GenRecord) => void;

export class RecordGraph {
  readonly faker: Faker;
  private readonly random: Sfc32;
  private readonly sandbox: Sandbox;
  private readonly datasets: CompiledDataset[];
  private readonly roots: number[];
  /**
   * One iteration's records by dataset: the first `filled[d]` of `buckets[d]`. The arrays are
   * written from 0 again each iteration rather than emptied (`length = 0` is a call into V8's
   * length setter, which also drops the backing store, about 1% of a worker's time), so until
   * overwritten they keep the previous iteration's records reachable.
   */
  private readonly buckets: GenRecord[][];
  private readonly filled: number[];
  private readonly payload: string | undefined;
  /** Where generation is, for error messages. */
  private at: { dataset: number; field: string } = { dataset: 0, field: '' };

  constructor(
    private readonly plan: Plan,
    private readonly options: GenOptions,
  ) {
    this.random = new Sfc32(options.seed);
    const FakerClass = enFaker.constructor as new (o: object) => Faker;
    this.faker = new FakerClass({ locale: enFaker.rawDefinitions, randomizer: this.random });
    this.faker.setDefaultRefDate(options.refDate);
    installFastPaths(this.faker, this.random);
    const rnd = this.random;
    this.sandbox = createSandbox(buildCompatFaker(this.faker), () => rnd.next(), plan.datasets.flatMap((d) => expressionSources(d.fields)));
    if (options.recordSize > 0) {
      // One seeded payload per run: identical in every worker, whatever the thread count.
      const r = new Sfc32([options.seed, 0x5eed]);
      const chars = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
      let s = '';
      for (let i = 0; i < options.recordSize; i++) s += chars[Math.floor(r.next() * chars.length)];
      this.payload = s;
    }
    const fields = plan.datasets.map((d) => this.compileFields(d.fields, d.name, ''));
    const extra: Array<[string, unknown]> = this.payload === undefined ? [] : [['recordSizePayload', this.payload]];
    const maker = (d: number, preset: string | undefined): Maker =>
      compileMaker(fields[d]!, preset, extra, (k) => {
        this.at.dataset = d;
        this.at.field = fields[d]![k]!.name;
      });
    this.datasets = plan.datasets.map((d, i) => ({
      fields: fields[i]!,
      make: maker(i, undefined),
      relationships: d.relationships.map((r) => ({ ...r, make: maker(r.child, r.childField) })),
    }));
    const children = new Set(plan.datasets.flatMap((d) => d.relationships.map((r) => r.child)));
    this.roots = plan.datasets.map((_, i) => i).filter((i) => !children.has(i));
    this.buckets = plan.datasets.map(() => []);
    this.filled = plan.datasets.map(() => 0);
    this.probe();
  }

  private compileFields(entries: [string, FieldSpec][], dataset: string, path: string): CompiledField[] {
    return entries.map(([name, spec]) => ({ name, gen: this.compileField(spec, { file: this.plan.file, dataset, field: path + name }) }));
  }

  private compileField(spec: FieldSpec, at: ErrorContext): Generator {
    switch (spec.kind) {
      case 'expr':
        return compileExpression(spec.source, this.sandbox, this.options.allowCode, at);
      case 'const': {
        const v = spec.value;
        return () => v;
      }
      case 'index': {
        const it = this.sandbox.iteration;
        return () => it.index;
      }
      case 'object':
        return compileMaker(this.compileFields(spec.fields, at.dataset!, at.field + '.'), undefined, [], () => {});
      case 'sqltype':
        return sqlTypeGenerator(this.faker, spec.type, spec.length, at.field!);
      case 'avro':
        try {
          return avroGenerator(this.faker, spec.type, this.options.avroNames ?? {}, spec.fieldName);
        } catch (e) {
          throw expressionError((e as Error).message, at);
        }
    }
  }

  /** Runs every generator once so an unknown method or a broken expression fails before any output. */
  private probe(): void {
    this.random.seedIteration(this.options.seed, 0);
    this.datasets.forEach((d, i) => {
      for (const f of d.fields) {
        try {
          f.gen();
        } catch (e) {
          throw expressionError(`expression failed: ${(e as Error).message}`, { file: this.plan.file, dataset: this.plan.datasets[i]!.name, field: f.name }, e);
        }
      }
    });
  }

  /** Generates iteration `iteration` (0-based) and emits its records in order. */
  generate(iteration: number, emit: Emit): void {
    this.random.seedIteration(this.options.seed, iteration);
    this.sandbox.iteration.index = iteration + 1;
    const { buckets, datasets, filled } = this;
    for (let d = 0; d < filled.length; d++) filled[d] = 0;
    try {
      for (const r of this.roots) buckets[r]![filled[r]!++] = datasets[r]!.make();
      for (let d = 0; d < datasets.length; d++) {
        const rels = datasets[d]!.relationships;
        if (rels.length) {
          const parents = buckets[d]!;
          // filled[d] read on every round: a dataset's children may be of the same dataset.
          for (let p = 0; p < filled[d]!; p++) {
            const parent = parents[p]!;
            for (const rel of rels) {
              this.at.dataset = d;
              this.at.field = rel.parentField;
              const value = parent[rel.parentField];
              const child = rel.child;
              const out = buckets[child]!;
              const make = rel.make;
              if (Array.isArray(value)) {
                for (const v of value) out[filled[child]!++] = make(v);
              } else {
                for (let k = 0; k < rel.recordsPer; k++) out[filled[child]!++] = make(value);
              }
            }
          }
        }
      }
    } catch (e) {
      if (e instanceof DatagenError) throw e;
      const name = this.plan.datasets[this.at.dataset]!.name;
      throw new DatagenError(
        ErrorCodes.RUNTIME,
        locate({ file: this.plan.file, dataset: name, field: this.at.field }) + `expression failed in iteration ${iteration + 1}: ${(e as Error).message}`,
        { cause: e },
      );
    }
    // Emitted after generation, so an encoder's error is never blamed on a field expression.
    for (let d = 0; d < buckets.length; d++) {
      const bucket = buckets[d]!;
      const n = filled[d]!;
      for (let k = 0; k < n; k++) emit(d, bucket[k]!);
    }
  }

  /** One record of dataset `d` from its field generators alone: no relationships, no reseeding (the bench's faker floor). */
  generateFlat(d: number): GenRecord {
    return this.datasets[d]!.make();
  }
}

/** Every expression's source, nested objects included. */
function expressionSources(fields: FieldEntry[]): string[] {
  return fields.flatMap(([, spec]) => (spec.kind === 'expr' ? [spec.source] : spec.kind === 'object' ? expressionSources(spec.fields) : []));
}

/** What a generator returned, as a record holds it. */
function settle(v: unknown): unknown {
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  if (typeof v === 'function') return (v as Generator)(); // `faker.date.recent` written as code, without a call
  return v;
}

/**
 * Compiles a record maker: one object literal with every field in schema order (so generators
 * run, and draw randomness, in that order), `preset` standing in for the field a relationship
 * fills, then `extra` constant fields. Each generator is called from its own site, so V8 can
 * inline it, and the record is built with its final shape in one allocation. The loop it
 * replaces added fields one by one with keyed stores; past about 16 fields V8 turned such objects
 * into slow dictionary-mode objects, unless something (on the main thread, JSON.parse of the
 * schema file) had already created the same chain of shapes: records of wide schemas were
 * dictionary objects in the workers only. Field names enter the source as JSON string literals.
 * `onError(k)` learns which field threw.
 */
function compileMaker(fields: CompiledField[], preset: string | undefined, extra: Array<[string, unknown]>, onError: (field: number) => void): Maker {
  // "__proto__" as a plain literal key would set the prototype; computed, it is an own field.
  const key = (name: string) => (name === '__proto__' ? `[${JSON.stringify(name)}]` : JSON.stringify(name));
  const props = fields.map((f, i) => `${key(f.name)}: ${f.name === preset ? 'preset' : `(k = ${i}, settle(g${i}()))`}`);
  extra.forEach(([name], i) => props.push(`${key(name)}: x${i}`));
  const source = `return function make(preset) {
  let k = 0;
  try {
    return {${props.join(',\n      ')}};
  } catch (e) {
    onError(k);
    throw e;
  }
};`;
  const gens = fields.map((f) => f.gen);
  const values = extra.map(([, v]) => v);
  // The generators and extra values as constants of the maker's closure, one name each.
  const unpack = [...gens.map((_, i) => `const g${i} = gens[${i}];`), ...values.map((_, i) => `const x${i} = values[${i}];`)].join('\n');
  return new Function('gens', 'values', 'settle', 'onError', `${unpack}\n${source}`)(gens, values, settle, onError) as Maker;
}
