import { describe, expect, it } from 'vitest';
import { planPins, type ActivePart } from './part-pinner.ts';

const tables = ['plates', 'reads_by_plate', 'reads'];
const part = (table: string, path: string, bytes: number): ActivePart => ({ table, path, bytes });

describe('planPins', () => {
  it('pins every part of the listed tables when the budget allows, and nothing of other tables', () => {
    const parts = [part('reads', '/r1', 500), part('plates', '/p1', 10), part('alerts', '/a1', 5), part('reads_by_plate', '/i1', 100)];
    const plan = planPins(parts, new Map(), { tables, maxBytes: 10_000 });
    expect(plan.pin.map((p) => p.path)).toEqual(['/p1', '/i1', '/r1']);
    expect(plan.unpin).toEqual([]);
    expect(plan.wantedBytes).toBe(610);
  });

  it('fills a tight budget in table order, skipping a part too big for what is left', () => {
    const parts = [
      part('reads', '/r-big', 500),
      part('reads', '/r-small', 40),
      part('reads_by_plate', '/i1', 100),
      part('plates', '/p1', 10),
    ];
    const plan = planPins(parts, new Map(), { tables, maxBytes: 200 });
    expect(plan.pin.map((p) => p.path)).toEqual(['/p1', '/i1', '/r-small']);
  });

  it('unpins parts merged away and pins the part that replaced them', () => {
    const pinned = new Map([
      ['/r1', 300],
      ['/r2', 200],
      ['/i1', 100],
    ]);
    const parts = [part('reads', '/r1_2', 480), part('reads_by_plate', '/i1', 100)];
    const plan = planPins(parts, pinned, { tables, maxBytes: 1000 });
    expect(plan.pin.map((p) => p.path)).toEqual(['/r1_2']);
    expect(plan.unpin.sort()).toEqual(['/r1', '/r2']);
  });

  it('keeps what is pinned rather than swapping it for a larger part of the same table', () => {
    const pinned = new Map([['/r-small', 100]]);
    const parts = [part('reads', '/r-small', 100), part('reads', '/r-big', 150)];
    const plan = planPins(parts, pinned, { tables, maxBytes: 200 });
    expect(plan.pin).toEqual([]);
    expect(plan.unpin).toEqual([]);
  });

  it('gives way to a more valuable table when the budget is short', () => {
    const pinned = new Map([['/r1', 150]]);
    const parts = [part('reads', '/r1', 150), part('reads_by_plate', '/i-new', 100)];
    const plan = planPins(parts, pinned, { tables, maxBytes: 200 });
    expect(plan.pin.map((p) => p.path)).toEqual(['/i-new']);
    expect(plan.unpin).toEqual(['/r1']);
  });

  it('does not try again a part that failed to pin', () => {
    const parts = [part('reads', '/r1', 100), part('reads', '/r2', 100)];
    const plan = planPins(parts, new Map(), { tables, maxBytes: 1000, failed: new Set(['/r1']) });
    expect(plan.pin.map((p) => p.path)).toEqual(['/r2']);
  });
});
