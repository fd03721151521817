/**
 * How the core takes alerts off the bus: consumed continuously and handed on in batches that
 * form only while the previous batch is busy. A timed fetch (wait until the batch is full or
 * the fetch expires) held the first alert after a quiet spell for the whole expiry before any
 * operator could see it; here a lone alert goes on as soon as it arrives, and under a burst the
 * alerts that arrive during one insert go together in the next, so inserts stay few.
 */
export interface BatchWhileBusyOptions<T> {
  /** The message source (a JetStream consume() iterator); ends when it is closed. */
  messages: AsyncIterable<T>;
  /** Handles one batch; must not throw (a failed batch is the handler's to nak or log). */
  handle(batch: T[]): Promise<void>;
  maxBatch: number;
  /** Told of a handler that threw anyway, so that one bad batch does not stop the intake. */
  onError?(err: unknown): void;
}

export function batchWhileBusy<T>(opts: BatchWhileBusyOptions<T>): { done: Promise<void> } {
  const pending: T[] = [];
  let busy: Promise<void> | null = null;
  const drain = async () => {
    while (pending.length) {
      try {
        await opts.handle(pending.splice(0, opts.maxBatch));
      } catch (err) {
        opts.onError?.(err);
      }
    }
  };
  const kick = () => {
    if (busy) return;
    busy = drain().finally(() => {
      busy = null;
      // A message pushed after the drain's last look, before this ran, is not left waiting.
      if (pending.length) kick();
    });
  };
  const done = (async () => {
    for await (const m of opts.messages) {
      pending.push(m);
      kick();
    }
    while (busy) await busy;
  })();
  return { done };
}
