/**
 * Which waiting frame gets the next recognition slot: pure, so the order is tested without
 * processes.
 *
 * Why a gate at all: every camera worker is its own process, and with several plates passing at
 * once the kernel shares the cores evenly between their reads. Five reads of ~90 ms on two
 * cores then all finish after ~450 ms of wall time, so every read is late. Run in order of
 * urgency, two at a time, the read that completes a vehicle's vote takes its ~90 ms and goes
 * out, and the frames that only watch an empty road wait for it.
 */
export interface GateRequest {
  /** Who asks (a worker) and its request number. */
  owner: string;
  n: number;
  /** Higher is more urgent (see `recognitionUrgency`). */
  urgency: number;
  /** When the request arrived, in ms. */
  since: number;
}

/**
 * Index of the request to grant next, or -1 for an empty queue. A request gains one level of
 * urgency per `agingMs` waited, so an idle camera's look is delayed by a burst of reads, never
 * starved by it; among equals the oldest goes first.
 */
export function nextGrant(queue: readonly GateRequest[], now: number, agingMs: number): number {
  let best = -1,
    bestScore = -Infinity;
  for (let i = 0; i < queue.length; i++) {
    const q = queue[i]!;
    const score = q.urgency + (now - q.since) / agingMs;
    if (score > bestScore + 1e-9 || (Math.abs(score - bestScore) <= 1e-9 && q.since < queue[best]!.since)) {
      best = i;
      bestScore = score;
    }
  }
  return best;
}
