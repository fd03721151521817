import { createHash } from 'node:crypto';

/**
 * The audit log's hash chain, as pure functions. Each entry's hash covers its own fields and
 * the hash of the entry before it, so changing, removing or inserting any entry breaks every
 * link from there on, and verification names the first entry that no longer fits.
 */
export const GENESIS_HASH = '0'.repeat(64);

export interface ChainEntry {
  seq: number;
  atMs: number;
  actor: string;
  action: string;
  target: string | null;
  /** The query as stored: JSON text, or '' when there was none. */
  query: string;
  caseRef: string | null;
  purpose: string | null;
  outcome: string;
  detail: string | null;
  ip: string | null;
  prevHash: string;
  hash: string;
}

export type UnsealedEntry = Omit<ChainEntry, 'hash' | 'prevHash' | 'seq'>;

/** Field order is fixed here and nowhere else: a JSON array, so no key-ordering ambiguity. */
export function entryHash(e: Omit<ChainEntry, 'hash'>): string {
  const canonical = JSON.stringify([
    e.seq,
    e.atMs,
    e.actor,
    e.action,
    e.target,
    e.query,
    e.caseRef,
    e.purpose,
    e.outcome,
    e.detail,
    e.ip,
    e.prevHash,
  ]);
  return createHash('sha256').update(canonical).digest('hex');
}

export function seal(entry: UnsealedEntry, head: { seq: number; hash: string } | null): ChainEntry {
  const seq = head ? head.seq + 1 : 1;
  const prevHash = head ? head.hash : GENESIS_HASH;
  const withPrev = { ...entry, seq, prevHash };
  return { ...withPrev, hash: entryHash(withPrev) };
}

export interface ChainBreak {
  seq: number;
  reason: string;
}

/**
 * Checks a run of entries in seq order, continuing from `prev` (the last entry of the
 * previous run, or null at the start of the log). Returns the first break, or null.
 */
export function verifyRun(entries: readonly ChainEntry[], prev: { seq: number; hash: string } | null): ChainBreak | null {
  let expectSeq = prev ? prev.seq + 1 : 1;
  let expectPrev = prev ? prev.hash : GENESIS_HASH;
  for (const e of entries) {
    if (e.seq < expectSeq)
      return { seq: e.seq, reason: `entry ${e.seq} appears twice (a second entry claims the same place in the chain)` };
    if (e.seq > expectSeq) return { seq: expectSeq, reason: `entries ${expectSeq}..${e.seq - 1} are missing` };
    if (e.prevHash !== expectPrev)
      return { seq: e.seq, reason: `entry ${e.seq} does not link to entry ${e.seq - 1} (the earlier entry was changed or replaced)` };
    if (entryHash(e) !== e.hash)
      return { seq: e.seq, reason: `entry ${e.seq} was altered after it was written (its hash does not match its content)` };
    expectSeq = e.seq + 1;
    expectPrev = e.hash;
  }
  return null;
}
