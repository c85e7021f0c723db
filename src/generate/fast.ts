/**
 * Faster equivalents of faker's hottest internals, installed on our own faker instance.
 * - helpers.fake(template): faker re-parses `{{module.method}}` templates with regular expressions
 *   on every call (city, username, product descriptions, ... all go through it). Here each template
 *   is parsed once and each `{{path}}` resolved once to what faker would pick (a method, a method
 *   with JSON arguments, or a definitions list to draw from); only the random draws happen per
 *   call. Anything else goes to faker's own implementation.
 * - string.uuid(): one random draw per 32 bits instead of one per hex digit, made as one flat string.
 * - internet.username() (behind emails too): faker's own draws, and faker's result, without its
 *   per-character transliteration when the name is plain ASCII (see there).
 * - number.float with fractionDigits and commerce.price: powers of ten from tables, not `**`.
 * - locale data without proxies on the hot path (`plainDefinitions`).
 * - number.int, helpers.arrayElement, helpers.multiple, helpers.weightedArrayElement,
 *   helpers.uniqueArray, the word pickers (lorem.word, word.noun, ...), string.alphanumeric,
 *   internet.ipv4, helpers.slugify and number.float without digits: the plain cases without
 *   faker's per-call overhead, with faker's results (`installFastDraws`).
 * Values keep faker's distributions; the exact sequence for a seed differs from stock faker's,
 * which datagen never promised (its seeds are its own).
 */
import type { Faker } from '@faker-js/faker';
import type { Sfc32 } from './randomizer.js';

type Part = string | (() => unknown);

const MAX_TEMPLATES = 4096;

