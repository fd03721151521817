import { describe, expect, it } from 'vitest';
import { batchWhileBusy } from './intake.ts';

/** An async iterable fed by hand, like a consume() iterator. */
function feed<T>() {
  const queue: T[] = [];
  let wake: (() => void) | null = null;
  let closed = false;
  const it: AsyncIterable<T> = {
    async *[Symbol.asyncIterator]() {
      for (;;) {
        if (queue.length) yield queue.shift()!;
        else if (closed) return;
        else await new Promise<void>((r) => (wake = r));
      }
    },
  };
  return {
    it,
    push(...xs: T[]) {
      queue.push(...xs);
      wake?.();
    },
    close() {
      closed = true;
      wake?.();
    },
  };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('batchWhileBusy', () => {
  it('hands a lone message on at once, without waiting for a batch to fill', async () => {
    const f = feed<number>();
    const batches: number[][] = [];
    const { done } = batchWhileBusy({ messages: f.it, maxBatch: 200, handle: async (b) => void batches.push(b) });
    f.push(1);
    await tick();
    expect(batches).toEqual([[1]]);
    f.close();
    await done;
  });

  it('batches what arrives while a batch is busy, in order, at most maxBatch at a time', async () => {
    const f = feed<number>();
    const batches: number[][] = [];
    let release: () => void = () => {};
    const { done } = batchWhileBusy({
      messages: f.it,
      maxBatch: 3,
      handle: async (b) => {
        batches.push(b);
        if (batches.length === 1) await new Promise<void>((r) => (release = r));
      },
    });
    f.push(1);
    await tick();
    f.push(2, 3, 4, 5);
    await tick();
    expect(batches).toEqual([[1]]);
    release();
    f.close();
    await done;
    expect(batches).toEqual([[1], [2, 3, 4], [5]]);
  });

  it('goes on after a handler that throws, and reports it', async () => {
    const f = feed<number>();
    const seen: number[] = [];
    const errors: unknown[] = [];
    const { done } = batchWhileBusy({
      messages: f.it,
      maxBatch: 10,
      handle: async (b) => {
        seen.push(...b);
        if (b.includes(1)) throw new Error('insert failed');
      },
      onError: (e) => errors.push(e),
    });
    f.push(1);
    await tick();
    f.push(2);
    f.close();
    await done;
    expect(seen).toEqual([1, 2]);
    expect(errors).toHaveLength(1);
  });

  it('ends only after the last batch is handled', async () => {
    const f = feed<number>();
    let handled = 0;
    const { done } = batchWhileBusy({
      messages: f.it,
      maxBatch: 10,
      handle: async (b) => {
        await new Promise((r) => setTimeout(r, 20));
        handled += b.length;
      },
    });
    f.push(1, 2, 3);
    f.close();
    await done;
    expect(handled).toBe(3);
  });
});
