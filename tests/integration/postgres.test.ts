import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { assertRowsExact, example, fixture, lines, runCli, tmpFile } from '../helpers.js';

const ENV = { POSTGRES_HOST: '127.0.0.1', POSTGRES_PORT: '5432', POSTGRES_DB: 'test', POSTGRES_USER: 'postgres' };
const client = new pg.Client({ host: '127.0.0.1', port: 5432, database: 'test', user: 'postgres' });
const rows = async <T extends pg.QueryResultRow = Record<string, any>>(sql: string, params: unknown[] = []) => (await client.query<T>(sql, params)).rows;

before(async () => {
  await client.connect();
  await client.query('DROP SCHEMA IF EXISTS ecommerce CASCADE; DROP SCHEMA IF EXISTS shop CASCADE');
  for (const t of ['pgt_users', 'pgt_purchases', 'pgt_items', 'kv', 'orders', 'nokey', 'misfit_users', 'fresh_a', 'legacy_mz_datagen_ecommerce_users', 'legacy_mz_datagen_ecommerce_purchases', 'legacy_mz_datagen_ecommerce_items', 'pgrs_users', 'pgrs_purchases', 'pgrs_items']) {
    await client.query(`DROP TABLE IF EXISTS "${t}"`);
  }
});
after(() => client.end());

test('seed ecommerce -n 400: users ⋈ purchases and unnest(item_ids) ⋈ items return rows, no orphans', async () => {
  const r = runCli(['-s', example('ecommerce/ecommerce.json'), '-f', 'postgres', '-n', '400', '--seed', '3', '-p', 'pgt'], ENV);
  assert.equal(r.code, 0, r.stderr);
  const [{ n: joined }] = await rows('SELECT count(*)::int AS n FROM pgt_users u JOIN pgt_purchases p ON p.user_id = u.id');
  const [{ n: itemJoin }] = await rows('SELECT count(*)::int AS n FROM (SELECT unnest(item_ids) AS item_id FROM pgt_purchases) p JOIN pgt_items i ON i.id = p.item_id');
  assert.ok(joined > 0 && itemJoin > 0);
  const [{ n: purchases }] = await rows('SELECT count(*)::int AS n FROM pgt_purchases');
  assert.equal(purchases, 1600, 'uuid keys never repeat: one row per purchase');
  assert.equal(joined, purchases, 'no purchase lacks its user');
  const [{ n: orphans }] = await rows('SELECT count(*)::int AS n FROM (SELECT unnest(item_ids) AS item_id FROM pgt_purchases) p LEFT JOIN pgt_items i ON i.id = p.item_id WHERE i.id IS NULL');
  assert.equal(orphans, 0, 'no item id lacks its item');
  // Users and items have small key spaces (1000 and 5000): repeated keys are updates, as in UPSERT.
  const dry = lines(runCli(['-s', example('ecommerce/ecommerce.json'), '--dry-run', '-n', '400', '--seed', '3', '-p', 'pgt']).stdout);
  const distinct = (t: string) => new Set(dry.filter((l) => l.topic === t).map((l) => l.key)).size;
  assert.equal((await rows('SELECT count(*)::int AS n FROM pgt_users'))[0]!.n, distinct('pgt_users'));
  assert.equal((await rows('SELECT count(*)::int AS n FROM pgt_items'))[0]!.n, distinct('pgt_items'));
});

test('column types are inferred: bigint key, bigint[] arrays, jsonb nested objects, timestamptz dates', async () => {
  assert.equal(runCli(['-s', example('ecommerce/ecommerce.json'), '-f', 'postgres', '-n', '5', '--seed', '1', '-p', 'pgt'], ENV).code, 0);
  assert.equal(runCli(['-s', fixture('nested.json'), '-f', 'postgres', '-n', '5', '--seed', '1'], ENV).code, 0);
  const types = await rows<{ table_name: string; column_name: string; data_type: string }>(
    `SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_name IN ('pgt_purchases', 'orders') ORDER BY table_name, ordinal_position`,
  );
  const t = Object.fromEntries(types.map((r) => [`${r.table_name}.${r.column_name}`, r.data_type]));
  assert.equal(t['pgt_purchases.user_id'], 'bigint');
  assert.equal(t['pgt_purchases.item_ids'], 'ARRAY');
  assert.equal(t['pgt_purchases.id'], 'text');
  assert.equal(t['orders.customer'], 'jsonb');
  assert.equal(t['orders.placed_at'], 'timestamp with time zone');
  const [o] = await rows(`SELECT customer->'address'->>'city' AS city FROM orders WHERE id = 1`);
  assert.equal(typeof o!.city, 'string');
  const [pk] = await rows(`SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) WHERE i.indrelid = 'pgt_purchases'::regclass AND i.indisprimary`);
  assert.equal(pk!.attname, 'id', 'the _meta.key field is the primary key');
});

test('a repeated key leaves one row with the latest values; keyless rows are all kept', async () => {
  const file = tmpFile('kv.json', [
    { _meta: { topic: 'kv', key: 'k' }, k: 'faker.number.int({ min: 1, max: 5 })', v: 'iteration.index' },
    { _meta: { topic: 'nokey' }, v: 'iteration.index' },
  ]);
  const r = runCli(['-s', file, '-f', 'postgres', '-n', '200', '--seed', '9'], ENV);
  assert.equal(r.code, 0, r.stderr);
  const dry = lines(runCli(['-s', file, '--dry-run', '-n', '200', '--seed', '9']).stdout).filter((l) => l.topic === 'kv');
  const latest = new Map(dry.map((l) => [l.value.k, l.value.v]));
  const got = await rows<{ k: string; v: string }>('SELECT k, v FROM kv ORDER BY k');
  assert.deepEqual(got.map((g) => [Number(g.k), Number(g.v)]), [...latest.entries()].sort((a, b) => a[0] - b[0]));
  assert.equal((await rows('SELECT count(*)::int AS n FROM nokey'))[0]!.n, 200);
});

