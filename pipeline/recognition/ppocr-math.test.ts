import { describe, expect, it } from 'vitest';
import { ctcDecode, dbBoxes, detSize, mergeLines, rectBox, type TextRect } from './ppocr-math.ts';

describe('detSize', () => {
  it('keeps the aspect within maxSide in multiples of 32', () => {
    expect(detSize(1920, 1080, 640)).toEqual({ w: 640, h: 352 });
    expect(detSize(100, 50, 960)).toEqual({ w: 96, h: 64 });
  });
});

describe('dbBoxes', () => {
  it('finds each blob as a box in region coordinates, expanded by the unclip distance', () => {
    const pw = 64,
      ph = 32;
    const prob = new Float32Array(pw * ph);
    for (let y = 10; y < 16; y++) for (let x = 8; x < 40; x++) prob[y * pw + x] = 0.9;
    for (let y = 24; y < 27; y++) for (let x = 50; x < 52; x++) prob[y * pw + x] = 0.4; // weak speck
    const boxes = dbBoxes(prob, pw, ph, { x: 100, y: 0, w: 128, h: 64 });
    expect(boxes).toHaveLength(1);
    const [x, y, w, h] = rectBox(boxes[0]!);
    expect(x).toBeLessThan(116);
    expect(x + w).toBeGreaterThan(180);
    expect(y).toBeLessThan(20);
    expect(h).toBeGreaterThan(12);
    expect(Math.abs(boxes[0]!.angle)).toBeLessThan(0.01);
  });

  it('fits a tilted line with its angle', () => {
    const pw = 100,
      ph = 100;
    const prob = new Float32Array(pw * ph);
    for (let i = 0; i < 60; i++) for (let d = -2; d <= 2; d++) prob[(20 + Math.round(i * 0.3) + d) * pw + 20 + i] = 0.9;
    const [b] = dbBoxes(prob, pw, ph, { x: 0, y: 0, w: pw, h: ph });
    expect(b!.angle).toBeCloseTo(Math.atan(0.3), 1);
  });
});

describe('mergeLines', () => {
  it('joins the parts of a split serial but not the state name above it', () => {
    const r = (cx: number, cy: number, w: number, h: number): TextRect => ({ cx, cy, w, h, angle: 0, score: 0.9 });
    const merged = mergeLines([r(100, 100, 60, 30), r(170, 100, 60, 30), r(135, 60, 80, 12)]);
    expect(merged).toHaveLength(2);
    expect(rectBox(merged.find((m) => m.h === 30)!)).toEqual([70, 85, 130, 30]);
  });
});

describe('ctcDecode', () => {
  it('collapses repeats, drops blanks and ignores classes outside the allowed set', () => {
    const charset = ['', 'A', 'B', '中'];
    const T = 5,
      C = 4;
    // Rows: A, A, blank, 中 (blank runner-up), B.
    const probs = Float32Array.from([0.1, 0.8, 0.1, 0, 0.1, 0.8, 0.1, 0, 0.8, 0.1, 0.1, 0, 0.15, 0.05, 0, 0.8, 0.1, 0.1, 0.8, 0]);
    const r = ctcDecode(probs, 0, T, C, Int32Array.from([1, 2]), charset);
    expect(r.text).toBe('AB');
    expect(r.charConfidences).toHaveLength(2);
  });
});

describe('detSize of a region', () => {
  it('keeps the scale of the whole image, so a region costs its share', () => {
    expect(detSize(600, 480, 640, 1920)).toEqual({ w: 192, h: 160 });
  });
});
