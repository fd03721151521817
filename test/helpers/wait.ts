/**
 * Polls `fn` until it returns something other than undefined, null or false, and returns that.
 * Integration tests wait on real services this way (a read reaching the store, a service coming
 * back), with a deadline that names what never happened.
 */
export async function until<T>(
  fn: () => Promise<T | undefined | null | false>,
  opts: { ms?: number; what?: string; everyMs?: number } = {},
): Promise<T> {
  const end = Date.now() + (opts.ms ?? 15_000);
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== null && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${opts.what ?? 'a condition'}`);
    await new Promise((r) => setTimeout(r, opts.everyMs ?? 100));
  }
}
