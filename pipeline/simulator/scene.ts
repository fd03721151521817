import type { UsState } from '../../contracts/index.ts';
import { randomPlate, renderPlate } from '../render/plate.ts';
import { blit, createImage, fillRect, resize, rng, type Image } from '../render/raster.ts';

/**
 * A road scene seen by a fixed camera: vehicles come down the frame one after another, each
 * with a rendered plate of known text and state, growing as they approach. Frames are grey
 * (what the capture chain hands recognition) and fully determined by the spec and frame index.
 */
export interface SceneSpec {
  width: number;
  height: number;
  fps: number;
  /** Vehicles in the clip; the clip lasts passes × gapS seconds and loops. */
  passes: number;
  /** Seconds between the starts of two vehicles. */
  gapS: number;
  /** Seconds a vehicle takes to cross the frame. */
  crossS: number;
  seed: number;
  /** A parked car whose plate stays in view for the whole clip (one read expected, not one per loop). */
  parked: boolean;
  /** How the clip is encoded (H.264 when absent): cameras send either, and capture must take both. */
  codec?: 'h264' | 'h265';
}

export const DEFAULT_SCENE: SceneSpec = { width: 1280, height: 720, fps: 15, passes: 8, gapS: 3, crossS: 2.6, seed: 1, parked: false };

/** One vehicle of the clip, with the frames in which its whole plate is in view. */
export interface ScenePass {
  plate: string;
  state: UsState;
  startFrame: number;
  firstVisibleFrame: number;
  lastVisibleFrame: number;
  parked: boolean;
}

interface Vehicle {
  pass: ScenePass;
  plate: Image;
  lane: number;
  shade: number;
}

export function clipFrames(spec: SceneSpec): number {
  return Math.round(spec.passes * spec.gapS * spec.fps);
}

/** Plate top-left and width at frame `f` for a moving vehicle, or null when off screen. */
function placement(spec: SceneSpec, v: Vehicle, f: number): { x: number; y: number; w: number } | null {
  const t = (f - v.pass.startFrame) / (spec.crossS * spec.fps);
  if (t < 0 || t > 1) return null;
  const { width: W, height: H } = spec;
  const w = Math.round(W * (0.11 + 0.09 * t));
  const laneX = v.lane === 0 ? 0.33 : 0.58;
  const x = Math.round(W * (laneX + (laneX - 0.5) * 0.3 * t) - w / 2);
  const y = Math.round(-0.25 * H + t * 1.45 * H);
  return { x, y, w };
}

export class Scene {
  readonly passes: ScenePass[];
  private readonly vehicles: Vehicle[];
  private readonly background: Image;

  constructor(readonly spec: SceneSpec) {
    const random = rng(spec.seed);
    const { width: W, height: H, fps } = spec;
    const bg = createImage(W, H, 1, [96, 96, 96]);
    fillRect(bg, 0, 0, W, H * 0.08, [150, 160, 170]); // sky band
    for (let i = 0; i < 12; i++) fillRect(bg, W * 0.5 - W * 0.004, (i / 12) * H, W * 0.008, H / 24, [200, 200, 190]);
    fillRect(bg, W * 0.18, 0, W * 0.006, H, [210, 210, 210]);
    fillRect(bg, W * 0.82, 0, W * 0.006, H, [210, 210, 210]);
    this.background = bg;

    const maxPlateW = Math.round(W * 0.2);
    this.vehicles = [];
    for (let i = 0; i < spec.passes; i++) {
      const p = randomPlate(random, { width: maxPlateW, channels: 1 });
      const startFrame = Math.round(i * spec.gapS * fps);
      const v: Vehicle = {
        pass: { plate: p.text, state: p.state, startFrame, firstVisibleFrame: -1, lastVisibleFrame: -1, parked: false },
        plate: p.image,
        lane: Math.floor(random() * 2),
        shade: 30 + Math.floor(random() * 150),
      };
      const last = startFrame + Math.round(spec.crossS * fps);
      for (let f = startFrame; f <= last; f++) {
        const pl = placement(spec, v, f);
        if (!pl) continue;
        const inView = pl.y >= 0 && pl.y + pl.w / 2 <= H && pl.x >= 0 && pl.x + pl.w <= W;
        if (inView && v.pass.firstVisibleFrame < 0) v.pass.firstVisibleFrame = f;
        if (inView) v.pass.lastVisibleFrame = f;
      }
      this.vehicles.push(v);
    }
    this.passes = this.vehicles.map((v) => v.pass);

    if (spec.parked) {
      // Right of the right lane's widest vehicle, so passing traffic never hides it.
      const p = renderPlate({ state: 'FL', width: Math.round(W * 0.1), seed: spec.seed + 99, channels: 1 });
      const x = Math.round(W * 0.885),
        y = Math.round(H * 0.55);
      fillRect(this.background, x - W * 0.01, y - H * 0.2, p.image.width + W * 0.02, H * 0.33, [40, 40, 48]);
      blit(this.background, p.image, x, y);
      this.passes.push({
        plate: p.text,
        state: p.state,
        startFrame: 0,
        firstVisibleFrame: 0,
        lastVisibleFrame: clipFrames(spec) - 1,
        parked: true,
      });
    }
  }

  /** The grey frame at index `f` (0-based within the clip). */
  frame(f: number): Image {
    const img: Image = { ...this.background, data: this.background.data.slice() };
    const { width: W, height: H } = this.spec;
    for (const v of this.vehicles) {
      const pl = placement(this.spec, v, f);
      if (!pl) continue;
      const ph = Math.round(pl.w / 2);
      // Body, windscreen and bumper around the plate, so the plate is not the only edge in view.
      const bw = pl.w * 2.6,
        bh = pl.w * 2.2;
      const bx = pl.x + pl.w / 2 - bw / 2,
        by = pl.y - bh * 0.72;
      fillRect(img, bx, by, bw, bh, [v.shade, v.shade, v.shade]);
      fillRect(img, bx + bw * 0.12, by + bh * 0.05, bw * 0.76, bh * 0.3, [35, 40, 50]);
      fillRect(img, bx, pl.y + ph * 1.25, bw, ph * 0.35, [25, 25, 25]);
      if (pl.y + ph > 0 && pl.y < H && pl.x + pl.w > 0 && pl.x < W) blit(img, resize(v.plate, pl.w, ph), pl.x, pl.y);
    }
    return img;
  }
}
