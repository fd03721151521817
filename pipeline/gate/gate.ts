import type { ChildProcess } from 'node:child_process';
import type { Logger } from '../../contracts/index.ts';
import { nextGrant, type GateRequest } from './schedule.ts';

/** Messages between a worker and the gate, over the worker's IPC channel. */
export type GateMessage =
  | { type: 'gate'; op: 'acquire'; n: number; urgency: number }
  | { type: 'gate'; op: 'release'; n: number }
  | { type: 'gate'; op: 'grant'; n: number };

/** Environment variable that tells a worker its parent serves a gate on the IPC channel. */
export const GATE_ENV = 'ALPR_RECOGNITION_GATE';

export interface RecognitionGateOptions {
  /** Reads that may run at once across all workers (about one per core). */
  slots: number;
  /** Waiting this long raises a request's urgency by one level. */
  agingMs?: number;
  logger?: Logger;
  now?: () => number;
}

/**
 * The parent's side: lets at most `slots` frame reads run at once across the camera workers it
 * spawned, most urgent first. Lives in the process that forks the workers (the supervisor, a
 * benchmark), which does little else, so a grant costs an IPC round trip (~0.1 ms). A worker
 * that exits gives back what it held and its place in the queue.
 */
export class RecognitionGate {
  private readonly queue: (GateRequest & { child: ChildProcess })[] = [];
  private readonly running = new Map<string, ChildProcess>();
  private readonly agingMs: number;
  private readonly now: () => number;
  private nextOwner = 1;

  constructor(private readonly opts: RecognitionGateOptions) {
    if (!Number.isInteger(opts.slots) || opts.slots < 1) throw new RangeError(`gate slots must be a positive integer, got ${opts.slots}`);
    this.agingMs = opts.agingMs ?? 100;
    this.now = opts.now ?? Date.now;
  }

  /** Serves the gate to a freshly forked worker (which must have been given GATE_ENV=1). */
  attach(child: ChildProcess): void {
    const owner = `w${this.nextOwner++}`;
    const onMessage = (m: GateMessage) => {
      if (m?.type !== 'gate') return;
      if (m.op === 'acquire' && Number.isInteger(m.n)) {
        this.queue.push({ owner, n: m.n, urgency: Number.isFinite(m.urgency) ? m.urgency : 0, since: this.now(), child });
        this.pump();
      } else if (m.op === 'release') {
        this.running.delete(`${owner}:${m.n}`);
        this.pump();
      }
    };
    child.on('message', onMessage);
    child.once('exit', () => {
      child.off('message', onMessage);
      for (const key of [...this.running.keys()]) if (key.startsWith(`${owner}:`)) this.running.delete(key);
      for (let i = this.queue.length - 1; i >= 0; i--) if (this.queue[i]!.owner === owner) this.queue.splice(i, 1);
      this.pump();
    });
  }

  /** Reads running and waiting now (for metrics and tests). */
  stats(): { running: number; waiting: number } {
    return { running: this.running.size, waiting: this.queue.length };
  }

  private pump(): void {
    while (this.running.size < this.opts.slots && this.queue.length > 0) {
      const i = nextGrant(this.queue, this.now(), this.agingMs);
      const [q] = this.queue.splice(i, 1);
      if (!q!.child.connected) continue;
      this.running.set(`${q!.owner}:${q!.n}`, q!.child);
      try {
        q!.child.send({ type: 'gate', op: 'grant', n: q!.n } satisfies GateMessage);
      } catch (err) {
        // The channel closed under us: the exit handler frees the slot.
        this.opts.logger?.warn('recognition gate could not grant a slot', { err: err as Error });
      }
    }
  }
}
