/**
 * The faker that schema files see: every current module with its methods bound (so a method can
 * be held by reference and called without `this`), plus the names older FakerJS releases used,
 * which MaterializeInc/datagen's tutorials and docs still show (`datatype.number`, `address.*`,
 * `name.*`, `internet.userName`, positional `commerce.price(min, max, dec, symbol)`, ...).
 */
import type { Faker } from '@faker-js/faker';

export type FakerFn = (...args: any[]) => unknown;
export type CompatModule = Record<string, FakerFn>;
export type CompatFaker = Record<string, CompatModule>;

function bindAll(obj: object): CompatModule {
  const out: CompatModule = {};
  for (let proto = Object.getPrototypeOf(obj); proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    for (const name of Object.getOwnPropertyNames(proto)) {
      if (name === 'constructor' || name.startsWith('_') || name in out) continue;
      const fn = (obj as Record<string, unknown>)[name];
      if (typeof fn === 'function') out[name] = fn.bind(obj) as FakerFn;
    }
  }
  return out;
}

const isNum = (v: unknown): v is number => typeof v === 'number';

export function buildCompatFaker(f: Faker): CompatFaker {
  const compat: CompatFaker = {};
  for (const [name, mod] of Object.entries(f)) {
    if (mod && typeof mod === 'object' && name !== 'fakerCore' && !name.startsWith('_')) compat[name] = bindAll(mod);
  }
  const m = compat as Record<string, CompatModule>;

  // datatype.* (faker 7) moved to number.*, string.*, date.*.
  const legacyNumber = (opt?: number | { min?: number; max?: number; precision?: number }) => {
    if (opt === undefined) return f.number.int({ min: 0, max: 99999 });
    if (isNum(opt)) return f.number.int({ min: 0, max: opt });
    const { min = 0, max = min + 99999, precision } = opt;
    return precision !== undefined && precision < 1
      ? f.number.float({ min, max, multipleOf: precision })
      : f.number.int({ min, max });
  };
  const legacyFloat = (opt?: number | { min?: number; max?: number; precision?: number }) => {
    if (opt === undefined) return f.number.float({ min: 0, max: 99999, fractionDigits: 2 });
    if (isNum(opt)) return f.number.float({ min: 0, max: 99999, multipleOf: opt });
    const { min = 0, max = min + 99999, precision = 0.01 } = opt;
    return f.number.float({ min, max, multipleOf: precision });
  };
  Object.assign(m.datatype!, {
    number: legacyNumber,
    float: legacyFloat,
    uuid: () => f.string.uuid(),
    string: (length: number | { length?: number } = 10) => f.string.sample(isNum(length) ? length : length.length ?? 10),
    hexadecimal: (opt: number | { length?: number } = 1) => f.string.hexadecimal({ length: isNum(opt) ? opt : opt.length ?? 1 }),
    datetime: (opt?: number | { min?: number; max?: number }) =>
      opt === undefined ? f.date.anytime() : isNum(opt) ? f.date.between({ from: 631152000000, to: opt }) : f.date.between({ from: opt.min ?? 631152000000, to: opt.max ?? 4102444800000 }),
    bigInt: (opt?: unknown) => f.number.bigInt(opt as never),
    array: (length = 10) => Array.from({ length }, () => (f.datatype.boolean() ? f.string.sample() : f.number.int({ max: 99999 }))),
    json: () => JSON.stringify(Object.fromEntries(['foo', 'bar', 'bike', 'a', 'b', 'name', 'prop'].map((k) => [k, f.datatype.boolean() ? f.string.sample() : f.number.int({ max: 99999 })]))),
  });

  // address.* became location.*.
  m.address = {
    ...m.location,
    cityName: () => f.location.city(),
    streetName: () => f.location.street(),
    stateAbbr: () => f.location.state({ abbreviated: true }),
    latitude: (max?: number, min?: number, precision?: number) => f.location.latitude({ max, min, precision }),
    longitude: (max?: number, min?: number, precision?: number) => f.location.longitude({ max, min, precision }),
  };
  m.location!.latitude ??= (o?: unknown) => f.location.latitude(o as never);
  m.location!.longitude ??= (o?: unknown) => f.location.longitude(o as never);

  // name.* became person.*.
  m.name = {
    ...m.person,
    findName: () => f.person.fullName(),
    title: () => f.person.jobTitle(),
  };

  Object.assign(m.internet!, {
    userName: (...a: unknown[]) => f.internet.username(...(a as [])),
    color: () => f.color.rgb(),
    avatar: () => f.image.avatar(),
    password: (len?: unknown, memorable?: boolean, pattern?: RegExp, prefix?: string) =>
      isNum(len) ? f.internet.password({ length: len, memorable, pattern, prefix }) : f.internet.password(len as never),
  });

  // Positional (min, max, dec, symbol) became an options object.
  const moneyArgs = (a: unknown, max?: number, dec?: number, symbol?: string) =>
    isNum(a) ? { min: a, max, dec, symbol } : (a as object | undefined);
  Object.assign(m.commerce!, {
    price: (a?: unknown, max?: number, dec?: number, symbol?: string) => f.commerce.price(moneyArgs(a, max, dec, symbol) as never),
  });
  Object.assign(m.finance!, {
    amount: (a?: unknown, max?: number, dec?: number, symbol?: string) => f.finance.amount(moneyArgs(a, max, dec, symbol) as never),
    account: (length?: number) => f.finance.accountNumber(length ?? 8),
    mask: (length = 4) => f.string.numeric(length),
  });

  // date.past(years, refDate) and friends took positional arguments.
  const positional = (fn: FakerFn, key: string) => (a?: unknown, refDate?: unknown) =>
    isNum(a) || refDate !== undefined ? fn({ [key]: a, refDate }) : fn(a);
  Object.assign(m.date!, {
    past: positional(m.date!.past!, 'years'),
    future: positional(m.date!.future!, 'years'),
    recent: positional(m.date!.recent!, 'days'),
    soon: positional(m.date!.soon!, 'days'),
    between: (a: unknown, to?: unknown) => (to !== undefined ? f.date.between({ from: a as Date, to: to as Date }) : f.date.between(a as never)),
    betweens: (a: unknown, to?: unknown, count?: number) =>
      to !== undefined ? f.date.betweens({ from: a as Date, to: to as Date, count }) : f.date.betweens(a as never),
  });

  Object.assign(m.helpers!, {
    randomize: (arr: unknown[]) => f.helpers.arrayElement(arr),
    replaceSymbolWithNumber: (s: string, symbol = '#') => s.replaceAll(symbol, () => String(f.number.int(9))),
  });

  Object.assign(m.company!, {
    companyName: () => f.company.name(),
    bs: () => f.company.buzzPhrase(),
    companySuffix: () => f.helpers.arrayElement(['Inc', 'and Sons', 'LLC', 'Group']),
  });
  Object.assign(m.phone!, {
    phoneNumber: () => f.phone.number(),
    phoneNumberFormat: () => f.phone.number(),
  });
  Object.assign(m.image!, { imageUrl: () => f.image.url() });
  Object.assign(m.git!, { shortSha: () => f.git.commitSha({ length: 7 }) });
  Object.assign(m.lorem!, { lines: m.lorem!.lines });

  // random.* (faker 6) was spread over word, string and helpers.
  m.random = {
    word: () => f.word.sample(),
    words: (n?: number) => f.word.words(n ?? { count: { min: 1, max: 3 } }),
    alpha: (o?: unknown) => f.string.alpha(o as never),
    alphaNumeric: (n?: number) => f.string.alphanumeric(n ?? 1),
    numeric: (n?: number) => f.string.numeric(n ?? 1),
    locale: () => f.helpers.arrayElement(['en', 'de', 'fr', 'es', 'it', 'nl', 'pt_BR']),
    arrayElement: (arr: unknown[]) => f.helpers.arrayElement(arr),
    arrayElements: (arr: unknown[], n?: number) => f.helpers.arrayElements(arr, n),
    objectElement: (o: Record<string, unknown>) => f.helpers.objectValue(o),
    uuid: () => f.string.uuid(),
    number: legacyNumber,
    float: legacyFloat,
    boolean: () => f.datatype.boolean(),
    image: () => f.image.url(),
  };
  return compat;
}
