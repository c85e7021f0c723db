/** Webhook settings: WEBHOOK_URL, WEBHOOK_SECRET (sent as the Authorization header, as the seed tool does). */
import { DatagenError, ErrorCodes } from '../../errors.js';
import type { SinkOptionsInput } from '../sink.js';

export interface WebhookOptions {
  url: string;
  headers: Record<string, string>;
  /** Records per request; 1 sends each record as its own JSON object, more send an array. */
  batchSize: number;
  concurrency: number;
  /** Tries per request before giving up (429 and 5xx are retried). */
  maxTries: number;
  timeoutMs: number;
  baseDelayMs: number;
}

export function webhookOptions(input: SinkOptionsInput): WebhookOptions {
  const { env, flags } = input;
  const url = env.WEBHOOK_URL?.trim();
  if (!url) throw new DatagenError(ErrorCodes.USAGE, 'set WEBHOOK_URL to the endpoint that receives the records');
  try {
    const u = new URL(url);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('not http(s)');
  } catch {
    throw new DatagenError(ErrorCodes.USAGE, 'WEBHOOK_URL is not a valid http(s) URL');
  }
  const headers: Record<string, string> = { 'Content-Type': 'application/json', Accept: 'application/json' };
  if (env.WEBHOOK_SECRET) headers.Authorization = env.WEBHOOK_SECRET;
  return {
    url,
    headers,
    batchSize: Number(flags.batchSize ?? 1),
    concurrency: Number(flags.concurrency ?? 4),
    maxTries: Number(env.WEBHOOK_MAX_TRIES || 6),
    timeoutMs: Number(env.WEBHOOK_TIMEOUT || 10_000),
    baseDelayMs: Number(env.WEBHOOK_RETRY_BASE_MS || 250),
  };
}
