import { GATE_ENV, type GateMessage } from './gate.ts';

/** Gives the slot back; calling it twice is harmless. */
export type GateRelease = () => void;

export interface GateClient {
  /** Waits for a slot to read a frame at this urgency. */
  acquire(urgency: number): Promise<GateRelease>;
}

/** How long a worker waits for a grant before reading anyway: a gate that stopped answering
 * (a parent busy or gone) must slow reads down, never stop them. */
export const GATE_PATIENCE_MS = 3000;

/**
 * The worker's side of the recognition gate. Without a parent that serves one (GATE_ENV unset,
 * no IPC channel: a worker run on its own or by a test) every acquire is granted at once.
 */
export function gateFromParent(proc: NodeJS.Process = process, patienceMs = GATE_PATIENCE_MS): GateClient {
  if (proc.env[GATE_ENV] !== '1' || typeof proc.send !== 'function') return { acquire: async () => () => {} };
  const waiting = new Map<number, () => void>();
  let n = 0;
  proc.on('message', (m: GateMessage) => {
    if (m?.type === 'gate' && m.op === 'grant') waiting.get(m.n)?.();
  });
  const send = (m: GateMessage) => {
    try {
      if (proc.connected) proc.send!(m);
    } catch {
      // The parent is gone; the patience timer lets the read go ahead.
    }
  };
  return {
    acquire(urgency) {
      const id = ++n;
      return new Promise<GateRelease>((resolve) => {
        let released = false;
        const release = () => {
          if (released) return;
          released = true;
          send({ type: 'gate', op: 'release', n: id });
        };
        const timer = setTimeout(() => {
          // Read anyway; a late grant is then given back at once.
          waiting.set(id, () => {
            waiting.delete(id);
            send({ type: 'gate', op: 'release', n: id });
          });
          resolve(() => {});
        }, patienceMs);
        timer.unref();
        waiting.set(id, () => {
          clearTimeout(timer);
          waiting.delete(id);
          resolve(release);
        });
        send({ type: 'gate', op: 'acquire', n: id, urgency });
      });
    },
  };
}
