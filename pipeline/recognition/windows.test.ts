import { describe, expect, it } from 'vitest';
import {
  PLACED_REACH,
  assignFollowed,
  besidePlate,
  cropImage,
  dedupeResults,
  mergeWindows,
  placeLine,
  recogniserView,
  plateWindow,
  regionInputWidth,
} from './windows.ts';
import { isCut } from './ppocr-math.ts';
import { joinRows, timestampOverlay } from './lines.ts';
import type { PlateResult } from './reader.ts';

const result = (text: string, box: [number, number, number, number], confidence: number): PlateResult => ({
  text,
  confidence,
  box,
  rect: { cx: box[0] + box[2] / 2, cy: box[1] + box[3] / 2, w: box[2], h: box[3], angle: 0, score: confidence },
  state: null,
  stateConfidence: 0,
});

describe('platedet-ppocr windows', () => {
  it('detects in a region at the scale of the whole frame', () => {
    const image = { width: 1920, height: 1080, channels: 1 as const, data: new Uint8Array(0) };
    expect(regionInputWidth(512, { image })).toBe(512);
    // 1100 px of a 1920 px frame: 293 px, as those 1100 px are in the 512 px whole-frame input.
    expect(regionInputWidth(512, { image, region: { x: 400, y: 0, w: 1100, h: 1000 } })).toBe(293);
    expect(regionInputWidth(512, { image, region: { x: 0, y: 0, w: 40, h: 30 } })).toBe(32);
  });
  it('tells a plate cut by the frame edge from one wholly in view', () => {
    expect(isCut([500, 1, 200, 40], 1920, 1080, 3)).toBe(true);
    expect(isCut([0, 500, 200, 40], 1920, 1080, 3)).toBe(true);
    expect(isCut([1720, 500, 199, 40], 1920, 1080, 3)).toBe(true);
    expect(isCut([500, 1040, 200, 39], 1920, 1080, 3)).toBe(true);
    expect(isCut([500, 10, 200, 40], 1920, 1080, 3)).toBe(false);
    expect(isCut([1700, 1000, 200, 40], 1920, 1080, 3)).toBe(false);
  });
  it('widens a plate box for the state name and a stray character, inside the frame', () => {
    // A 100x50 plate: 40 px each side (0.4 w), 30 px above and below (0.6 h).
    expect(plateWindow([200, 100, 100, 50], 1920, 1080)).toEqual({ x: 160, y: 70, w: 180, h: 110 });
    // At the frame's corner the window is clipped, never negative or past the edge.
    const w = plateWindow([-5, 1060, 60, 30], 640, 1080);
    expect(w.x).toBe(0);
    expect(w.y + w.h).toBe(1080);
    expect(w.w).toBeGreaterThan(0);
  });

  it('reads a long plate split in two by the detector as one window', () => {
    const merged = mergeWindows([
      { x: 150, y: 160, w: 120, h: 60 },
      { x: 80, y: 165, w: 110, h: 60 },
      { x: 600, y: 400, w: 100, h: 50 },
    ]);
    expect(merged).toEqual([
      { x: 80, y: 160, w: 190, h: 65 },
      { x: 600, y: 400, w: 100, h: 50 },
    ]);
    // Chains merge too: a overlaps b, b overlaps c, a does not overlap c.
    expect(
      mergeWindows([
        { x: 0, y: 0, w: 10, h: 10 },
        { x: 20, y: 0, w: 10, h: 10 },
        { x: 8, y: 0, w: 14, h: 10 },
      ]),
    ).toEqual([{ x: 0, y: 0, w: 30, h: 10 }]);
  });

  it('copies a window of a grey or RGB image', () => {
    const grey = { width: 4, height: 3, channels: 1 as const, data: Uint8Array.from({ length: 12 }, (_, i) => i) };
    expect([...cropImage(grey, { x: 1, y: 1, w: 2, h: 2 }).data]).toEqual([5, 6, 9, 10]);
    const rgb = { width: 2, height: 2, channels: 3 as const, data: Uint8Array.from({ length: 12 }, (_, i) => i) };
    const c = cropImage(rgb, { x: 1, y: 0, w: 1, h: 2 });
    expect([c.width, c.height, c.channels]).toEqual([1, 2, 3]);
    expect([...c.data]).toEqual([3, 4, 5, 9, 10, 11]);
  });

  it('keeps the best of reads of one plate from overlapping windows, and plates apart', () => {
    const kept = dedupeResults([
      result('WAGEN', [168, 266, 113, 22], 0.8),
      result('GWAGEN', [142, 262, 134, 26], 0.9),
      result('ABC1234', [600, 400, 100, 30], 0.5),
    ]);
    expect(kept.map((r) => r.text)).toEqual(['GWAGEN', 'ABC1234']);
    // Two windows' reads of one plate: the one both recognisers agreed on, though less sure; the rest, most confident first.
    const tight = result('UG9L8L', [329, 290, 73, 29], 0.904),
      whole = result('UG9L8U', [329, 289, 82, 33], 0.898),
      other = result('ABC1234', [600, 400, 100, 30], 0.95);
    expect(dedupeResults([tight, whole, other], [false, true, false]).map((r) => r.text)).toEqual(['ABC1234', 'UG9L8U']);
    expect(dedupeResults([tight, whole, other]).map((r) => r.text)).toEqual(['ABC1234', 'UG9L8L']);
  });

  it("frames the recognisers' view as a plate around the serial where the detector's box is far wider than it", () => {
    const line = { cx: 200, cy: 100, w: 80, h: 24, angle: 0.02, score: 0.9 };
    // A 2:1 box keeps its view.
    expect(recogniserView([150, 75, 100, 50], line)).toEqual({ cx: 200, cy: 100, w: 100, h: 50, angle: 0 });
    // A 4.2:1 box around plate and frame, the serial a third of it: a 2:1 plate around the serial.
    expect(recogniserView([75, 85, 250, 60], line)).toEqual({ cx: 200, cy: 100, w: 100, h: 50, angle: 0.02 });
    // A wide box the serial fills (a European plate): its own view, which the second opinion does not weigh.
    expect(recogniserView([150, 88, 105, 22], { ...line, w: 95 })).toEqual({ cx: 202.5, cy: 99, w: 105, h: 22, angle: 0 });
  });

  it('tells a serial on its plate from text beside it in the window', () => {
    const box: [number, number, number, number] = [712, 163, 128, 28];
    // A serial a little off the box's middle, or reaching past its side: on the plate.
    expect(besidePlate(box, 776, 177)).toBe(false);
    expect(besidePlate(box, 830, 185)).toBe(false);
    expect(besidePlate(box, 700, 180)).toBe(false);
    // A phone number painted under the plate, its middle a box's height below it; a name far to its side.
    expect(besidePlate(box, 762, 220)).toBe(true);
    expect(besidePlate(box, 920, 177)).toBe(true);
  });

  it('tells a detection of a followed plate from a new plate beside it', () => {
    // Followed serial expected at 400..600 x 300..350; the detector's plate box is larger and
    // centred on the same point; a plate on the next lane is not it.
    const follows = [{ box: [400, 300, 200, 50] as [number, number, number, number], text: 'ABC1234' }];
    const one = (box: [number, number, number, number]) => assignFollowed([box], follows)[0];
    expect(one([380, 270, 240, 110])?.text).toBe('ABC1234');
    expect(one([700, 270, 240, 110])).toBeUndefined();
    expect(one([380, 420, 240, 110])).toBeUndefined();
  });

  it('pairs a placed serial with its plate over a track-length jump, where a followed one is not', () => {
    // A passing plate's second sighting, 400 ms later: 5 heights lower (the track has no velocity yet).
    const known = [{ box: [400, 300, 160, 40] as [number, number, number, number], text: 'ABC1234' }];
    const later: [number, number, number, number] = [405, 500, 165, 42];
    expect(assignFollowed([later], known)[0]).toBeUndefined();
    expect(assignFollowed([later], known, PLACED_REACH)[0]?.text).toBe('ABC1234');
    // Nearest first still: the plate in the next lane keeps its own read, one beyond the reach too.
    expect(assignFollowed([[700, 320, 160, 40], later], known, PLACED_REACH).map((f) => f?.text)).toEqual([undefined, 'ABC1234']);
    expect(assignFollowed([[405, 720, 160, 40]], known, PLACED_REACH)[0]).toBeUndefined();
  });

  it('gives each followed plate one detection, the nearest, and reads the rest', () => {
    const follows = [
      { box: [400, 300, 200, 50] as [number, number, number, number], text: 'ABC1234' },
      { box: [1200, 600, 200, 50] as [number, number, number, number], text: 'XYZ987' },
    ];
    const got = assignFollowed(
      [
        [395, 330, 200, 50],
        [390, 290, 210, 55],
        [800, 300, 200, 50],
        [1210, 640, 200, 50],
      ],
      follows,
    );
    expect(got.map((f) => (f === undefined ? 'read' : f.text))).toEqual(['read', 'ABC1234', 'read', 'XYZ987']);
  });

  it('joins serial lines on one row of a window across a gap like an emblem, not lines of other rows or windows or far apart', () => {
    const line = (input: number, cx: number, cy: number, w: number, h: number) => ({ input, rect: { cx, cy, w, h, angle: 0, score: 0.9 } });
    const joined = joinRows([
      line(0, 40, 50, 40, 30),
      line(0, 160, 52, 120, 32),
      line(0, 100, 120, 150, 30),
      line(1, 40, 50, 40, 30),
      // The same row, but a fleet number five heights on: not part of the serial.
      line(0, 420, 51, 120, 30),
    ]);
    expect(joined).toHaveLength(4);
    expect(joined[0]).toEqual({ input: 0, rect: { cx: 120, cy: 51.5, w: 200, h: 33, angle: 0, score: 0.9 } });
    expect(joined.map((l) => l.input)).toEqual([0, 0, 1, 0]);
  });

  it("takes a camera's timestamp and the lines stacked on it or running on from it for an overlay, not a plate beside it", () => {
    const line = (text: string, cx: number, cy: number, w: number, h = 28, input = 0) => ({
      input,
      text,
      rect: { cx, cy, w, h, angle: 0, score: 0.9 },
    });
    // A corner overlay in one window: the date over the time, the time's colons lost ("09:54:05" read "03854").
    const date = line('2014-05', 160, 80, 124),
      time = line('03854', 180, 107, 78, 20),
      runOn = line('09', 250, 81, 24),
      plate = line('ABC1234', 200, 260, 180, 60),
      otherWindow = line('03854', 180, 107, 78, 20, 1);
    const overlay = timestampOverlay([date, time, runOn, plate, otherWindow]);
    expect([...overlay]).toEqual([date, time, runOn]);
    expect(timestampOverlay([time, plate])).toEqual(new Set());
  });

  it('places a tracked serial on the new box of its plate with the layout it had on the old one', () => {
    // Last frame: plate box 200x100 at (100, 100), serial 120x40 centred 10 px below the box's centre.
    const line = {
      plateBox: [100, 100, 200, 100] as [number, number, number, number],
      rect: { cx: 200, cy: 160, w: 120, h: 40, angle: 0.05, score: 0.9 },
      text: 'ABC1234',
    };
    // Now the plate is 1.5 times as large and elsewhere: the serial scales and moves with it.
    expect(placeLine([400, 300, 300, 150], line)).toEqual({ cx: 550, cy: 390, w: 180, h: 60, angle: 0.05, score: 0.9 });
    expect(placeLine([100, 100, 200, 100], line)).toMatchObject({ cx: 200, cy: 160, w: 120, h: 40 });
  });
});
