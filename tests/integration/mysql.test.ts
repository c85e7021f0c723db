import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import mysql from 'mysql2/promise';
import { assertRowsExact, example, fixture, lines, runCli, tmpFile } from '../helpers.js';

const ENV = { MYSQL_HOST: '127.0.0.1', MYSQL_PORT: '3306', MYSQL_DB: 'test', MYSQL_USER: 'root', MYSQL_PASSWORD: '' };
let conn: mysql.Connection;
const rows = async (sql: string) => (await conn.query<mysql.RowDataPacket[]>(sql))[0];

before(async () => {
  conn = await mysql.createConnection({ host: '127.0.0.1', user: 'root', database: 'test', dateStrings: true });
  await conn.query('DROP DATABASE IF EXISTS ecommerce');
  await conn.query('DROP DATABASE IF EXISTS shop');
  for (const t of ['myt_users', 'myt_purchases', 'myt_items', 'kv', 'orders', 'misfit_users', 'fresh_a', 'myrs_users', 'myrs_purchases', 'myrs_items']) await conn.query(`DROP TABLE IF EXISTS \`${t}\``);
});
after(() => conn.end());

test('seed ecommerce -n 400 into MariaDB: joins return rows, no orphans, JSON array column', async () => {
  const r = runCli(['-s', example('ecommerce/ecommerce.json'), '-f', 'mysql', '-n', '400', '--seed', '3', '-p', 'myt'], ENV);
  assert.equal(r.code, 0, r.stderr);
  const [{ n: purchases }] = await rows('SELECT count(*) AS n FROM myt_purchases');
  const [{ n: joined }] = await rows('SELECT count(*) AS n FROM myt_users u JOIN myt_purchases p ON p.user_id = u.id');
  assert.equal(Number(purchases), 1600);
  assert.equal(Number(joined), 1600, 'no purchase lacks its user');
  const [{ n: orphans }] = await rows(
    "SELECT count(*) AS n FROM myt_purchases p, JSON_TABLE(p.item_ids, '$[*]' COLUMNS (item_id BIGINT PATH '$')) jt LEFT JOIN myt_items i ON i.id = jt.item_id WHERE i.id IS NULL",
  );
  assert.equal(Number(orphans), 0, 'no item id lacks its item');
  const [col] = await rows("SELECT data_type FROM information_schema.columns WHERE table_schema = 'test' AND table_name = 'myt_purchases' AND column_name = 'item_ids'");
  assert.ok(['json', 'longtext'].includes(String(col!.data_type ?? col!.DATA_TYPE).toLowerCase()), 'JSON (MariaDB stores it as longtext with a json_valid check)');
});

test('upsert: a repeated key leaves one row with the latest values; nested objects and dates', async () => {
  const file = tmpFile('kv.json', [{ _meta: { topic: 'kv', key: 'k' }, k: 'faker.number.int({ min: 1, max: 5 })', v: 'iteration.index', at: 'faker.date.recent()', o: { a: 'faker.word.sample()' } }]);
  const r = runCli(['-s', file, '-f', 'mysql', '-n', '200', '--seed', '9'], ENV);
  assert.equal(r.code, 0, r.stderr);
  const dry = lines(runCli(['-s', file, '--dry-run', '-n', '200', '--seed', '9']).stdout);
  const latest = new Map(dry.map((l) => [l.value.k, l.value]));
  const got = await rows('SELECT k, v, at, o FROM kv ORDER BY k');
  assert.equal(got.length, latest.size);
  for (const g of got) {
    const want = latest.get(Number(g.k))!;
    assert.equal(Number(g.v), want.v);
    assert.equal(new Date(`${String(g.at).replace(' ', 'T')}Z`).toISOString(), want.at);
    assert.deepEqual(typeof g.o === 'string' ? JSON.parse(g.o) : g.o, want.o);
  }
});

