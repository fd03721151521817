import { appendFileSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../test/helpers/nats.ts';
import { anchoredSeqs, appendAnchorLine, checkAnchors, lastAnchor, makeAnchor, type Anchor } from './anchor.ts';

const key = Buffer.alloc(32, 7);
const h = (n: number) => n.toString(16).padStart(64, '0');
const at = (i: number) => new Date(Date.UTC(2026, 0, 1, 0, i));

/** Anchors of seqs, each linked to the one before, as the writer makes them. */
function anchorsOf(seqs: number[]): Anchor[] {
  const out: Anchor[] = [];
  for (const [i, seq] of seqs.entries()) out.push(makeAnchor(key, { seq, hash: h(seq) }, at(i), out.at(-1)?.mac ?? null));
  return out;
}
const text = (list: Anchor[]) => list.map((a) => JSON.stringify(a)).join('\n') + '\n';
const storeOf = (seqs: number[]) => new Map(seqs.map((s) => [s, [h(s)]]));

describe('audit anchors', () => {
  it('hold while every anchored entry is in the log with its hash', () => {
    const file = text(anchorsOf([3, 7, 9]));
    expect(anchoredSeqs(file, key)).toEqual([3, 7, 9]);
    expect(checkAnchors(file, key, storeOf([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]), { seq: 10 })).toMatchObject({
      ok: true,
      checked: true,
      anchors: 3,
      last: { seq: 9, hash: h(9) },
      problems: [],
    });
  });

  it('tell a cut end from an entry missing inside the log and from a replaced one', () => {
    const file = text(anchorsOf([3, 7, 9]));
    const stored = new Map([...storeOf([1, 2, 4, 5, 6]), [7, [h(70)]]]);
    const r = checkAnchors(file, key, stored, { seq: 7 });
    expect(r.problems.map((p) => [p.line, p.seq, p.kind])).toEqual([
      [1, 3, 'cut'],
      [2, 7, 'replaced'],
      [3, 9, 'cut'],
    ]);
    expect(r.problems[0]!.reason).toBe(`entry 3, anchored at ${at(0).toISOString()}, is missing from the log`);
    expect(r.problems[2]!.reason).toBe(`the log's end was cut: it ends at entry 7, but entry 9 was anchored at ${at(2).toISOString()}`);
    // An empty log after anchors: everything was cut.
    expect(checkAnchors(file, key, new Map(), null).problems.map((p) => p.kind)).toEqual(['cut', 'cut', 'cut']);
  });

  it('refuse an anchor made with another key, a removed line, and lines that are not anchors', () => {
    const [a, , c] = anchorsOf([3, 7, 9]);
    const otherKey = makeAnchor(Buffer.alloc(32, 8), { seq: 7, hash: h(7) }, at(1), a!.mac);
    const file = [JSON.stringify(a), JSON.stringify(otherKey), JSON.stringify(c), '{"v":1}', ''].join('\n');
    const r = checkAnchors(file, key, storeOf([1, 2, 3, 4, 5, 6, 7, 8, 9]), { seq: 9 });
    expect(r.problems.map((p) => [p.line, p.kind])).toEqual([
      [2, 'bad-mac'],
      [3, 'out-of-order'],
      [4, 'unreadable'],
    ]);
  });

  it('list at most 20 problems and count the rest', () => {
    const many = anchorsOf(Array.from({ length: 30 }, (_, i) => i + 1));
    const r = checkAnchors(text(many), key, new Map(), null);
    expect(r.problems).toHaveLength(20);
    expect(r.moreProblems).toBe(10);
  });

  it('append each anchor on a line of its own, even after a line torn by a power cut', async () => {
    const file = path.join(tempDir('anchor-file'), 'audit-anchors.jsonl');
    const [a, b] = anchorsOf([3, 7]);
    await appendAnchorLine(file, a!);
    appendFileSync(file, '{"v":1,"seq":5,"ha'); // torn
    await appendAnchorLine(file, b!);
    const lines = readFileSync(file, 'utf8').split('\n');
    expect(lines).toEqual([JSON.stringify(a), '{"v":1,"seq":5,"ha', JSON.stringify(b), '']);
    expect(lastAnchor(readFileSync(file, 'utf8'), key)).toEqual(b);
    expect(checkAnchors(readFileSync(file, 'utf8'), key, storeOf([3, 7]), { seq: 7 }).problems.map((p) => [p.line, p.kind])).toEqual([
      [2, 'unreadable'],
    ]);
  });
});