test('rows hold the records exactly: quotes, backslashes, control and non-ASCII characters, numbers, booleans, arrays, nested objects', async () => {
  // PostgreSQL's text cannot hold U+0000, so this one has U+0001 where MySQL's test has a NUL.
  const tricky = 'it\'s "quoted" \\ back\tslash\nnew line \u0001 héllo ✓ 😀';
  await client.query('DROP TABLE IF EXISTS pg_exact');
  await assertRowsExact({
    format: 'postgres',
    env: ENV,
    table: 'pg_exact',
    tricky,
    read: async () => (await rows('SELECT row_to_json(t) AS j FROM pg_exact t ORDER BY k')).map((r) => r.j),
    normalize: (j) => ({ ...j, k: Number(j.k), big: Number(j.big) }),
  });
  await client.query('DROP TABLE IF EXISTS pg_exact');
});

test('.sql input: the file\'s own DDL, in its schema, created if missing', async () => {
  const r = runCli(['-s', fixture('products.sql'), '-f', 'postgres', '-n', '50', '--seed', '1'], ENV);
  assert.equal(r.code, 0, r.stderr);
  const cols = await rows<{ column_name: string; data_type: string }>(`SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = 'ecommerce' AND table_name = 'products' ORDER BY ordinal_position`);
  assert.deepEqual(cols.map((c) => [c.column_name, c.data_type]), [
    ['id', 'integer'], ['name', 'character varying'], ['merchant_id', 'integer'], ['price', 'integer'], ['status', 'integer'], ['note', 'text'], ['created_at', 'timestamp without time zone'],
  ]);
  assert.ok((await rows('SELECT count(*)::int AS n FROM shop.orders'))[0]!.n > 0);
});

test('--clean drops the schema\'s tables', async () => {
  assert.equal(runCli(['-s', example('ecommerce/ecommerce.json'), '-f', 'postgres', '-n', '2', '-p', 'pgt'], ENV).code, 0);
  const r = runCli(['-s', example('ecommerce/ecommerce.json'), '-f', 'postgres', '-p', 'pgt', '--clean'], ENV);
  assert.equal(r.code, 0, r.stderr);
  const left = await rows(`SELECT table_name FROM information_schema.tables WHERE table_name LIKE 'pgt\\_%'`);
  assert.deepEqual(left, []);
});

test('failures: bad credentials, missing database, unreachable host give one clear line and exit 1', () => {
  const cases: Array<[Record<string, string>, RegExp]> = [
    [{ POSTGRES_USER: 'no_such_user' }, /PostgreSQL at 127.0.0.1:5432\/test: .*no_such_user/],
    [{ POSTGRES_DB: 'no_such_db' }, /PostgreSQL at 127.0.0.1:5432\/no_such_db: the database does not exist/],
    [{ POSTGRES_PORT: '1' }, /PostgreSQL at 127.0.0.1:1\/test: connection refused/],
  ];
  for (const [env, pattern] of cases) {
    const r = runCli(['-s', example('ecommerce/ecommerce.json'), '-f', 'postgres', '-n', '2'], { ...ENV, ...env });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, pattern);
    assert.doesNotMatch(r.stderr, /^\s+at /m);
  }
});

test('an existing table whose columns do not fit: clear error, and no half-created tables', async () => {
  await client.query('CREATE TABLE misfit_users (id int PRIMARY KEY, other text)');
  const file = tmpFile('misfit.json', [
    { _meta: { topic: 'fresh_a', key: 'id' }, id: 'iteration.index' },
    { _meta: { topic: 'misfit_users', key: 'id' }, id: 'iteration.index', email: 'faker.internet.email()' },
  ]);
  const r = runCli(['-s', file, '-f', 'postgres', '-n', '3'], ENV);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /table "misfit_users" exists but has no column "email"/);
  const fresh = await rows(`SELECT 1 FROM information_schema.tables WHERE table_name = 'fresh_a'`);
  assert.equal(fresh.length, 0, 'the table created before the failure was rolled back');
});

test('large records (--record-size 100000) arrive whole, in statements of bounded size', async () => {
  const r = runCli(['-s', example('ecommerce/ecommerce.json'), '-f', 'postgres', '-n', '60', '--record-size', '100000', '--seed', '5', '-p', 'pgrs'], ENV);
  assert.equal(r.code, 0, r.stderr);
  const dry = lines(runCli(['-s', example('ecommerce/ecommerce.json'), '--dry-run', '-n', '60', '--record-size', '100000', '--seed', '5', '-p', 'pgrs']).stdout);
  const items = new Set(dry.filter((l) => l.topic === 'pgrs_items').map((l) => l.value.id));
  const got = await rows('SELECT count(*)::int AS n, min(length("recordSizePayload"))::int AS len FROM pgrs_items');
  assert.equal(got[0].n, items.size);
  assert.equal(got[0].len, 100000);
  runCli(['-s', example('ecommerce/ecommerce.json'), '-f', 'postgres', '-p', 'pgrs', '--clean'], ENV);
});
