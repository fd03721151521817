import type { AuditEventInput, AuditSink, Logger } from '../contracts/index.ts';
import { addressKey } from './throttle.ts';

/**
 * Refused requests that carry no identity (no session, an unknown session or API token, a
 * throttled credential attempt) are noise an outsider can make at will: one permanent audit row
 * each would let anyone grow the log without bound and bury the entries that matter. Per client
 * address and window, the first such request is recorded in full and the rest are counted into
 * one summarising entry when the window ends. Requests by a known principal are never counted
 * here: the guard records each of those.
 */
export interface NoiseSummary {
  /** The address, or '*' for addresses beyond the tracked number. */
  address: string;
  ip: string | null;
  from: number;
  to: number;
  /** Requests after the first of the window, which was recorded in full. */
  count: number;
  actions: Record<string, number>;
}

interface Window {
  ip: string | null;
  from: number;
  to: number;
  count: number;
  actions: Record<string, number>;
}

/** The counting, pure apart from the injected clock. */
export class NoiseCounter {
  readonly #windows = new Map<string, Window>();
  #ended: NoiseSummary[] = [];

  constructor(
    private readonly windowMs: number,
    private readonly clock: () => number = Date.now,
    private readonly maxAddresses = 10_000,
  ) {}

  /**
   * Notes one refused anonymous request. true: it opens its address's window and is to be
   * recorded in full; false: it was counted for the window's summary.
   */
  note(ip: string | null, action: string): boolean {
    const now = this.clock();
    let address = addressKey(ip);
    if (!this.#windows.has(address) && this.#windows.size >= this.maxAddresses) address = '*';
    const w = this.#windows.get(address);
    if (w && now < w.from + this.windowMs) {
      w.count++;
      w.to = now;
      w.actions[action] = (w.actions[action] ?? 0) + 1;
      return false;
    }
    if (w) this.#ended.push(this.#summary(address, w));
    this.#windows.set(address, { ip: address === '*' ? null : ip, from: now, to: now, count: 0, actions: {} });
    return true;
  }

  /** Summaries of the windows that have ended (all windows when `all`), each with something counted. */
  drain(all = false): NoiseSummary[] {
    const now = this.clock();
    for (const [address, w] of this.#windows) {
      if (all || now >= w.from + this.windowMs) {
        this.#windows.delete(address);
        this.#ended.push(this.#summary(address, w));
      }
    }
    const out = this.#ended.filter((s) => s.count > 0);
    this.#ended = [];
    return out;
  }

  #summary(address: string, w: Window): NoiseSummary {
    return { address, ip: w.ip, from: w.from, to: w.to, count: w.count, actions: { ...w.actions } };
  }
}

export function summaryEvent(s: NoiseSummary): AuditEventInput {
  const what = Object.entries(s.actions)
    .sort((a, b) => b[1] - a[1])
    .map(([action, n]) => `${n} x ${action}`)
    .join(', ');
  const from = s.address === '*' ? 'addresses beyond the tracked number' : 'this address';
  return {
    actor: 'anonymous',
    action: 'anonymous.refused.summary',
    outcome: 'denied',
    ip: s.ip,
    detail: `${s.count} further refused request(s) without identity from ${from} between ${new Date(s.from).toISOString()} and ${new Date(s.to).toISOString()}: ${what}`,
    query: { count: s.count, actions: s.actions, from: new Date(s.from).toISOString(), to: new Date(s.to).toISOString() },
  };
}

export interface AuditNoise {
  /** Records the event in full if it opens its address's window, else counts it. Never throws. */
  record(event: AuditEventInput): Promise<void>;
  /** Writes the summaries of ended windows (of every window when `all`, e.g. at shutdown). */
  flush(all?: boolean): Promise<void>;
  stop(): void;
}

export function createAuditNoise(opts: { audit: AuditSink; windowMs: number; logger: Logger; clock?: () => Date }): AuditNoise {
  const clock = opts.clock ?? (() => new Date());
  const counter = new NoiseCounter(opts.windowMs, () => clock().getTime());
  const write = (e: AuditEventInput) => opts.audit.append(e).catch((err: Error) => opts.logger.error('audit append failed', { err }));

  async function flush(all = false): Promise<void> {
    for (const s of counter.drain(all)) await write(summaryEvent(s));
  }
  // Summaries of addresses that went quiet would otherwise wait for the next refused request.
  const timer = setInterval(() => void flush(false), Math.min(opts.windowMs, 60_000));
  timer.unref?.();

  return {
    async record(event) {
      const first = counter.note(event.ip ?? null, event.action);
      await flush(false);
      if (first) await write(event);
    },
    flush,
    stop: () => clearInterval(timer),
  };
}