test('rows hold the records exactly: quotes, backslashes, control and non-ASCII characters, numbers, booleans, arrays, nested objects', async () => {
  const tricky = 'it\'s "quoted" \\ back\tslash\nnew line \u0000 \u001a héllo ✓ 😀';
  await conn.query('DROP TABLE IF EXISTS my_exact');
  const json = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v);
  await assertRowsExact({
    format: 'mysql',
    env: ENV,
    table: 'my_exact',
    tricky,
    read: () => rows('SELECT * FROM my_exact ORDER BY k'),
    normalize: (g) => ({ ...g, k: Number(g.k), ratio: Number(g.ratio), big: Number(g.big), flag: Boolean(g.flag), tags: json(g.tags), nested: json(g.nested) }),
  });
  await conn.query('DROP TABLE IF EXISTS my_exact');
});

test('.sql input, --clean, and clear failures (credentials, database, misfit table, no half-created tables)', async () => {
  const sql = runCli(['-s', fixture('products.sql'), '-f', 'mysql', '-n', '20', '--seed', '1'], ENV);
  assert.equal(sql.code, 0, sql.stderr);
  assert.equal(Number((await rows('SELECT count(*) AS n FROM ecommerce.products'))[0]!.n) > 0, true);
  assert.equal(runCli(['-s', fixture('products.sql'), '-f', 'mysql', '--clean'], ENV).code, 0);
  assert.equal((await rows("SELECT 1 FROM information_schema.tables WHERE table_schema IN ('ecommerce', 'shop')")).length, 0);

  const denied = runCli(['-s', fixture('nested.json'), '-f', 'mysql', '-n', '1'], { ...ENV, MYSQL_USER: 'nobody_here', MYSQL_PASSWORD: 'x' });
  assert.equal(denied.code, 1);
  assert.match(denied.stderr, /MySQL at 127.0.0.1:3306\/test: access denied/);
  assert.doesNotMatch(denied.stderr, /^\s+at /m);
  const nodb = runCli(['-s', fixture('nested.json'), '-f', 'mysql', '-n', '1'], { ...ENV, MYSQL_DB: 'no_such_db' });
  assert.equal(nodb.code, 1);
  assert.match(nodb.stderr, /the database does not exist/);

  await conn.query('CREATE TABLE misfit_users (id INT PRIMARY KEY, other TEXT)');
  const file = tmpFile('misfit.json', [
    { _meta: { topic: 'fresh_a', key: 'id' }, id: 'iteration.index' },
    { _meta: { topic: 'misfit_users', key: 'id' }, id: 'iteration.index', email: 'faker.internet.email()' },
  ]);
  const misfit = runCli(['-s', file, '-f', 'mysql', '-n', '3'], ENV);
  assert.equal(misfit.code, 1);
  assert.match(misfit.stderr, /table `misfit_users` exists but has no column "email"/);
  assert.equal((await rows("SELECT 1 FROM information_schema.tables WHERE table_schema = 'test' AND table_name = 'fresh_a'")).length, 0);
});

test('large records (--record-size 100000): LONGTEXT column, statements under max_allowed_packet, every row arrives', async () => {
  // 60 iterations make ~600 items of 100 kB: one 2,000-row INSERT would be ~60 MB, over MariaDB's
  // 16 MB max_allowed_packet, and TEXT would refuse a 100 kB string.
  const r = runCli(['-s', example('ecommerce/ecommerce.json'), '-f', 'mysql', '-n', '60', '--record-size', '100000', '--seed', '5', '-p', 'myrs'], ENV);
  assert.equal(r.code, 0, r.stderr);
  const dry = lines(runCli(['-s', example('ecommerce/ecommerce.json'), '--dry-run', '-n', '60', '--record-size', '100000', '--seed', '5', '-p', 'myrs']).stdout);
  const items = new Set(dry.filter((l) => l.topic === 'myrs_items').map((l) => l.value.id));
  const [{ n, len }] = await rows('SELECT count(*) AS n, min(length(recordSizePayload)) AS len FROM myrs_items');
  assert.equal(Number(n), items.size);
  assert.equal(Number(len), 100000);
  runCli(['-s', example('ecommerce/ecommerce.json'), '-f', 'mysql', '-p', 'myrs', '--clean'], ENV);
});
