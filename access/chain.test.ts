import { describe, expect, it } from 'vitest';
import { GENESIS_HASH, seal, verifyRun, type ChainEntry } from './chain.ts';

function chain(n: number): ChainEntry[] {
  const out: ChainEntry[] = [];
  for (let i = 0; i < n; i++) {
    const head = out.at(-1) ?? null;
    out.push(
      seal(
        {
          atMs: 1_700_000_000_000 + i,
          actor: `u${i % 2}`,
          action: 'reads.search',
          target: null,
          query: `{"plate":"ABC${i}"}`,
          caseRef: 'C-1',
          purpose: 'test',
          outcome: 'ok',
          detail: null,
          ip: null,
        },
        head ? { seq: head.seq, hash: head.hash } : null,
      ),
    );
  }
  return out;
}

describe('audit hash chain', () => {
  it('starts at the genesis hash and verifies intact', () => {
    const c = chain(5);
    expect(c[0]!.prevHash).toBe(GENESIS_HASH);
    expect(c.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(verifyRun(c, null)).toBeNull();
    expect(verifyRun(c.slice(2), { seq: 2, hash: c[1]!.hash })).toBeNull();
  });

  it('names an altered entry', () => {
    const c = chain(5);
    c[2] = { ...c[2]!, query: '{"plate":"XYZ"}' };
    expect(verifyRun(c, null)).toMatchObject({ seq: 3, reason: expect.stringMatching(/altered/) });
  });

  it('names the entry after a rewritten one, even when the rewrite re-hashed itself', () => {
    const c = chain(5);
    const forged = seal({ ...c[1]!, actor: 'someone-else' }, { seq: 1, hash: c[0]!.hash });
    c[1] = forged;
    expect(verifyRun(c, null)).toMatchObject({ seq: 3, reason: expect.stringMatching(/does not link/) });
  });

  it('names deletions and duplicates', () => {
    const c = chain(5);
    expect(verifyRun([c[0]!, c[1]!, c[3]!, c[4]!], null)).toMatchObject({ seq: 3, reason: expect.stringMatching(/missing/) });
    expect(verifyRun([c[0]!, c[1]!, c[1]!, c[2]!], null)).toMatchObject({ seq: 2, reason: expect.stringMatching(/twice/) });
    expect(verifyRun(c.slice(1), null)).toMatchObject({ seq: 1, reason: expect.stringMatching(/missing/) });
  });
});
