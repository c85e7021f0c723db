import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Sfc32 } from '../../src/generate/randomizer.js';

/**
 * The randomizer's algorithm written out with every intermediate value unsigned, BigInt-free and
 * independent of src/generate/randomizer.ts: splitmix32 folds the seed's parts into a hash, three
 * more splitmix32 steps make sfc32's state, twelve draws are discarded. The real one keeps its
 * state as signed 32-bit integers (so V8 keeps them small integers); the stream must not change.
 */
function reference(parts: number[]): () => number {
  const u = (x: number) => x >>> 0;
  const splitmix = (x: number) => {
    x = u(x + 0x9e3779b9);
    x = u(Math.imul(u(x ^ (x >>> 16)), 0x85ebca6b));
    x = u(Math.imul(u(x ^ (x >>> 13)), 0xc2b2ae35));
    return u(x ^ (x >>> 16));
  };
  let h = 0x6a09e667;
  for (const p of parts) h = splitmix(u(h ^ splitmix(u(p))));
  let a = splitmix(u(h ^ 0x243f6a88));
  let b = splitmix(u(a ^ 0x85a308d3));
  let c = splitmix(u(b ^ 0x13198a2e));
  let d = 1;
  const next = () => {
    const t = u(u(a + b) + d);
    d = u(d + 1);
    a = u(b ^ (b >>> 9));
    b = u(c + u(c << 3));
    c = u(u(c << 21) | (c >>> 11));
    c = u(c + t);
    return t / 4294967296;
  };
  for (let i = 0; i < 12; i++) next();
  return next;
}

test('the randomizer draws the unsigned sfc32 stream of its seed, for run seeds and iterations of any size', () => {
  const split = (n: number) => [Math.floor(n / 0x100000000), n >>> 0];
  const cases: Array<[number, number]> = [
    [0, 0],
    [1, 0],
    [9, 2999],
    [42, 0x7fffffff],
    [42, 0x80000000],
    [0xffffffff, 0xffffffff],
    [-1, 5],
    [2 ** 40 + 3, 2 ** 33 + 7],
  ];
  for (const [seed, iteration] of cases) {
    const r = new Sfc32(0);
    r.seedIteration(seed, iteration);
    const want = reference([...split(seed), ...split(iteration)]);
    for (let k = 0; k < 200; k++) assert.equal(r.next(), want(), `seed ${seed}, iteration ${iteration}, draw ${k}`);
  }
  for (const seed of [0, 7, 0x80000000, 123456789]) {
    const r = new Sfc32(seed);
    const want = reference([seed]);
    for (let k = 0; k < 200; k++) {
      const v = r.next();
      assert.ok(v >= 0 && v < 1);
      assert.equal(v, want(), `seed(${seed}), draw ${k}`);
    }
  }
});
