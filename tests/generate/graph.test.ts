import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { toFixed } from '../../src/generate/fast.js';
import { RecordGraph } from '../../src/generate/graph.js';
import { loadSchema } from '../../src/schema/load.js';
import { ROOT, lines, runCli, tmpFile } from '../helpers.js';

const gen = { seed: 1, refDate: Date.parse('2025-01-01T00:00:00Z'), recordSize: 0, allowCode: true };

test('records of a wide schema keep fast properties in a worker thread', () => {
  // The plan reaches a worker by structured clone. Built field by field, records of more than
  // about 16 fields became V8 dictionary-mode objects there (not on the main thread, where parsing
  // the schema had made the same chain of shapes), which cost the wide bench schema 12% of its
  // instructions. %HasFastProperties needs --allow-natives-syntax, hence a child process.
  const script = `
    import { Worker } from 'node:worker_threads';
    import { loadSchema } from '${ROOT}dist/src/schema/load.js';
    const { plan } = loadSchema('${ROOT}bench/schemas/wide.json');
    const code = \`
      import { parentPort, workerData } from 'node:worker_threads';
      import { RecordGraph } from '${ROOT}dist/src/generate/graph.js';
      const graph = new RecordGraph(workerData.plan, workerData.gen);
      let last;
      for (let i = 0; i < 3000; i++) graph.generate(i, (d, r) => (last = r));
      parentPort.postMessage({ fields: Object.keys(last).length, fast: %HasFastProperties(last) });\`;
    const w = new Worker(code, { eval: true, workerData: { plan, gen: ${JSON.stringify(gen)} } });
    w.on('message', (m) => { console.log(JSON.stringify(m)); w.terminate(); });`;
  const r = spawnSync(process.execPath, ['--allow-natives-syntax', '--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), { fields: 22, fast: true });
});

test('a failing field is named wherever it sits, also in a child record with a field set from its parent', () => {
  const file = tmpFile('child-fails.json', [
    { _meta: { topic: 'p', key: 'id', relationships: [{ topic: 'c', parent_field: 'id', child_field: 'pid', records_per: 2 }] }, id: 'iteration.index' },
    { _meta: { topic: 'c' }, a: '1', pid: 'null', b: "(() => { if (iteration.index === 2) throw new Error('late'); return 2; })()", c: '3' },
  ]);
  const r = runCli(['-s', file, '--dry-run', '-n', '3', '--seed', '1', '--threads', '1']);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /dataset "c", field "b": expression failed in iteration 2: late/);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace without --debug');
});

test('field order, parent values, constants and odd names come out as before', () => {
  const file = tmpFile('shapes.json', [
    { _meta: { topic: 'p', key: 'id', relationships: [{ topic: 'c', parent_field: 'id', child_field: 'pid', records_per: 1 }] }, id: 'iteration.index', ['__proto__']: '"own"', '2': '"two"', 'a b': '"spaced"' },
    { _meta: { topic: 'c' }, z: '1', pid: 'null', nested: { big: '12n', when: '(faker.date.recent)' } },
  ]);
  const r = runCli(['-s', file, '--dry-run', '-n', '2', '--seed', '1']);
  assert.equal(r.code, 0, r.stderr);
  const out = lines(r.stdout);
  assert.equal(out.length, 4);
  // Integer-like keys first, as JavaScript orders them; "__proto__" is a field like any other.
  assert.equal(JSON.stringify(out[0].value), '{"2":"two","id":1,"__proto__":"own","a b":"spaced"}');
  assert.equal(out[1].value.pid, 1, 'the child holds its parent id');
  assert.deepEqual(Object.keys(out[1].value), ['z', 'pid', 'nested']);
  assert.equal(out[1].value.nested.big, 12, 'a BigInt inside an object becomes a number');
  assert.match(out[1].value.nested.when, /^20\d\d-/, 'a method written without a call is called');
});

test('locale data reads as faker has it, and a missing entry still fails with faker\'s message', () => {
  const graph = new RecordGraph(loadSchema(`${ROOT}bench/schemas/wide.json`).plan, gen);
  const defs = graph.faker.definitions as unknown as Record<string, Record<string, unknown>>;
  const raw = graph.faker.rawDefinitions as unknown as Record<string, Record<string, unknown>>;
  assert.equal(defs.location!.city_name, raw.location!.city_name);
  assert.ok('city_name' in defs.location!);
  assert.ok(!('no_such_entry' in defs.location!));
  assert.throws(() => defs.location!.no_such_entry, /The locale data for 'location.no_such_entry' are missing/);
  assert.throws(() => defs.no_such_module!.x, /The locale data for 'no_such_module.x' are missing/);
  assert.throws(() => {
    defs.location!.city_name = [];
  }, 'locale data stays read-only');
  assert.equal(graph.faker.rawDefinitions, raw);
});

test('faker.datatype.uuid and faker.string.uuid give version-4 uuids, all distinct, every variant digit', () => {
  const file = tmpFile('uuids.json', [{ _meta: { topic: 'u' }, a: 'faker.datatype.uuid()', b: 'faker.string.uuid()' }]);
  const { plan } = loadSchema(file);
  const graph = new RecordGraph(plan, gen);
  const seen = new Set<string>();
  const variants = new Set<string>();
  for (let i = 0; i < 2000; i++) {
    graph.generate(i, (_d, r) => {
      for (const u of [r.a, r.b] as string[]) {
        assert.match(u, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
        seen.add(u);
        variants.add(u[19]!);
      }
    });
  }
  assert.equal(seen.size, 4000);
  assert.deepEqual([...variants].sort(), ['8', '9', 'a', 'b']);
});

/**
 * Two English faker instances with datagen's randomizer, for comparing a fast path with faker's
 * own: `fast` has datagen's fast paths; `stock` has them too (a test then puts one method back), or
 * with `asShipped` none at all.
 */
async function fakerPair(asShipped = false) {
  const { faker: en } = await import('@faker-js/faker/locale/en');
  const { Sfc32 } = await import('../../src/generate/randomizer.js');
  const { installFastPaths } = await import('../../src/generate/fast.js');
  const make = (fastPaths: boolean) => {
    const r = new Sfc32(1);
    const f = new (en.constructor as new (o: object) => typeof en)({ locale: en.rawDefinitions, randomizer: r });
    if (fastPaths) installFastPaths(f, r);
    return [f, r] as const;
  };
  const [fast, rf] = make(true);
  const [stock, rs] = make(!asShipped);
  return { fast, rf, stock, rs };
}

/**
 * What a call gave, as text: a value (numbers as `${v}`, which tells every double apart except -0
 * from 0, so -0 is spelled out, also inside arrays), or the message it threw.
 */
function outcome(call: () => unknown): string {
  try {
    const v = call();
    return typeof v === 'number' ? `n${Object.is(v, -0) ? '-0' : v}` : `v${JSON.stringify(v, (_k, x: unknown) => (Object.is(x, -0) ? '-0' : x))}`;
  } catch (e) {
    return `throws ${(e as Error).message}`;
  }
}

test('internet.username and the emails built on it are faker\'s own, draw for draw, ASCII names or not', async () => {
  const { fast, rf, stock, rs } = await fakerPair();
  type F = typeof fast;
  // The second instance gets faker's own username back: only the fast path differs between them.
  stock.internet.username = Object.getPrototypeOf(stock.internet).username.bind(stock.internet);
  assert.notEqual(fast.internet.username, stock.internet.username);
  const shapes = [undefined, {}, { firstName: 'Zoë' }, { lastName: "O'Hara" }, { firstName: 'Ann Marie', lastName: 'Smith' }, { lastName: '' }, { firstName: 'Дмитрий', lastName: 'Ёлкин' }];
  for (let i = 0; i < 20_000; i++) {
    rf.seedIteration(3, i);
    rs.seedIteration(3, i);
    const o = shapes[i % shapes.length];
    const call = (f: F) => (i % 3 === 0 ? f.internet.username(o) : i % 3 === 1 ? f.internet.email(o) : f.internet.exampleEmail(o));
    assert.equal(call(fast), call(stock), `call ${i} with ${JSON.stringify(o)}`);
    assert.equal(rf.next(), rs.next(), `call ${i}: the stream is at the same place afterwards`);
  }
});

test('number.float with fractionDigits and commerce.price are faker\'s own, bit for bit and draw for draw', async () => {
  const { fast, rf, stock, rs } = await fakerPair();
  type F = typeof fast;
  // The second instance gets faker's own float and price back: only the fast paths differ.
  stock.number.float = Object.getPrototypeOf(stock.number).float.bind(stock.number);
  stock.commerce.price = Object.getPrototypeOf(stock.commerce).price.bind(stock.commerce);
  assert.notEqual(fast.number.float, stock.number.float);
  assert.notEqual(fast.commerce.price, stock.commerce.price);
  const floats: unknown[] = [
    undefined, 7, {}, { fractionDigits: 2 }, { min: 1, max: 500, fractionDigits: 2 }, { min: -3.5, max: 3.5, fractionDigits: 3 },
    { min: 0, max: 1e9, fractionDigits: 0 }, { max: 1, fractionDigits: 20 }, { max: 1, fractionDigits: 21 }, { min: 1, max: 2, multipleOf: 0.25 },
    { min: 2, max: 2, fractionDigits: 1 }, { min: 1e-7, max: 2e-7, fractionDigits: 9 },
  ];
  const prices: unknown[] = [
    undefined, {}, { min: 25, max: 2500 }, { min: 5, max: 500, dec: 2 }, { min: 5, max: 500, dec: 0 }, { min: 0.5, max: 0.6, dec: 4, symbol: '$' },
    { min: 10, max: 10 }, { min: -1, max: 5 }, { min: 1, max: 1e6, dec: 7 }, { min: 100, max: 101, dec: 1 },
  ];
  for (let i = 0; i < 20_000; i++) {
    rf.seedIteration(5, i);
    rs.seedIteration(5, i);
    const float = i % 2 === 0;
    const o = float ? floats[(i >> 1) % floats.length] : prices[(i >> 1) % prices.length];
    const call = (f: F) => () => (float ? f.number.float(o as never) : f.commerce.price(o as never));
    assert.equal(outcome(call(fast)), outcome(call(stock)), `call ${i}: ${float ? 'float' : 'price'}(${JSON.stringify(o)})`);
    assert.equal(rf.next(), rs.next(), `call ${i}: the stream is at the same place afterwards`);
  }
});

test('the fast draws (int, arrayElement, multiple, weightedArrayElement, uniqueArray, word pickers, alphanumeric, ipv4, slugify, float) are stock faker\'s, bit for bit and draw for draw', async () => {
  // Here the second instance is faker as it ships (with the same randomizer), no fast path at all.
  const { fast, rf, stock, rs } = await fakerPair(true);
  assert.notEqual(fast.number.int, stock.number.int);
  type F = typeof fast;
  const counter = () => {
    let n = 0;
    return () => n++;
  };
  const cases: Array<[string, (f: F) => unknown]> = [
    ...[undefined, 0, 7, -3, 2.5, NaN, {}, { max: 1 }, { min: 1, max: 1000000 }, { min: -5.5, max: 5.5 }, { min: 3, max: 3 }, { min: 5, max: 1 }, { min: 1.2, max: 1.8 },
      { min: 0, max: 2 ** 53 - 1 }, { max: Infinity }, { min: 1, max: 100, multipleOf: 1 }, { min: 1, max: 100, multipleOf: 5 }, { min: '2', max: '9' }, null].map(
      (o): [string, (f: F) => unknown] => [`number.int(${JSON.stringify(o)})`, (f) => f.number.int(o as never)],
    ),
    ...[[], ['a'], ['a', 'b'], ['view', 'click', 'add_to_cart', 'purchase', 'search'], 'xyz', Array.from({ length: 1000 }, (_, i) => i), undefined].map(
      (a): [string, (f: F) => unknown] => [`helpers.arrayElement(${JSON.stringify(a)?.slice(0, 40)})`, (f) => f.helpers.arrayElement(a as never)],
    ),
    ...[undefined, {}, { count: 0 }, { count: -2 }, { count: 4 }, { count: 2.5 }, { count: NaN }, { count: { min: 1, max: 6 } }, { count: { min: 3, max: 2 } }, null].map(
      (o): [string, (f: F) => unknown] => [`helpers.multiple(counter, ${JSON.stringify(o)})`, (f) => f.helpers.multiple(counter(), o as never)],
    ),
    ['helpers.multiple(not a function)', (f) => f.helpers.multiple(7 as never, { count: 2 })],
    ...[undefined, {}, 5, { length: 5 }, { length: { min: 3, max: 6 } }, { strategy: 'shortest' }, { strategy: 'longest' }, { strategy: 'any-length' }, { length: 40, strategy: 'fail' }, { length: 40, strategy: 'closest' }, null].flatMap(
      (o): Array<[string, (f: F) => unknown]> => [
        [`lorem.word(${JSON.stringify(o)})`, (f) => f.lorem.word(o as never)],
        [`word.adjective(${JSON.stringify(o)})`, (f) => f.word.adjective(o as never)],
        [`word.noun(${JSON.stringify(o)})`, (f) => f.word.noun(o as never)],
        [`word.verb(${JSON.stringify(o)})`, (f) => f.word.verb(o as never)],
      ],
    ),
    ...[[{ weight: 1, value: 'a' }], [{ weight: 5, value: 'x' }, { weight: 3, value: 'y' }, { weight: 1, value: 'z' }], [{ weight: 3 * Math.sqrt(7), value: 1 }, { weight: Math.sqrt(3), value: 2 }],
      [], [{ weight: 0, value: 1 }], [{ weight: 2, value: 1 }, { weight: -1, value: 2 }], [{ weight: NaN, value: 1 }, { weight: 1, value: 2 }], [{ weight: '2', value: 1 }], [null], [{ weight: 1, value: 1 }, null]].map(
      (a): [string, (f: F) => unknown] => [`helpers.weightedArrayElement(${JSON.stringify(a)})`, (f) => f.helpers.weightedArrayElement(a as never)],
    ),
    ['person.firstName()', (f) => f.person.firstName()],
    ['person.firstName("female")', (f) => f.person.firstName('female')],
    ['person.lastName()', (f) => f.person.lastName()],
    ['person.fullName()', (f) => f.person.fullName()],
    ...[1, 3, 4, 10, 0, -1, 2.5].map((n): [string, (f: F) => unknown] => [`helpers.uniqueArray(() => int(4), ${n})`, (f) => f.helpers.uniqueArray(() => f.number.int(4), n)]),
    ['helpers.uniqueArray(() => -0 or 0, 2)', (f) => f.helpers.uniqueArray(() => (f.datatype.boolean() ? -0 : 0), 2)],
    ['helpers.uniqueArray(throws after two, 5)', (f) => {
      let calls = 0;
      return f.helpers.uniqueArray(() => {
        if (++calls > 2) throw new Error('no more');
        return f.number.int(100);
      }, 5);
    }],
    ['helpers.uniqueArray([1, 2, 2, 3], 2)', (f) => f.helpers.uniqueArray([1, 2, 2, 3], 2)],
    ['helpers.uniqueArray(7, 2)', (f) => f.helpers.uniqueArray(7 as never, 2)],
    ['lorem.words(4)', (f) => f.lorem.words(4)],
    ['lorem.words({ min: 1, max: 9 })', (f) => f.lorem.words({ min: 1, max: 9 })],
    ['lorem.sentence()', (f) => f.lorem.sentence()],
    ['lorem.paragraph(4)', (f) => f.lorem.paragraph(4)],
    ['lorem.slug()', (f) => f.lorem.slug()],
    ['word.sample()', (f) => f.word.sample()],
    ['word.words(3)', (f) => f.word.words(3)],
    ...[undefined, 24, 0, -1, 2.5, { length: 12 }, { length: { min: 4, max: 9 } }, { length: 8, casing: 'upper' }, { length: 8, casing: 'lower' }, { length: 8, casing: 'bogus' },
      { length: 8, exclude: [] }, { length: 8, exclude: '' }, { length: 8, exclude: ['a', 'B', '0'] }, { length: 8, exclude: 'abc' }, { length: null }, 1024].map(
      (o): [string, (f: F) => unknown] => [`string.alphanumeric(${JSON.stringify(o)})`, (f) => f.string.alphanumeric(o as never)],
    ),
    ...['', 'plain-word_1.2', 'two words', 'Zoë Ångström', 'a/b?c=d', 'Ďĺžka'].map((s): [string, (f: F) => unknown] => [`helpers.slugify(${JSON.stringify(s)})`, (f) => f.helpers.slugify(s)]),
    ['helpers.slugify()', (f) => f.helpers.slugify()],
    ...[undefined, {}, { network: 'any' }, { network: 'private-a' }, { cidrBlock: '10.0.0.0/8' }, { network: 'nowhere' }].map(
      (o): [string, (f: F) => unknown] => [`internet.ipv4(${JSON.stringify(o)})`, (f) => f.internet.ipv4(o as never)],
    ),
    ['internet.ip()', (f) => f.internet.ip()],
    ['internet.url()', (f) => f.internet.url()],
    ['internet.domainWord()', (f) => f.internet.domainWord()],
    ...[undefined, {}, 7, -0, -2, { min: -0, max: 0 }, { min: 1, max: 500 }, { min: 3, max: 1 }, { max: Infinity }, { min: 1, max: 2, multipleOf: 0.25 }, { min: 1, max: 2, fractionDigits: null }].map(
      (o): [string, (f: F) => unknown] => [`number.float(${JSON.stringify(o)})`, (f) => f.number.float(o as never)],
    ),
    ...[undefined, 0.3, { probability: 0.9 }, 0, 1].map((o): [string, (f: F) => unknown] => [`datatype.boolean(${JSON.stringify(o)})`, (f) => f.datatype.boolean(o as never)]),
  ];
  for (let i = 0; i < 20_000; i++) {
    rf.seedIteration(11, i);
    rs.seedIteration(11, i);
    const [name, call] = cases[i % cases.length]!;
    assert.equal(outcome(() => call(fast)), outcome(() => call(stock)), `call ${i}: ${name}`);
    assert.equal(rf.next(), rs.next(), `call ${i}: ${name}: the stream is at the same place afterwards`);
  }
  // Once, a string too long to pass its characters as arguments (the fast path's limit).
  rf.seedIteration(11, -1);
  rs.seedIteration(11, -1);
  assert.equal(outcome(() => fast.string.alphanumeric(300_000)), outcome(() => stock.string.alphanumeric(300_000)));
  assert.equal(rf.next(), rs.next());
});

test('the template engine expands templates inside substituted values, short or long, and leaves plain text as it is', async () => {
  const { fast, rf } = await fakerPair();
  const colors = new Set(fast.definitions.color.human);
  const lastNames = new Set(fast.rawDefinitions.person!.last_name!.generic);
  // Values a method gives, before the engine first resolves it: with a template at the very end
  // (short, and past the 32 characters up to which the engine scans them itself), or braces that
  // are not a template.
  const values = ['{{color.human}}', 'x{{color.human}}', `${'y'.repeat(40)}{{color.human}}`, '{', 'a{b}c', `${'z'.repeat(40)}{x}`, '{{', ''];
  let next = 0;
  fast.word.adjective = () => values[next]!;
  for (let i = 0; i < 200; i++) {
    rf.seedIteration(13, i);
    next = i % values.length;
    const v = values[next]!;
    const out = fast.helpers.fake('<{{word.adjective}}>');
    const at = v.indexOf('{{color.human}}');
    if (at >= 0) {
      assert.equal(out.slice(0, at + 1), `<${v.slice(0, at)}`, `value ${JSON.stringify(v)}`);
      assert.ok(colors.has(out.slice(at + 1, -1)), `${JSON.stringify(v)} gave ${out}: the template inside it expanded`);
    } else if (v === '{{') {
      assert.equal(out, '<{{>', 'an unclosed template stays as it is');
    } else {
      assert.equal(out, `<${v}>`, 'plain text comes through unchanged');
    }
    // Plain text as the template itself, short or long, and a path into the locale data.
    assert.equal(fast.helpers.fake(v.replaceAll('{{color.human}}', '')), v.replaceAll('{{color.human}}', ''));
    assert.ok(lastNames.has(fast.helpers.fake('{{person.last_name.generic}}')));
    assert.match(fast.helpers.fake('{{person.last_name.generic}}-{{person.last_name.generic}}'), /^[^{}-]+-[^{}-]+$/);
  }
});

test('the prices\' toFixed prints what Number.prototype.toFixed prints, halves and edges included', () => {
  const cases: Array<[number, number]> = [];
  // Doubles just below, at and just above every half-cent of a range (1.005 is 1.00499999999999989...).
  for (let k = 0; k < 20_000; k++) {
    const half = (2 * k + 1) / 200;
    for (const x of [half, half * (1 - 2 ** -52), half * (1 + 2 ** -52), k / 100, k / 100 + 1e-9]) cases.push([x, 2]);
  }
  // Random prices as faker makes them, other digit counts, and values outside the fast range.
  let seed = 7;
  const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
  for (let i = 0; i < 50_000; i++) cases.push([rnd() * [1, 10, 1e3, 1e6, 1e9][i % 5]!, (i % 5) as 0 | 1 | 2 | 3 | 4]);
  for (const x of [0, -0, 0.5, 0.05, 0.005, 0.0005, 1e9 - 0.0005, 1e9, 1e21, -1.005, 5e-324, Number.MAX_VALUE, Infinity, NaN]) {
    for (const dec of [0, 1, 2, 3, 4, 20]) cases.push([x, dec]);
  }
  let fast = 0;
  for (const [x, dec] of cases) {
    assert.equal(toFixed(x, dec), x.toFixed(dec), `${x}.toFixed(${dec})`);
    if (dec >= 1 && dec <= 3 && x >= 0 && x < 1e9) fast++;
  }
  assert.ok(fast > 100_000, 'most cases are in the range the fast path takes');
});

test('seedIteration keys the stream as seed([run seed high, low, iteration high, low]) does, past 2^32 too', async () => {
  const { Sfc32 } = await import('../../src/generate/randomizer.js');
  const a = new Sfc32();
  const b = new Sfc32();
  const split = (n: number) => [Math.floor(n / 0x100000000), n >>> 0];
  const seeds = [0, 1, 9, 0xffffffff, 0x100000000, 2 ** 40 + 7, Number.MAX_SAFE_INTEGER];
  const iterations = [0, 1, 2, 0x7fffffff, 0xffffffff, 0x100000000, 2 ** 45 + 3];
  const streams = new Set<string>();
  for (const s of seeds) {
    for (const i of iterations) {
      a.seedIteration(s, i);
      b.seed([...split(s), ...split(i)]);
      const draws = [a.next(), a.next(), a.next()];
      assert.deepEqual(draws, [b.next(), b.next(), b.next()], `seed ${s}, iteration ${i}`);
      streams.add(draws.join());
    }
  }
  assert.equal(streams.size, seeds.length * iterations.length);
});
