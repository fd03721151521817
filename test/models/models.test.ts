import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { US_STATES } from '../../contracts/index.ts';
import { createReader, PpOcr, readerNames, type PlateResult } from '../../pipeline/recognition/index.ts';
import { boxIou, decodeDet, PlateDetector, PLATEDET_DIR } from '../../pipeline/recognition/platedet.ts';
import type { DetectThenOcrReader } from '../../pipeline/recognition/hybrid.ts';
import { ctcGreedy, PlateRecognizer, sampleQuad } from '../../pipeline/recognition/platerec.ts';
import { blit, createImage, fillRect, PLATE_DESIGNS, renderPlate, resize, rng, toGray, type Image } from '../../pipeline/render/index.ts';

/**
 * The committed models (models/platerec, models/platedet) load and read plates rendered fresh
 * here by the project's renderer, with seeds the training never used. No ../shared data, no timing.
 */

const hasDet = existsSync(path.join(PLATEDET_DIR, 'platedet.onnx'));

describe('pure helpers', () => {
  it('decodes CTC greedily: repeats merge, blanks split', () => {
    const chars = 'AB';
    // T=5, C=3 (blank, A, B): A A blank A B
    const seq = [1, 1, 0, 1, 2];
    const lp = new Float32Array(5 * 3).fill(Math.log(0.05));
    seq.forEach((c, t) => (lp[t * 3 + c] = Math.log(0.9)));
    const { text, probs } = ctcGreedy(lp, 0, 5, 3, chars);
    expect(text).toBe('AAB');
    expect(probs.every((p) => Math.abs(p - 0.9) < 1e-6)).toBe(true);
  });

  it('samples a rotated rectangle: an axis-aligned one is a plain resize', () => {
    const img = createImage(40, 20, 1, [0, 0, 0]);
    for (let x = 20; x < 40; x++) for (let y = 0; y < 20; y++) img.data[y * 40 + x] = 255;
    const out = new Float32Array(8 * 4);
    sampleQuad(img, { cx: 20, cy: 10, w: 40, h: 20, angle: 0 }, 8, 4, out);
    expect(out[0]).toBeCloseTo(0, 5);
    expect(out[7]).toBeCloseTo(1, 5);
    // Turned half a turn, left and right swap.
    sampleQuad(img, { cx: 20, cy: 10, w: 40, h: 20, angle: Math.PI }, 8, 4, out);
    expect(out[0]).toBeGreaterThan(0.99);
  });

  it('samples an unrotated box (its own fast path) as the rotated path does, shrinking, enlarging and past the edges', () => {
    const p = renderPlate({ state: 'OH', width: 260, seed: 77, channels: 3 }).image;
    for (const q of [
      { cx: 130, cy: 65, w: 260, h: 130 }, // shrunk 2.7x: 2x2 samples a pixel
      { cx: 40, cy: 30, w: 50, h: 20 }, // enlarged
      { cx: 250, cy: 10, w: 120, h: 70 }, // past the right and top edges
    ]) {
      const fast = new Float32Array(96 * 48),
        rotated = new Float32Array(96 * 48);
      sampleQuad(p, { ...q, angle: 0 }, 96, 48, fast);
      sampleQuad(p, { ...q, angle: 1e-9 }, 96, 48, rotated);
      const worst = fast.reduce((m, v, i) => Math.max(m, Math.abs(v - rotated[i]!)), 0);
      expect(worst).toBeLessThan(1e-4);
      expect(fast.some((v) => v > 0.2)).toBe(true);
    }
  });

  it('turns heatmap peaks into boxes and keeps one of overlapping ones', () => {
    const gh = 4,
      gw = 6,
      plane = gh * gw;
    const heat = new Float32Array(plane);
    const reg = new Float32Array(4 * plane);
    heat[1 * gw + 2] = 0.9;
    heat[1 * gw + 3] = 0.5; // neighbour of the peak: not a peak
    reg[1 * gw + 2] = 0.5;
    reg[plane + 1 * gw + 2] = 0.5;
    reg[2 * plane + 1 * gw + 2] = Math.log(4);
    reg[3 * plane + 1 * gw + 2] = Math.log(2);
    const found = decodeDet(heat, reg, 0, gh, gw, 8, 0.3);
    expect(found).toHaveLength(1);
    found[0]!.box.forEach((v, i) => expect(v).toBeCloseTo([4, 4, 32, 16][i]!, 4));
    expect(boxIou([0, 0, 10, 10], [5, 0, 10, 10])).toBeCloseTo(1 / 3, 5);
  });
});

