import { createHmac } from 'node:crypto';
import type { Logger } from './logger.ts';

/**
 * The agency's webhook receiver gets alerts and audit anchors as signed JSON POSTs; the signature
 * is the protocol both senders and the receiver share.
 */

/** `t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">`: receivers recompute it and reject old t. */
export function signWebhook(secret: string, body: string, unixSeconds: number): string {
  return `t=${unixSeconds},v1=${createHmac('sha256', secret).update(`${unixSeconds}.${body}`).digest('hex')}`;
}

export interface WebhookOptions {
  url: string;
  secret: string;
  maxAttempts: number;
  timeoutMs: number;
  logger: Logger;
  /** Delay before attempt n (1-based retries); exponential by default. */
  backoffMs?: (attempt: number) => number;
  maxQueue?: number;
  fetchImpl?: typeof fetch;
}

/**
 * Signed POSTs to one endpoint from a bounded queue, retried with backoff: the alert webhook
 * (alerts/notify.ts), and the audit anchors (access/anchor-sinks.ts) to the same receiver.
 */
export function startSignedPoster(opts: WebhookOptions) {
  const queue: { body: string; attempt: number; due: number }[] = [];
  const backoff = opts.backoffMs ?? ((n) => Math.min(60_000, 500 * 2 ** (n - 1)));
  const maxQueue = opts.maxQueue ?? 10_000;
  const doFetch = opts.fetchImpl ?? fetch;
  let stopped = false;
  let delivered = 0;
  let dropped = 0;
  let timer: NodeJS.Timeout | null = null;

  /** Queues one JSON body; `type` names it in the log should the queue be full. */
  function send(body: string, type: string): void {
    if (queue.length >= maxQueue) {
      dropped++;
      opts.logger.error('webhook queue full; event dropped', { type });
      return;
    }
    queue.push({ body, attempt: 0, due: Date.now() });
    kick();
  }

  function kick(delay = 0) {
    if (stopped || timer) return;
    timer = setTimeout(() => {
      timer = null;
      void drain();
    }, delay);
    timer.unref?.();
  }

  let draining = false;
  async function drain() {
    if (draining) return;
    draining = true;
    try {
      while (!stopped && queue.length) {
        const item = queue[0]!;
        const wait = item.due - Date.now();
        if (wait > 0) return kick(wait);
        queue.shift();
        const ts = Math.floor(Date.now() / 1000);
        try {
          const res = await doFetch(opts.url, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'x-alpr-signature': signWebhook(opts.secret, item.body, ts) },
            body: item.body,
            signal: AbortSignal.timeout(opts.timeoutMs),
          });
          if (!res.ok) throw new Error(`HTTP ${res.status}`);
          delivered++;
        } catch (err) {
          item.attempt++;
          if (item.attempt >= opts.maxAttempts) {
            dropped++;
            opts.logger.error('webhook delivery abandoned', { attempts: item.attempt, err: err as Error, body: item.body.slice(0, 500) });
          } else {
            item.due = Date.now() + backoff(item.attempt);
            queue.push(item);
          }
        }
      }
    } finally {
      draining = false;
    }
  }

  return {
    send,
    get stats() {
      return { queued: queue.length, delivered, dropped };
    },
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}