export function installFastPaths(f: Faker, randomizer: Sfc32): void {
  const random = randomizer.next;
  plainDefinitions(f);
  installFastDraws(f, random);
  const original = f.helpers.fake.bind(f.helpers);
  const raw = f.rawDefinitions as Record<string, Record<string, unknown> | undefined>;
  const resolved = new Map<string, (() => unknown) | null>();
  const moduleOf = (name: string) => (f as unknown as Record<string, Record<string, unknown> | undefined>)[name];
  const parsed = new Map<string, Part[] | null>();

  /** What faker's expression evaluator would return for a plain dotted path, decided once. */
  const resolve = (path: string): (() => unknown) | null => {
    let r = resolved.get(path);
    if (r !== undefined) return r;
    r = null;
    const call = /^([A-Za-z_$][\w$]*)\.([A-Za-z_$][\w$]*)\(([\s\S]*)\)$/.exec(path);
    if (call) {
      // `number.int({"min": 1, "max": 1000})`: faker reads the arguments as JSON.
      const module = moduleOf(call[1]!);
      const method = module?.[call[2]!];
      let args: unknown[] | undefined;
      try {
        args = JSON.parse(`[${call[3]}]`) as unknown[];
      } catch {
        args = undefined;
      }
      if (typeof method === 'function' && args) {
        const fn = (method as (...a: unknown[]) => unknown).bind(module);
        const a = args;
        r = () => fn(...a);
      }
      resolved.set(path, r);
      return r;
    }
    const parts = path.split('.');
    if (parts.length > 2 && parts.every((p) => /^[A-Za-z_$][\w$]*$/.test(p)) && !moduleOf(parts[0]!)?.[parts[1]!]) {
      r = rawPath(parts);
    } else if (parts.length === 2 && parts.every((p) => /^[A-Za-z_$][\w$]*$/.test(p))) {
      const [mod, name] = parts as [string, string];
      const module = moduleOf(mod);
      const method = module && typeof module === 'object' ? module[name] : undefined;
      const def = raw[mod]?.[name];
      if (typeof method === 'function') {
        r = (method as () => unknown).bind(module);
      } else if (method === undefined && Array.isArray(def) && def.length > 0) {
        const list = def as unknown[];
        r = () => f.helpers.arrayElement(list);
      } else if (method === undefined && typeof def === 'string') {
        const s = def;
        r = () => s;
      }
    }
    resolved.set(path, r);
    return r;
  };

  /**
   * A deeper path into the locale definitions (`science.chemical_element.name`): faker draws an
   * element wherever the path meets a list. Accepted only if the path exists.
   */
  const rawPath = (parts: string[]): (() => unknown) | null => {
    let probe: unknown = raw;
    for (const p of parts) {
      if (Array.isArray(probe)) probe = probe[0];
      probe = probe && typeof probe === 'object' ? (probe as Record<string, unknown>)[p] : undefined;
      if (probe === undefined || typeof probe === 'function') return null;
    }
    // Each path gets a function of its own with its keys written in (`v["person"]`), so every
    // read is a property load V8 learns for that one path. One shared loop over the keys made its
    // one keyed load megamorphic: 2% of an ecommerce record's generation instructions (eighteenth
    // session), mostly the four `{{person.last_name.generic}}` of each user. The keys are
    // identifiers (checked by resolve), written as JSON strings.
    const steps = parts.map((p) => `if (Array.isArray(v)) v = f.helpers.arrayElement(v);\n  v = v[${JSON.stringify(p)}];`).join('\n  ');
    return new Function('raw', 'f', `return () => {\n  let v = raw;\n  ${steps}\n  return Array.isArray(v) ? f.helpers.arrayElement(v) : v;\n};`)(raw, f) as () => unknown;
  };

  /** Splits a template into literal text and resolvers, or null when only stock faker can handle it. */
  const parse = (template: string): Part[] | null => {
    let p = parsed.get(template);
    if (p !== undefined) return p;
    // Which path a template takes depends on the template alone, never on what this thread saw
    // before: output must not depend on the thread count.
    p = [];
    let rest = template;
    for (;;) {
      const start = rest.search(/{{[a-z]/);
      const end = start < 0 ? -1 : rest.indexOf('}}', start);
      if (start < 0 || end < 0) {
        if (rest) p.push(rest);
        break;
      }
      if (start > 0) p.push(rest.slice(0, start));
      const fn = resolve(rest.slice(start + 2, end).trim());
      if (!fn) {
        p = null;
        break;
      }
      p.push(fn);
      rest = rest.slice(end + 2);
    }
    // The cache is for the locale's fixed patterns; templates built on the fly are parsed each time.
    if (parsed.size < MAX_TEMPLATES) parsed.set(template, p);
    return p;
  };

  const fake = (pattern: string | readonly string[]): string => {
    const template = typeof pattern === 'string' ? pattern : f.helpers.arrayElement(pattern as string[]);
    // A template met before is in the cache, found without searching it for `{{` again.
    const cached = parsed.get(template);
    const parts = cached !== undefined ? cached : hasBraces(template) ? parse(template) : PLAIN;
    if (parts === PLAIN) return template;
    if (!parts) return original(template);
    let out = '';
    for (const part of parts) {
      if (typeof part === 'string') {
        out += part;
      } else {
        const r = part();
        const v = typeof r === 'string' ? r : String(r);
        // faker expands templates inside substituted values too.
        out += hasBraces(v) ? fake(v) : v;
      }
    }
    return out;
  };
  f.helpers.fake = fake as Faker['helpers']['fake'];

  // The 36 characters are filled in as char codes and made into one flat string: built with
  // `+` from pieces, it was a tree of concatenations that the encoder had to flatten (copy)
  // before it could write it, twice per purchase (key and value) in the ecommerce schema.
  const HEX = Array.from('0123456789abcdef', (c) => c.charCodeAt(0));
  const chars: number[] = new Array<number>(36).fill(0x2d); // '-' stays at 8, 13, 18 and 23
  /** Hex digits `from`..`from + count - 1` (most significant first) of the 32 bits `n`, at `at`. */
  const hex = (at: number, n: number, from: number, count: number) => {
    for (let k = 0; k < count; k++) chars[at + k] = HEX[(n >>> (28 - 4 * (from + k))) & 15]!;
  };
  const u32 = () => (random() * 0x100000000) >>> 0;
  f.string.uuid = () => {
    const a = u32();
    const b = u32();
    const c = u32();
    const d = u32();
    // Version 4, variant 10xx, as RFC 9562 describes: a's 8 digits, b's first 4, then "4" and b's
    // digits 6-8 (its 5th is dropped), the variant from c's first digit and c's digits 2-4, c's
    // last 4 with d's 8.
    hex(0, a, 0, 8);
    hex(9, b, 0, 4);
    chars[14] = 0x34;
    hex(15, b, 5, 3);
    chars[19] = HEX[8 + ((c >>> 28) & 3)]!;
    hex(20, c, 1, 3);
    hex(24, c, 4, 4);
    hex(28, d, 0, 8);
    return String.fromCharCode.apply(null, chars);
  };

  // faker's username: first name, last name, a separator and a number drawn, one of three forms
  // (two when a last name is given), then NFKD, accents dropped, each character looked up in a
  // table of non-Latin letters, apostrophes and spaces removed. For a plain ASCII name the middle
  // steps change nothing, and that lookup (a megamorphic property read per character, then a
  // join) was 5% of an ecommerce worker's time, twice per user (name and email). Here the same
  // draws are made in the same order; a name that is not plain ASCII goes back to the position
  // before them and lets faker make it, so the result is faker's in every case.
  const username = f.internet.username.bind(f.internet);
  const SEPARATORS = ['.', '_'];
  const TWO = [0, 1];
  const THREE = [0, 1, 2];
  f.internet.username = ((options: { firstName?: string; lastName?: string } = {}) => {
    randomizer.save();
    const { firstName = f.person.firstName(), lastName = f.person.lastName() } = options;
    const separator = f.helpers.arrayElement(SEPARATORS);
    const n = f.number.int(99);
    // faker picks among its forms with arrayElement, whose draw depends only on their number.
    const form = f.helpers.arrayElement(options.lastName ? TWO : THREE);
    const s = form === 0 ? `${firstName}${separator}${lastName}${n}` : form === 1 ? `${firstName}${separator}${lastName}` : `${firstName}${n}`;
    // Most names hold no apostrophe and no space, which faker removes: one test for both cases.
    if (PLAIN_NAME.test(s)) return s;
    if (!PLAIN_ASCII.test(s)) {
      randomizer.rewind();
      return username(options);
    }
    return s.replaceAll("'", '').replaceAll(' ', '');
  }) as Faker['internet']['username'];

  installFloatAndPrice(f, random);
}

type IntOptions = Exclude<Parameters<Faker['number']['int']>[0], number | undefined>;

/**
 * faker's two most called methods, number.int and helpers.arrayElement (every pick from a list of
 * names, cities, words; arrayElement calls int), without their overhead: each int call destructures
 * its options with defaults, checks `multipleOf`, and draws through a default "distributor", a
 * function that destructures the randomizer to call its `next` (about 4% of an ecommerce worker's
 * samples in that one function); each arrayElement call makes an options object for int. Here
 * the plain cases (number bounds, no `multipleOf` other than 1, no distributor) do faker's own
 * arithmetic on the same single draw: `Math.ceil(min)`, `Math.floor(max)`, and
 * `Math.floor(draw * (max - min + 1) + min)`, which is faker's with `multipleOf` 1 (division and
 * multiplication by 1 change no number). Every result is faker's, bit for bit, from the same
 * draws in the same order. Anything else, and every case where faker throws, goes to faker's own.
 */
function installFastDraws(f: Faker, random: () => number): void {
  const int = f.number.int.bind(f.number);
  f.number.int = ((options: number | IntOptions = {}) => {
    let min: unknown = 0;
    let max: unknown = Number.MAX_SAFE_INTEGER; // faker's default, 2 ** 53 - 1
    if (typeof options === 'number') {
      max = options;
    } else if (typeof options === 'object' && options !== null && options.distributor === undefined && (options.multipleOf === undefined || options.multipleOf === 1)) {
      if (options.min !== undefined) min = options.min;
      if (options.max !== undefined) max = options.max;
    } else {
      return int(options as IntOptions);
    }
    if (typeof min !== 'number' || typeof max !== 'number') return int(options as IntOptions);
    const lo = Math.ceil(min);
    const hi = Math.floor(max);
    if (lo === hi) return lo;
    if (hi < lo) return int(options as IntOptions); // faker's error
    return Math.floor(random() * (hi - lo + 1) + lo);
  }) as Faker['number']['int'];

  const arrayElement = f.helpers.arrayElement.bind(f.helpers);
  // faker: `array[array.length > 1 ? int({ max: array.length - 1 }) : 0]`, and an error when empty;
  // int's arithmetic for min 0 and max length - 1 is `Math.floor(draw * length)`.
  f.helpers.arrayElement = (<T>(array: readonly T[]): T => {
    const n = array?.length;
    if (typeof n === 'number' && n > 1 && n <= Number.MAX_SAFE_INTEGER && n === Math.floor(n)) return array[Math.floor(random() * n)]!;
    return arrayElement(array);
  }) as Faker['helpers']['arrayElement'];

  // lorem.word and word.adjective/noun/... (lorem sentences and paragraphs, URLs' domain words):
  // faker picks with `arrayElement(G({ ...options, wordList }))`, and G, given no `length` and no
  // "shortest" or "longest" strategy, returns a copy of the whole list (hundreds of words) to pick
  // from. The same pick from the list itself is the same word by the same draw.
  const pickers: Array<[Record<string, unknown>, string, () => readonly string[]]> = [
    [f.lorem as never, 'word', () => f.definitions.lorem.word],
    ...(['adjective', 'adverb', 'conjunction', 'interjection', 'noun', 'preposition', 'verb'] as const).map(
      (name) => [f.word as never, name, () => f.definitions.word[name]] as [Record<string, unknown>, string, () => readonly string[]],
    ),
  ];
  for (const [module, name, list] of pickers) {
    const own = (module[name] as (o?: unknown) => string).bind(module);
    module[name] = (options: unknown = {}) => {
      if (typeof options === 'object' && options !== null) {
        const { length, strategy } = options as { length?: unknown; strategy?: unknown };
        if (length == null && strategy !== 'shortest' && strategy !== 'longest') return f.helpers.arrayElement(list());
      }
      return own(options);
    };
  }

  // helpers.multiple (lorem's words and sentences, string.alphanumeric and the other character
  // pickers): faker makes `Array.from({ length: count }, make)`, V8's generic path for an
  // array-like object. The same count (a range drawn as faker draws it), and the same calls,
  // make(undefined, 0), make(undefined, 1), ..., in a loop.
  f.helpers.multiple = (<T>(make: (v: undefined, index: number) => T, options: { count?: number | { min: number; max: number } } = {}): T[] => {
    const count = f.helpers.rangeToNumber(options.count ?? 3);
    if (count <= 0) return [];
    if (typeof make !== 'function' || !Number.isSafeInteger(count)) return Array.from({ length: count }, make);
    const out: T[] = [];
    for (let i = 0; i < count; i++) out.push(make(undefined, i));
    return out;
  }) as Faker['helpers']['multiple'];

  // string.alphanumeric(n) (ids, session tokens): faker builds its 62 characters (digits, then
  // lower case, then upper case) into a new array and filters out `exclude` on every call, then
  // picks each character with arrayElement. The same picks from a list made once.
  const alphanumeric = f.string.alphanumeric.bind(f.string);
  // As char codes, made into one string at the end (as faker's join makes one flat string).
  const codesOf = (chars: string) => Array.from(chars, (c) => c.charCodeAt(0));
  const DIGITS = '0123456789';
  const LOWER = 'abcdefghijklmnopqrstuvwxyz';
  const UPPER = LOWER.toUpperCase();
  const ALPHANUMERIC: Record<string, number[]> = {
    mixed: codesOf(DIGITS + LOWER + UPPER),
    lower: codesOf(DIGITS + LOWER),
    upper: codesOf(DIGITS + UPPER),
  };
  const ALPHANUMERIC_MAX = 1024;
  const codes: number[] = [];
  f.string.alphanumeric = ((options: number | { length?: unknown; casing?: unknown; exclude?: unknown } = {}) => {
    const o = typeof options === 'number' ? { length: options } : options;
    if (typeof o === 'object' && o !== null) {
      const { length = 1, casing = 'mixed', exclude } = o;
      const excludesNone = exclude === undefined || ((Array.isArray(exclude) || typeof exclude === 'string') && exclude.length === 0);
      // Up to ALPHANUMERIC_MAX characters: `apply` passes each code as an argument.
      if (excludesNone && typeof casing === 'string' && Object.hasOwn(ALPHANUMERIC, casing) && typeof length === 'number' && Number.isSafeInteger(length) && length <= ALPHANUMERIC_MAX) {
        if (length <= 0) return '';
        const list = ALPHANUMERIC[casing]!;
        const n = list.length;
        codes.length = length;
        for (let i = 0; i < length; i++) codes[i] = list[Math.floor(random() * n)]!;
        return String.fromCharCode.apply(null, codes);
      }
    }
    return alphanumeric(options as never);
  }) as Faker['string']['alphanumeric'];

  // helpers.weightedArrayElement (every first and last name picks its list through it): faker checks
  // the weights with `some`, sums them with `reduce`, draws float({ min: 0, max: sum }) and walks
  // the entries with destructuring. The same checks, sum (added in the same order), draw and walk
  // in plain loops; any entry faker would refuse sends the call to faker's own, before any draw.
  const weighted = f.helpers.weightedArrayElement.bind(f.helpers);
  f.helpers.weightedArrayElement = (<T>(array: ReadonlyArray<{ weight: number; value: T }>): T => {
    if (!Array.isArray(array) || array.length === 0) return weighted(array);
    let sum = 0;
    for (let k = 0; k < array.length; k++) {
      const entry = array[k];
      if (entry === null || typeof entry !== 'object' || typeof entry.weight !== 'number' || entry.weight <= 0) return weighted(array);
      sum += entry.weight;
    }
    const r = f.number.float({ min: 0, max: sum });
    let at = 0;
    for (let k = 0; k < array.length; k++) {
      at += array[k]!.weight;
      if (r < at) return array[k]!.value;
    }
    return array[array.length - 1]!.value;
  }) as Faker['helpers']['weightedArrayElement'];

  // helpers.uniqueArray(make, n) (the ecommerce purchases' item_ids): faker collects up to n distinct
  // results of make() in a Set, trying at most 1000·n times and stopping quietly at the first
  // error, then spreads the Set into an array. The same calls and the same values in the same
  // order, kept in an array (`includes` compares as a Set does, SameValueZero).
  const uniqueArray = f.helpers.uniqueArray.bind(f.helpers);
  f.helpers.uniqueArray = (<T>(source: readonly T[] | (() => T), length: number): T[] => {
    if (typeof source !== 'function' || typeof length !== 'number') return uniqueArray(source as never, length);
    const out: T[] = [];
    const tries = 1e3 * length;
    try {
      for (let i = 0; out.length < length && i < tries; i++) {
        const v = source();
        // A Set stores -0 as 0.
        if (!out.includes(v)) out.push(v === 0 ? (0 as T) : v);
      }
    } catch {
      // faker returns what it has
    }
    return out;
  }) as Faker['helpers']['uniqueArray'];

  // internet.ipv4() in faker's default network ("any", 0.0.0.0/0): faker checks and splits the CIDR
  // text "0.0.0.0/0" on every call before it draws one int up to 2^32 - 1 and prints its four
  // bytes. The same draw, ORed with 0 as faker does, printed the same way.
  const ipv4 = f.internet.ipv4.bind(f.internet);
  f.internet.ipv4 = ((options: { network?: unknown; cidrBlock?: unknown } = {}) => {
    if (typeof options !== 'object' || options === null || options.cidrBlock !== undefined || (options.network !== undefined && options.network !== 'any')) return ipv4(options as never);
    const p = f.number.int(4294967295) | 0;
    return `${(p >>> 24) & 255}.${(p >>> 16) & 255}.${(p >>> 8) & 255}.${p & 255}`;
  }) as Faker['internet']['ipv4'];

  // slugify (every URL's domain words go through it): NFKD, combining marks removed, spaces to
  // "-", then everything but [A-Za-z0-9_.-] removed. A string of only those characters comes out
  // as it went in.
  const slugify = f.helpers.slugify.bind(f.helpers);
  f.helpers.slugify = (s = '') => (typeof s === 'string' && SLUG_SAFE.test(s) ? s : slugify(s));
}

const SLUG_SAFE = /^[\w.-]*$/;

type FloatOptions = Exclude<Parameters<Faker['number']['float']>[0], number | undefined>;
type PriceOptions = { min?: number; max?: number; dec?: number; symbol?: string };

/**
 * faker's number.float with `fractionDigits` and commerce.price (two per ecommerce purchase and
 * item) compute powers of ten with `**` on every call: `10 ** -digits`, `Math.log10` of it and
 * `10 ** -log` in float, `10 ** dec` and `(1 / 10) ** dec` in price. V8 sends each to its generic
 * `ieee754::pow` (5% of an ecommerce worker). Here those values are computed once, by the same
 * operators on the same operands, and read from tables: every result is faker's, bit for bit,
 * from the same draws in the same order. price also draws its last digit without building
 * faker's weighted list on each call, and prints through `toFixed` below instead of the builtin.
 * float without digits (`number.float()`, and every `datatype.boolean()` through it) draws
 * directly instead of through faker's distributor (see installFastDraws). Other options
 * (multipleOf, a distributor, more than 20 digits, anything faker would reject) go to faker's own.
 */
function installFloatAndPrice(f: Faker, random: () => number): void {
  const MAX_DIGITS = 20;
  const scale: number[] = []; // what float multiplies by for `fractionDigits: i`
  const pow10: number[] = [];
  const tenth: number[] = [];
  for (let i = 0; i <= MAX_DIGITS; i++) {
    const multipleOf = 10 ** -i;
    const log = Math.log10(multipleOf);
    scale.push(multipleOf < 1 && Number.isSafeInteger(log) ? 10 ** -log : 1 / multipleOf);
    pow10.push(10 ** i);
    tenth.push((1 / 10) ** i);
  }
  const digitsOk = (d: unknown): d is number => Number.isSafeInteger(d) && (d as number) >= 0 && (d as number) <= MAX_DIGITS;

  const float = f.number.float.bind(f.number);
  f.number.float = ((options: number | FloatOptions = {}) => {
    if (typeof options === 'object' && options !== null && options.multipleOf === undefined && options.distributor === undefined) {
      const { min = 0, max = 1, fractionDigits } = options;
      if (digitsOk(fractionDigits) && typeof min === 'number' && typeof max === 'number' && max >= min) {
        const k = scale[fractionDigits]!;
        return f.number.int({ min: min * k, max: max * k }) / k;
      }
      // No digits, no multipleOf: faker's `draw * (max - min) + min`, after its check.
      if (fractionDigits == null && typeof min === 'number' && typeof max === 'number' && !(max < min)) return random() * (max - min) + min;
    } else if (typeof options === 'number' && !(options < 0)) {
      return random() * (options - 0) + 0; // faker's arithmetic for min 0: -0 comes out as 0
    }
    return float(options as FloatOptions);
  }) as Faker['number']['float'];

  const price = f.commerce.price.bind(f.commerce);
  f.commerce.price = ((options: PriceOptions = {}) => {
    const { dec = 2, max = 1000, min = 1, symbol = '' } = options;
    if (!digitsOk(dec) || dec === 0 || typeof min !== 'number' || typeof max !== 'number' || min < 0 || max < 0 || min >= max) return price(options);
    const a = f.number.float({ min, max, fractionDigits: dec });
    const last = (a * pow10[dec]!) % 10;
    // faker builds [{ weight: 5, value: 9 }, { weight: 3, value: 5 }, { weight: 1, value: 0 },
    // { weight: 1, value: int(0..9) }] (drawing the int as it builds it) and weightedArrayElement
    // draws float({ min: 0, max: 10 }), the weights' sum, and takes the first entry whose running
    // sum is above the draw, or the last. The same draws in the same order, without the array.
    const any = f.number.int({ min: 0, max: 9 });
    const w = f.number.float({ min: 0, max: 10 });
    const digit = w < 5 ? 9 : w < 8 ? 5 : w < 9 ? 0 : any;
    const c = tenth[dec]!;
    const d = a - last * c + digit * c;
    return `${symbol}${toFixed(min <= d && d <= max ? d : a, dec)}`;
  }) as Faker['commerce']['price'];
}

/** What fake's cache lookup gives for a string that is not a template. */
const PLAIN: Part[] = [];

/**
 * Whether `s` holds `{{`. Up to 32 characters, a scan here: the builtin search costs about 180
 * instructions a call whatever the length (callgrind, eighteenth session), and most values
 * substituted into templates are single words and names.
 */
function hasBraces(s: string): boolean {
  const n = s.length;
  if (n > 32) return s.includes('{{');
  for (let i = 0; i < n - 1; i++) if (s.charCodeAt(i) === 0x7b && s.charCodeAt(i + 1) === 0x7b) return true;
  return false;
}

const PLAIN_ASCII = /^[\x00-\x7f]*$/;
/** ASCII without the space and the apostrophe. */
const PLAIN_NAME = /^[\x00-\x1f\x21-\x26\x28-\x7f]*$/;

/** `FRACTIONS[dec][i]` is "." and `i` in `dec` digits: the end of a price. */
const FRACTIONS: string[][] = Array.from({ length: 4 }, (_, dec) => Array.from({ length: dec > 0 ? 10 ** dec : 0 }, (_, i) => `.${String(i).padStart(dec, '0')}`));

/**
 * `x.toFixed(dec)`, the same text, faster for what prices are (0 <= x < 1e9, 1 to 3 digits):
 * toFixed is a C++ builtin that prints the double's exact value (about 0.2 µs a call, one per
 * ecommerce record). Here x·10^dec is rounded to the nearest whole number, which is toFixed's
 * answer whenever the product is not within 0.01 of a half (the product's own rounding error is
 * far smaller), and printed as digits, ".", and the table's fraction. Near a half, and outside
 * those ranges, toFixed answers.
 */
export function toFixed(x: number, dec: number): string {
  if (dec >= 1 && dec <= 3 && x >= 0 && x < 1e9) {
    const p = dec === 1 ? 10 : dec === 2 ? 100 : 1000;
    const n = x * p;
    const r = Math.round(n);
    if (Math.abs(n - r) < 0.49) {
      const whole = Math.floor(r / p);
      return `${whole}${FRACTIONS[dec]![r - whole * p]}`;
    }
  }
  return x.toFixed(dec);
}

/**
 * faker reads its locale data (`this.faker.definitions.location.city_name`) through two layers of
 * Proxy, which throw for entries a locale lacks. Every read runs two traps and V8's invariant
 * checks on their results: in an instruction count of the wide bench schema that was a quarter of
 * all the work. Here each category becomes a plain object holding the entries the locale has (the
 * same values), whose prototype is faker's own category proxy, and the top level a plain object
 * whose prototype is faker's locale proxy: a present entry is an ordinary property read, and a
 * missing or null one still reaches faker's trap and fails with faker's message.
 */
function plainDefinitions(f: Faker): void {
  const core = (f as unknown as { fakerCore: { locale: Record<string, object> } }).fakerCore;
  const proxied = core.locale;
  const raw = f.rawDefinitions as Record<string, unknown>;
  const categories: Array<[string, unknown]> = [['raw', raw]];
  for (const [name, data] of Object.entries(raw)) {
    if (!data || typeof data !== 'object') continue;
    // Built whole by Object.fromEntries, the objects keep V8's fast properties.
    const present = Object.fromEntries(Object.entries(data).filter(([, v]) => v !== null && v !== undefined));
    categories.push([name, Object.freeze(Object.setPrototypeOf(present, proxied[name]!))]);
  }
  core.locale = Object.freeze(Object.setPrototypeOf(Object.fromEntries(categories), proxied));
}