describe('platerec model', () => {
  let rec: PlateRecognizer;
  beforeAll(async () => {
    rec = await PlateRecognizer.load({ threads: 2 });
  });
  afterAll(() => rec.close());

  it('reads freshly rendered plates of every state', async () => {
    const random = rng(20260401);
    const plates = PLATE_DESIGNS.map((d) =>
      renderPlate({ state: d.state, width: 160 + Math.floor(random() * 200), seed: 900_000 + Math.floor(random() * 1e6), channels: 3 }),
    );
    const reads = await rec.read(plates.map((p) => ({ image: p.image })));
    const textOk = reads.filter((r, i) => r.text === plates[i]!.text).length;
    const stateOk = reads.filter((r, i) => r.state === plates[i]!.state).length;
    expect(reads.every((r) => r.state === null || (US_STATES as readonly string[]).includes(r.state))).toBe(true);
    expect(textOk / plates.length).toBeGreaterThanOrEqual(0.9);
    expect(stateOk / plates.length).toBeGreaterThanOrEqual(0.8);
  });

  it('reads a grey plate inside a larger image from its rectangle', async () => {
    const p = renderPlate({ state: 'TX', serial: 'KDV-4821', width: 240, seed: 4242 });
    const frame = createImage(640, 360, 1, [90, 90, 90]);
    blit(frame, toGray(p.image), 200, 100);
    const [r] = await rec.read([{ image: frame, quad: { cx: 320, cy: 160, w: 240, h: 120, angle: 0 } }]);
    expect(r!.text).toBe('KDV4821');
    expect(r!.confidence).toBeGreaterThan(0.5);
  });
});

type Box = [number, number, number, number];

function scene(seed: number): { frame: Image; plates: { text: string; state: (typeof US_STATES)[number]; box: Box }[] } {
  const random = rng(seed);
  const frame = createImage(1280, 720, 1, [70, 75, 80]);
  const plates: { text: string; state: (typeof US_STATES)[number]; box: Box }[] = [];
  for (let i = 0; i < 2; i++) {
    const d = PLATE_DESIGNS[Math.floor(random() * PLATE_DESIGNS.length)]!;
    const p = renderPlate({ state: d.state, width: 150 + Math.floor(random() * 80), seed: 700_000 + Math.floor(random() * 1e6) });
    const x = 150 + i * 600 + Math.floor(random() * 200),
      y = 250 + Math.floor(random() * 250);
    // A vehicle body around the plate.
    const v = 40 + Math.floor(random() * 150);
    blit(
      frame,
      createImage(p.image.width * 4, p.image.height * 5, 1, [v, v, v]),
      Math.round(x - p.image.width * 1.5),
      y - p.image.height * 3,
    );
    blit(frame, toGray(p.image), x, y);
    plates.push({ text: p.text, state: d.state, box: [x, y, p.image.width, p.image.height] });
  }
  return { frame, plates };
}

describe.skipIf(!hasDet)('platedet model and the own-v1 reader', () => {
  it('finds rendered plates in a frame', async () => {
    const det = await PlateDetector.load({ threads: 2 });
    try {
      let found = 0,
        total = 0;
      for (const seed of [11, 12, 13]) {
        const { frame, plates } = scene(seed);
        const [boxes = []] = await det.detect([frame]);
        for (const p of plates) {
          total++;
          if (boxes.some((b) => boxIou(b.box, p.box) >= 0.5)) found++;
        }
      }
      expect(found / total).toBeGreaterThanOrEqual(0.8);
    } finally {
      await det.close();
    }
  });

  it('reads plates in a frame end to end, and the readers are registered', async () => {
    expect(readerNames()).toEqual(expect.arrayContaining(['ppocr-v4-baseline', 'platerec-v1', 'own-v1']));
    const reader = await createReader('own-v1', { threads: 2 });
    try {
      let ok = 0,
        total = 0;
      for (const seed of [21, 22, 23]) {
        const { frame, plates } = scene(seed);
        const [res = []] = await reader.read([{ image: resize(frame, 1280, 720) }]);
        for (const p of plates) {
          total++;
          if (res.some((r) => r.text === p.text)) ok++;
        }
      }
      expect(ok / total).toBeGreaterThanOrEqual(0.6);
    } finally {
      await reader.close();
    }
  });
});

