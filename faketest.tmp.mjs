const { faker: en } = await import('@faker-js/faker/locale/en');
const { Sfc32 } = await import('/work/main/dist/src/generate/randomizer.js');
const { installFastPaths } = await import('/work/main/dist/src/generate/fast.js');
const make = () => { const r = new Sfc32(1); const f = new en.constructor({ locale: en.rawDefinitions, randomizer: r }); installFastPaths(f, r); return [f, r]; };
const [fast, rf] = make(); const [stock, rs] = make();
stock.helpers.fake = Object.getPrototypeOf(stock.helpers).fake.bind(stock.helpers);
const cases = [
  () => ['{{person.last_name.generic}}'], () => ['{{location.city_prefix}} {{person.firstName}}{{location.city_suffix}}'],
  (f) => [f.definitions.commerce.product_description], () => ['plain text'], () => ['{{number.int({"min": 1, "max": 100})}} GB'],
  () => ['{{science.chemical_element.name}}'], () => ['{{ person.firstName }}-{{word.adjective}}'], () => ['a {{b'], () => ['{{nope.nothing}}'],
  () => [['x {{person.firstName}}', 'plain', '{{color.human}}']], () => ['{{helpers.fake}}'],
];
let bad = 0;
for (let i = 0; i < 20000; i++) {
  rf.seedIteration(7, i); rs.seedIteration(7, i);
  const c = cases[i % cases.length];
  const o = (f) => { try { return 'v' + f.helpers.fake(...c(f)); } catch (e) { return 'throws ' + e.message; } };
  const a = o(fast), b = o(stock);
  if (a !== b || rf.next() !== rs.next()) { if (bad++ < 5) console.log(i % cases.length, JSON.stringify(a).slice(0,100), JSON.stringify(b).slice(0,100)); }
}
console.log('mismatches', bad);
