/**
 * A fast seedable randomizer for faker (the `next`/`seed` interface faker accepts).
 * sfc32 keyed by (run seed, iteration index) through a splitmix32 mix, so an iteration's
 * stream depends on nothing but those two numbers. Reseeding costs a few multiplications,
 * where faker's own Mersenne Twister `seed()` costs tens of microseconds.
 */
export interface Randomizer {
  next(): number;
  seed(seed: number | number[]): void;
}

/**
 * splitmix32's output as a signed 32-bit integer. Everything that uses it works modulo 2^32, so
 * signed or unsigned gives the same stream; but an unsigned one of 2^31 or more is not a small
 * integer to V8, and stored in the generator's state it turned those fields into boxed doubles,
 * which every draw then read and wrote: about 7 ns a draw instead of 3 in a micro-benchmark, and
 * about 4% of the instructions of a record's generation (thirty-second session, bench/README.md).
 */
function splitmix32(x: number): number {
  x = (x + 0x9e3779b9) | 0;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return x ^ (x >>> 16);
}

const SEED_START = 0x6a09e667;

/** One part of a seed folded into the hash of the parts before it. */
function mix(h: number, part: number): number {
  return splitmix32(h ^ splitmix32(part | 0));
}

export class Sfc32 implements Randomizer {
  private a = 0;
  private b = 0;
  private c = 0;
  private d = 1;

  /**
   * The next draw in [0, 1). faker holds `next` and `seed` detached from the object, so `next` is
   * an arrow function of each instance (our fast paths call it too, as `random()`). It was a bound
   * method until the seventeenth session: where TurboFan does not inline a call to a bound
   * function, the call goes through two builtins (CallBoundFunction, then CallFunction), about 5%
   * of an Avro worker's instructions for the ecommerce schema; an arrow function is called directly.
   */
  readonly next = (): number => {
    let { a, b, c, d } = this;
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    this.a = a;
    this.b = b;
    this.c = c;
    this.d = d;
    return (t >>> 0) / 4294967296;
  };

  constructor(seed: number | number[] = 0) {
    this.seed = this.seed.bind(this);
    this.seed(seed);
  }

  /** seed(n) or seed([runSeed, iterationHigh, iterationLow, ...]). */
  seed(seed: number | number[]): void {
    const parts = Array.isArray(seed) ? seed : [seed];
    let h = SEED_START;
    for (const p of parts) h = mix(h, p);
    this.start(h);
  }

  /** Keys the stream to one iteration of one run. Iterations may exceed 2^32 with -n -1. */
  seedIteration(runSeed: number, iteration: number): void {
    // seed([runSeed high, runSeed low, iteration high, iteration low]) without the array: once per iteration.
    let h = mix(SEED_START, Math.floor(runSeed / 0x100000000));
    h = mix(h, runSeed >>> 0);
    h = mix(h, Math.floor(iteration / 0x100000000));
    this.start(mix(h, iteration >>> 0));
  }

  private start(h: number): void {
    this.a = splitmix32(h ^ 0x243f6a88);
    this.b = splitmix32(this.a ^ 0x85a308d3);
    this.c = splitmix32(this.b ^ 0x13198a2e);
    this.d = 1;
    // Warm up so nearby seeds diverge fully.
    for (let i = 0; i < 12; i++) this.next();
  }

  private saved: [number, number, number, number] = [0, 0, 0, 1];

  /** Remembers the stream's position, for one `rewind()` to it. */
  save(): void {
    const m = this.saved;
    m[0] = this.a;
    m[1] = this.b;
    m[2] = this.c;
    m[3] = this.d;
  }

  /** Goes back to the position `save()` remembered: the same draws come again. */
  rewind(): void {
    [this.a, this.b, this.c, this.d] = this.saved;
  }
}