describe.skipIf(!hasDet)('the platedet-ppocr-v1 reader (own detector, PP-OCR reading)', () => {
  it('reads plates in a frame with boxes in frame pixels, and a still that is one plate', async () => {
    expect(readerNames()).toContain('platedet-ppocr-v1');
    const reader = await createReader('platedet-ppocr-v1', { threads: 2 });
    try {
      let ok = 0,
        total = 0;
      for (const seed of [21, 22, 23]) {
        const { frame, plates } = scene(seed);
        const [res = []] = await reader.read([{ image: frame }]);
        for (const p of plates) {
          total++;
          // The serial's box lies on the plate: windows map back to where the plate is.
          if (res.some((r) => r.text === p.text && boxIou(r.box, p.box) > 0.2)) ok++;
        }
      }
      expect(ok / total).toBeGreaterThanOrEqual(0.8);
      const still = renderPlate({ state: 'TX', serial: 'KDV-4821', width: 240, seed: 4242, channels: 3 });
      const [[best] = []] = await reader.read([{ image: still.image }]);
      expect(best?.text).toBe('KDV4821');
    } finally {
      await reader.close();
    }
  });

  it('confirms a tracked plate where its serial was, without searching the window for text, and reads it the full way when it disagrees', async () => {
    const reader = await createReader('platedet-ppocr-v1', { threads: 2 });
    const detect = vi.spyOn(PpOcr.prototype, 'detect');
    try {
      const { frame, plates } = scene(21);
      const [first = []] = await reader.read([{ image: frame }]);
      const target = plates.map((p) => ({ p, r: first.find((r) => r.text === p.text && r.plateBox) })).find((x) => x.r)!;
      expect(target, 'the full read finds a plate and its detector box').toBeTruthy();
      // The next frame: everything 36 px right and 24 px down, the tracked plate's state known.
      const next = createImage(frame.width, frame.height, 1, [70, 75, 80]);
      blit(next, frame, 36, 24);
      const r: PlateResult = target.r!;
      const move = (b: Box): Box => [b[0] + 36, b[1] + 24, b[2], b[3]];
      const known = (text: string) => [
        [
          {
            box: move(r.box),
            state: target.p.state,
            line: { plateBox: move(r.plateBox!), rect: { ...r.rect, cx: r.rect.cx + 36, cy: r.rect.cy + 24 }, text },
          },
        ],
      ];
      const windowsSearched = async (text: string) => {
        detect.mockClear();
        const [res = []] = await reader.read([{ image: next }], { stateKnownAt: known(text), followAt: [[]] });
        return { res, searched: detect.mock.calls.reduce((n, [items]) => n + items.length, 0) };
      };
      const confirmed = await windowsSearched(r.text);
      expect(confirmed.res.map((x) => x.text)).toContain(r.text);
      // Only the other plate's window is searched for text.
      expect(confirmed.searched).toBe(plates.length - 1);
      // A track whose text so far the placed serial does not read: the full read decides.
      const disputed = await windowsSearched('ZZZ9999');
      expect(disputed.res.map((x) => x.text)).toContain(r.text);
      expect(disputed.searched).toBe(plates.length);
    } finally {
      detect.mockRestore();
      await reader.close();
    }
  });
});

describe.skipIf(!hasDet)("the platedet-ppocr-platerec-v1 reader (PP-OCR with the own recogniser's second opinion)", () => {
  it('asks platerec about every plate PP-OCR reads in a window, in frames and in a still', async () => {
    expect(readerNames()).toContain('platedet-ppocr-platerec-v1');
    const reader = await createReader('platedet-ppocr-platerec-v1', { threads: 2 });
    const second = vi.spyOn(PlateRecognizer.prototype, 'read');
    try {
      let ok = 0,
        total = 0,
        withPlateBox = 0;
      for (const seed of [21, 22, 23]) {
        const { frame, plates } = scene(seed);
        const [res = []] = await reader.read([{ image: frame }]);
        withPlateBox += res.filter((r) => r.plateBox).length;
        for (const p of plates) {
          total++;
          if (res.some((r) => r.text === p.text && boxIou(r.box, p.box) > 0.2)) ok++;
        }
      }
      expect(ok / total).toBeGreaterThanOrEqual(0.8);
      // Each plate read in a window is read by both platerec models (duplicates among them are dropped after).
      const asked = second.mock.calls.reduce((n, [crops]) => n + crops.length, 0);
      expect(asked).toBeGreaterThanOrEqual(2 * withPlateBox);
      expect(withPlateBox).toBeGreaterThanOrEqual(ok);
      second.mockClear();
      const still = renderPlate({ state: 'TX', serial: 'KDV-4821', width: 240, seed: 4242, channels: 3 });
      const [one] = await (reader as DetectThenOcrReader).readPlates([still.image]);
      expect(second).toHaveBeenCalledTimes(2); // platerec and platerec-b
      expect(one).toMatchObject({ text: 'KDV4821' });
      expect(one!.state === null || (US_STATES as readonly string[]).includes(one!.state)).toBe(true);
    } finally {
      second.mockRestore();
      await reader.close();
    }
  });
  it("reads a county number that stands beyond an emblem, where the state's formats want it (Wyoming's 4 434R)", async () => {
    const reader = (await createReader('platedet-ppocr-platerec-v1', { threads: 2 })) as DetectThenOcrReader;
    try {
      const p = renderPlate({ state: 'WY', serial: '4   434R', width: 300, seed: 7, channels: 3 });
      // The bucking horse, a blot about a character's height wide, in the gap: the text detector boxes the county number
      // apart from the serial, as a sliver too narrow to be a line.
      const [x, y, w, h] = p.textBox;
      fillRect(
        p.image,
        Math.round(x + (w * 1.3) / 8),
        Math.round(y + h * 0.1),
        Math.round((w * 1.6) / 8),
        Math.round(h * 0.8),
        [40, 30, 20],
      );
      const [one] = await reader.readPlates([p.image]);
      expect(one).toMatchObject({ text: '4434R', state: 'WY' });
    } finally {
      await reader.close();
    }
  });
});
