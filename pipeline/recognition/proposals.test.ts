import { describe, expect, it } from 'vitest';
import type { DetectedPlate, PlateDetector } from './platedet.ts';
import { detectAtScales, MIN_READABLE_WIDTH, mergePasses, scalePlan } from './proposals.ts';

const plate = (x: number, y: number, w: number, h: number, score: number): DetectedPlate => ({ box: [x, y, w, h], score });

describe('plate proposals at several scales', () => {
  it('adds a finer pass for large frames when asked, never above their own resolution', () => {
    expect(scalePlan(1280, 512, { fine: true })).toEqual([512, 1024]);
    expect(scalePlan(1920, 512, { fine: true })).toEqual([512, 1024]);
    // 1000 px: the finer pass is the frame as it is.
    expect(scalePlan(1000, 512, { fine: true })).toEqual([512, 1000]);
    // Under 1.75x the standard side a finer pass would see the plates hardly larger.
    expect(scalePlan(800, 512, { fine: true })).toEqual([512]);
    expect(scalePlan(1280, 512)).toEqual([512]);
    expect(scalePlan(800, 512, { fine: true, coarse: true })).toEqual([512, 256]);
  });

  it('takes the finer pass box for a plate both passes found, with the best score', () => {
    // A 1280 px frame: a loose box at 512 (plate, frame and bumper) and a tight one at 1024.
    const merged = mergePasses(
      [
        { inputSide: 512, found: [plate(500, 300, 130, 70, 0.9)] },
        { inputSide: 1024, found: [plate(510, 305, 110, 56, 0.6)] },
      ],
      1280,
    );
    expect(merged).toEqual([plate(510, 305, 110, 56, 0.9)]);
  });

  it('keeps the coarser box where the finer pass sees the plate wider than it learnt', () => {
    // 300 px wide in a 1280 frame is 240 px in the 1024 input: past the trained range.
    const merged = mergePasses(
      [
        { inputSide: 512, found: [plate(400, 300, 320, 70, 0.5)] },
        { inputSide: 1024, found: [plate(405, 300, 300, 68, 0.7)] },
      ],
      1280,
    );
    expect(merged).toEqual([plate(400, 300, 320, 70, 0.7)]);
  });

  it('keeps boxes that overlap little as separate proposals, and plates only one pass found', () => {
    const merged = mergePasses(
      [
        // A long plate at 512 (whole) and a part of it at 1000 (one word).
        { inputSide: 512, found: [plate(396, 340, 203, 46, 0.4)] },
        { inputSide: 1000, found: [plate(500, 335, 86, 56, 0.5), plate(50, 600, 60, 30, 0.35)] },
      ],
      1000,
    );
    expect(merged.map((d) => d.box)).toEqual([
      [500, 335, 86, 56],
      [396, 340, 203, 46],
      [50, 600, 60, 30],
    ]);
  });

  it('keeps the detector suppression within a pass', () => {
    const merged = mergePasses([{ inputSide: 512, found: [plate(100, 100, 100, 50, 0.9), plate(105, 102, 100, 50, 0.5)] }], 1280);
    expect(merged).toEqual([plate(100, 100, 100, 50, 0.9)]);
  });

  it('runs every pass of every image in one detector call, merges them, and drops boxes too narrow to read', async () => {
    const calls: number[][] = [];
    const det = {
      meta: { stride: 8, inputWidth: 512, threshold: 0.3 },
      async detect(_images: unknown[], opts: { inputWidths?: (number | undefined)[] }) {
        calls.push(opts.inputWidths as number[]);
        // Per run: the standard pass sees a loose box, the finer one a tight box and a speck.
        return (opts.inputWidths as number[]).map((side) =>
          side === 512 ? [plate(500, 300, 130, 70, 0.8)] : [plate(510, 305, 110, 56, 0.7), plate(900, 100, 20, 10, 0.5)],
        );
      },
    } as unknown as PlateDetector;
    const frame = { width: 1280, height: 720, channels: 3 as const, data: new Uint8Array(0) };
    const small = { width: 640, height: 480, channels: 3 as const, data: new Uint8Array(0) };
    const found = await detectAtScales(det, [frame, small], { fine: true, minWidth: MIN_READABLE_WIDTH });
    expect(calls).toEqual([[512, 1024, 512]]);
    expect(found).toEqual([[plate(510, 305, 110, 56, 0.8)], [plate(500, 300, 130, 70, 0.8)]]);
  });

  it('takes from the coarser pass only plates too large for the standard one, not the surroundings of a surer plate', async () => {
    const det = {
      meta: { stride: 8, inputWidth: 512, threshold: 0.3 },
      async detect(_images: unknown[], opts: { inputWidths?: (number | undefined)[] }) {
        return (opts.inputWidths as number[]).map((side) =>
          side === 512
            ? // A close-up's plate in two halves; a small plate elsewhere, found surely.
              [plate(280, 310, 150, 90, 0.5), plate(370, 290, 150, 110, 0.4), plate(600, 450, 60, 30, 0.9)]
            : // The whole close-up plate; a car's rear around the small plate, less surely; a small box.
              [plate(260, 290, 250, 150, 0.9), plate(520, 400, 240, 120, 0.4), plate(100, 100, 80, 40, 0.6)],
        );
      },
    } as unknown as PlateDetector;
    const still = { width: 800, height: 600, channels: 3 as const, data: new Uint8Array(0) };
    const [found] = await detectAtScales(det, [still], { fine: true, coarse: true });
    expect(found!.map((d) => d.box)).toEqual([
      [600, 450, 60, 30],
      [260, 290, 250, 150],
      [280, 310, 150, 90],
      [370, 290, 150, 110],
    ]);
  });
});
