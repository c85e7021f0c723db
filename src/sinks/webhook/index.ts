/**
 * Webhook sink: POSTs records as JSON (one object, or an array with --batch-size), a bounded number
 * of requests in flight. 429 and 5xx are retried with exponential backoff that honours Retry-After;
 * after the last try the run stops with a clear error. Any other 4xx stops the run too, once the
 * batch being posted is done. The summary counts accepted and refused records.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { RecordCursor, type EncodedBatch } from '../../encoding/batch.js';
import type { EncodingSpec } from '../../encoding/encoders.js';
import { DatagenError, ErrorCodes } from '../../errors.js';
import type { DeliveryReport, Sink, SinkContext, SinkDefinition, SinkOptionsInput } from '../sink.js';
import { webhookOptions, type WebhookOptions } from './options.js';

const OPEN = Buffer.from('[');
const COMMA = Buffer.from(',');
const CLOSE = Buffer.from(']');

/** Milliseconds a Retry-After header asks for (seconds or an HTTP date), if any. */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const secs = Number(header);
  if (Number.isFinite(secs)) return Math.max(0, secs * 1000);
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

export class WebhookSink implements Sink {
  private readonly o: WebhookOptions;
  private readonly inFlight = new Set<Promise<void>>();
  private pending: Buffer[] = [];
  private pendingDatasets: number[] = [];
  private accepted: number[] = [];
  private refused = 0;
  private firstRefusal?: string;
  private gaveUp?: string;
  private retries = 0;

  constructor(input: SinkOptionsInput) {
    this.o = webhookOptions(input);
  }

  async prepare(ctx: SinkContext): Promise<EncodingSpec> {
    this.accepted = ctx.plan.datasets.map(() => 0);
    return { kind: 'json' };
  }

  async write(batch: EncodedBatch, start: number, end: number): Promise<void> {
    const r = new RecordCursor(batch, start, end);
    while (r.next()) {
      const value = r.value;
      if (!value) continue;
      // Copy: a view would keep the whole batch buffer alive while requests wait.
      this.pending.push(Buffer.from(value));
      this.pendingDatasets.push(r.dataset);
      if (this.pending.length >= this.o.batchSize) await this.send();
    }
  }

  private async send(): Promise<void> {
    if (this.pending.length === 0) return;
    const records = this.pending;
    const datasets = this.pendingDatasets;
    this.pending = [];
    this.pendingDatasets = [];
    const body = this.o.batchSize === 1 ? records[0]! : Buffer.concat([OPEN, ...records.flatMap((b, i) => (i ? [COMMA, b] : [b])), CLOSE]);
    while (this.inFlight.size >= this.o.concurrency) await Promise.race(this.inFlight);
    this.check();
    const p = this.post(body, datasets).finally(() => this.inFlight.delete(p));
    this.inFlight.add(p);
  }

  private check(): void {
    if (this.gaveUp) {
      const total = this.accepted.reduce((a, b) => a + b, 0);
      throw new DatagenError(ErrorCodes.DELIVERY, `webhook ${this.o.url}: ${this.gaveUp}; accepted ${total} records, refused ${this.refused}`);
    }
  }

  private async post(body: Buffer, datasets: number[]): Promise<void> {
    let last = '';
    for (let attempt = 1; attempt <= this.o.maxTries; attempt++) {
      let wait: number | undefined;
      try {
        const res = await fetch(this.o.url, { method: 'POST', headers: this.o.headers, body: body as unknown as Uint8Array<ArrayBuffer>, signal: AbortSignal.timeout(this.o.timeoutMs) });
        await res.arrayBuffer().catch(() => undefined);
        if (res.ok) {
          for (const d of datasets) this.accepted[d]!++;
          return;
        }
        last = `${res.status} ${res.statusText}`;
        if (res.status !== 429 && res.status < 500) {
          this.refused += datasets.length;
          this.firstRefusal ??= last;
          return;
        }
        wait = retryAfterMs(res.headers.get('retry-after'));
      } catch (e) {
        last = (e as Error).message;
      }
      if (attempt < this.o.maxTries) {
        this.retries++;
        await sleep(wait ?? Math.min(this.o.baseDelayMs * 2 ** (attempt - 1), 30_000));
      }
    }
    this.refused += datasets.length;
    this.firstRefusal ??= last;
    this.gaveUp ??= `gave up on a request after ${this.o.maxTries} tries (last: ${last})`;
  }

  async flush(): Promise<void> {
    await this.send();
    await Promise.all(this.inFlight);
    this.check();
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.inFlight);
  }

  /**
   * The first refused request (a 4xx other than 429, or retries given up) stops the run, as a
   * failed delivery stops a Kafka run: a wrong secret or path refuses every request alike, and
   * going on would only add to them. The batch being posted is finished and counted first.
   */
  stopReason(): string | undefined {
    if (this.gaveUp) return `webhook ${this.o.url}: ${this.gaveUp}`;
    return this.firstRefusal === undefined ? undefined : `webhook ${this.o.url} refused a request (${this.firstRefusal})`;
  }

  /** Values are copied into the pending requests. */
  doneWithBatches(): boolean {
    return true;
  }

  report(): DeliveryReport {
    const notes = [`retried requests: ${this.retries}`];
    if (this.firstRefusal) notes.push(`first refusal: ${this.firstRefusal}`);
    return { delivered: this.accepted, failed: this.refused, notes };
  }
}

export const webhookSink: SinkDefinition = {
  create: (input) => new WebhookSink(input),
};
