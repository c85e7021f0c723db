import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { example, lines, runCli, runCliAsync } from '../helpers.js';
import { retryAfterMs } from '../../src/sinks/webhook/index.js';

interface Received {
  auth: string | undefined;
  body: unknown;
}

/** A local endpoint: `respond(n, attempt)` chooses the status of the n-th request (1-based), `attempt` counting requests with the same body. */
async function endpoint(respond: (n: number, attempt: number) => { status: number; retryAfter?: string }) {
  const received: Received[] = [];
  const attempts = new Map<string, number>();
  let n = 0;
  const server: Server = createServer((req: IncomingMessage, res) => {
    let data = '';
    req.on('data', (d) => (data += d));
    req.on('end', () => {
      const attempt = (attempts.get(data) ?? 0) + 1;
      attempts.set(data, attempt);
      const { status, retryAfter } = respond(++n, attempt);
      if (status < 300) received.push({ auth: req.headers.authorization, body: JSON.parse(data) });
      res.writeHead(status, retryAfter ? { 'Retry-After': retryAfter } : {});
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return { url, received, requests: () => n, close: () => new Promise((r) => server.close(r)) };
}

const schema = example('ecommerce/ecommerce.json');

test('every record arrives once despite 429 and 503 answers; the secret is the Authorization header', async () => {
  // Every third request is refused with 503, every fifth with 429 and Retry-After: 0; a body's third try always passes.
  const ep = await endpoint((n, attempt) => (attempt >= 3 ? { status: 200 } : n % 3 === 0 ? { status: 503 } : n % 5 === 0 ? { status: 429, retryAfter: '0' } : { status: 200 }));
  const r = await runCliAsync(['-s', schema, '-f', 'webhook', '-n', '20', '--seed', '4'], { WEBHOOK_URL: ep.url, WEBHOOK_SECRET: 's3cret', WEBHOOK_RETRY_BASE_MS: '5' });
  await ep.close();
  assert.equal(r.code, 0, r.stderr);
  const dry = lines(runCli(['-s', schema, '--dry-run', '-n', '20', '--seed', '4']).stdout);
  assert.equal(ep.received.length, dry.length);
  const key = (v: unknown) => JSON.stringify(v);
  assert.deepEqual(ep.received.map((x) => key(x.body)).sort(), dry.map((l) => key(l.value)).sort());
  assert.ok(ep.received.every((x) => x.auth === 's3cret'));
  assert.ok(ep.requests() > dry.length, 'some requests were retried');
  assert.match(r.stderr, /failed: 0/);
  assert.match(r.stderr, /retried requests: [1-9]/);
  assert.doesNotMatch(r.stderr, /s3cret/);
});

test('--batch-size sends arrays', async () => {
  const ep = await endpoint(() => ({ status: 200 }));
  const r = await runCliAsync(['-s', schema, '-f', 'webhook', '-n', '10', '--seed', '4', '--batch-size', '25'], { WEBHOOK_URL: ep.url });
  await ep.close();
  assert.equal(r.code, 0, r.stderr);
  const total = lines(runCli(['-s', schema, '--dry-run', '-n', '10', '--seed', '4']).stdout).length;
  assert.ok(ep.received.every((x) => Array.isArray(x.body) && (x.body as unknown[]).length <= 25));
  assert.equal(ep.received.reduce((a, x) => a + (x.body as unknown[]).length, 0), total);
  assert.equal(ep.received.length, Math.ceil(total / 25));
});

test('an endpoint that keeps failing: a clear error after a bounded number of tries', async () => {
  const ep = await endpoint(() => ({ status: 503 }));
  const r = await runCliAsync(['-s', schema, '-f', 'webhook', '-n', '3', '--seed', '4', '--concurrency', '1'], {
    WEBHOOK_URL: ep.url,
    WEBHOOK_MAX_TRIES: '3',
    WEBHOOK_RETRY_BASE_MS: '5',
  });
  await ep.close();
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /datagen: error: webhook http:\/\/127.0.0.1:\d+\/hook: gave up on a request after 3 tries \(last: 503 Service Unavailable\); accepted 0 records, refused 1/);
  assert.ok(ep.requests() <= 3 * 2, `bounded: ${ep.requests()} requests`);
});

test('4xx refusals are counted in the summary and make the exit code 1', async () => {
  const ep = await endpoint((n) => (n === 2 ? { status: 400 } : { status: 200 }));
  const r = await runCliAsync(['-s', schema, '-f', 'webhook', '-n', '1', '--seed', '4', '--concurrency', '1'], { WEBHOOK_URL: ep.url });
  await ep.close();
  assert.equal(r.code, 1);
  assert.match(r.stderr, /failed: 1/);
  assert.match(r.stderr, /first refusal: 400 Bad Request/);
});

test('an endpoint that refuses every request (a wrong secret) stops the run after the batch in hand, not at its end', async () => {
  const ep = await endpoint(() => ({ status: 401 }));
  const r = await runCliAsync(['-s', schema, '-f', 'webhook', '-n', '2000', '--seed', '4'], { WEBHOOK_URL: ep.url, WEBHOOK_SECRET: 'wrong' });
  await ep.close();
  const total = lines(runCli(['-s', schema, '--dry-run', '-n', '2000', '--seed', '4']).stdout).length;
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /stopping: webhook http:\/\/127.0.0.1:\d+\/hook refused a request \(401 Unauthorized\)/);
  assert.match(r.stderr, /first refusal: 401 Unauthorized/);
  // Every request that was made is counted as refused, and far fewer were made than the run's records.
  const failed = Number(/failed: (\d+)/.exec(r.stderr)?.[1]);
  assert.equal(failed, ep.requests(), r.stderr);
  assert.ok(ep.requests() > 0 && ep.requests() < total / 4, `${ep.requests()} requests of ${total} records`);
  assert.doesNotMatch(r.stderr, /wrong/);
});

test('Retry-After: seconds or an HTTP date', () => {
  assert.equal(retryAfterMs('2'), 2000);
  assert.equal(retryAfterMs(new Date(10_000).toUTCString(), 5_000), 5000);
  assert.equal(retryAfterMs(null), undefined);
  assert.equal(retryAfterMs('soon'), undefined);
});
