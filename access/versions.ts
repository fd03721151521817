/**
 * Version numbers for append-only records (ReplacingMergeTree(version)): microseconds since
 * the epoch, strictly increasing within the process, so two changes in the same millisecond
 * still order and the latest always wins.
 */
let last = 0n;
export function nextVersion(now = Date.now()): bigint {
  const candidate = BigInt(now) * 1000n;
  last = candidate > last ? candidate : last + 1n;
  return last;
}

/**
 * Serialises async work per key inside this process. The core is the only writer of the
 * access tables (it owns the store), so this is what makes read-modify-write of a user's
 * failed-attempt count or of the audit chain's head atomic without transactions.
 */
export function keyedMutex() {
  const tails = new Map<string, Promise<unknown>>();
  return async function withLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const prev = tails.get(key) ?? Promise.resolve();
    const run = prev.then(fn, fn);
    const tail = run.catch(() => {});
    tails.set(key, tail);
    try {
      return await run;
    } finally {
      if (tails.get(key) === tail) tails.delete(key);
    }
  };
}
