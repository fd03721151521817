/**
 * Minimal raster primitives on typed arrays: the plate renderer and the simulator draw with
 * these, and recognition crops and resizes with them. No canvas dependency, so the same
 * code makes training data on a headless box and frames for the simulator.
 */

/** A packed image: `channels` interleaved bytes per pixel (1 = grey, 3 = RGB), row-major. */
export interface Image {
  width: number;
  height: number;
  channels: 1 | 3;
  data: Uint8Array;
}

export type Rgb = readonly [number, number, number];

export function createImage(width: number, height: number, channels: 1 | 3 = 3, fill: Rgb = [0, 0, 0]): Image {
  const img: Image = { width, height, channels, data: new Uint8Array(width * height * channels) };
  fillRect(img, 0, 0, width, height, fill);
  return img;
}

/** ITU-R BT.601 luma: what GStreamer's videoconvert gives for GRAY8. */
export function luma(c: Rgb): number {
  return Math.round(0.299 * c[0] + 0.587 * c[1] + 0.114 * c[2]);
}

export function toGray(img: Image): Image {
  if (img.channels === 1) return img;
  const out = new Uint8Array(img.width * img.height);
  const d = img.data;
  for (let i = 0, j = 0; i < out.length; i++, j += 3) out[i] = (d[j]! * 299 + d[j + 1]! * 587 + d[j + 2]! * 114 + 500) / 1000;
  return { width: img.width, height: img.height, channels: 1, data: out };
}

export function fillRect(img: Image, x: number, y: number, w: number, h: number, c: Rgb): void {
  const x0 = Math.max(0, Math.round(x));
  const y0 = Math.max(0, Math.round(y));
  const x1 = Math.min(img.width, Math.round(x + w));
  const y1 = Math.min(img.height, Math.round(y + h));
  if (x1 <= x0 || y1 <= y0) return;
  if (img.channels === 1) {
    const v = luma(c);
    for (let yy = y0; yy < y1; yy++) img.data.fill(v, yy * img.width + x0, yy * img.width + x1);
    return;
  }
  const row = new Uint8Array((x1 - x0) * 3);
  for (let i = 0; i < row.length; i += 3) row.set(c, i);
  for (let yy = y0; yy < y1; yy++) img.data.set(row, (yy * img.width + x0) * 3);
}

/** Blends colour `c` into the image with per-pixel coverage 0..1 from `mask` (mask is w×h at x,y). */
export function blendMask(img: Image, mask: Float32Array, mw: number, mh: number, x: number, y: number, c: Rgb): void {
  const ch = img.channels;
  const g = luma(c);
  for (let my = 0; my < mh; my++) {
    const iy = y + my;
    if (iy < 0 || iy >= img.height) continue;
    for (let mx = 0; mx < mw; mx++) {
      const a = mask[my * mw + mx]!;
      if (a <= 0) continue;
      const ix = x + mx;
      if (ix < 0 || ix >= img.width) continue;
      const o = (iy * img.width + ix) * ch;
      if (ch === 1) img.data[o] = img.data[o]! + (g - img.data[o]!) * a;
      else for (let k = 0; k < 3; k++) img.data[o + k] = img.data[o + k]! + (c[k]! - img.data[o + k]!) * a;
    }
  }
}

/** Adds a thick anti-aliased segment to a coverage mask (max-combined, so joints do not darken). */
export function strokeSegment(
  mask: Float32Array,
  mw: number,
  mh: number,
  ax: number,
  ay: number,
  bx: number,
  by: number,
  width: number,
): void {
  const r = width / 2;
  const x0 = Math.max(0, Math.floor(Math.min(ax, bx) - r - 1));
  const x1 = Math.min(mw - 1, Math.ceil(Math.max(ax, bx) + r + 1));
  const y0 = Math.max(0, Math.floor(Math.min(ay, by) - r - 1));
  const y1 = Math.min(mh - 1, Math.ceil(Math.max(ay, by) + r + 1));
  const dx = bx - ax;
  const dy = by - ay;
  const len2 = dx * dx + dy * dy || 1e-9;
  for (let y = y0; y <= y1; y++) {
    const py = y + 0.5;
    for (let x = x0; x <= x1; x++) {
      const px = x + 0.5;
      const t = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / len2));
      const ex = ax + t * dx - px;
      const ey = ay + t * dy - py;
      const cov = Math.min(1, Math.max(0, r + 0.5 - Math.sqrt(ex * ex + ey * ey)));
      const i = y * mw + x;
      if (cov > mask[i]!) mask[i] = cov;
    }
  }
}

/** Bilinear resize of the region (sx, sy, sw, sh) of `src` to dw×dh; regions may leave the image (edge pixels repeat). */
export function resizeRegion(src: Image, sx: number, sy: number, sw: number, sh: number, dw: number, dh: number): Image {
  const ch = src.channels;
  const out = new Uint8Array(dw * dh * ch);
  const fx = sw / dw;
  const fy = sh / dh;
  const W = src.width;
  const H = src.height;
  const d = src.data;
  // Each column's source pixels and weight, once: they are the same on every row, and a still's
  // enlarged plate windows are resized on every read.
  const x0s = new Int32Array(dw),
    x1s = new Int32Array(dw),
    wxs = new Float64Array(dw);
  for (let x = 0; x < dw; x++) {
    const sxf = Math.min(W - 1, Math.max(0, sx + (x + 0.5) * fx - 0.5));
    x0s[x] = Math.floor(sxf);
    x1s[x] = Math.min(W - 1, x0s[x]! + 1);
    wxs[x] = sxf - x0s[x]!;
  }
  for (let y = 0; y < dh; y++) {
    const syf = Math.min(H - 1, Math.max(0, sy + (y + 0.5) * fy - 0.5));
    const y0 = Math.floor(syf);
    const y1 = Math.min(H - 1, y0 + 1);
    const wy = syf - y0;
    const r0 = y0 * W,
      r1 = y1 * W;
    for (let x = 0; x < dw; x++) {
      const x0 = x0s[x]!,
        x1 = x1s[x]!,
        wx = wxs[x]!;
      for (let k = 0; k < ch; k++) {
        const a = d[(r0 + x0) * ch + k]!;
        const b = d[(r0 + x1) * ch + k]!;
        const c = d[(r1 + x0) * ch + k]!;
        const e = d[(r1 + x1) * ch + k]!;
        out[(y * dw + x) * ch + k] = (a + (b - a) * wx) * (1 - wy) + (c + (e - c) * wx) * wy + 0.5;
      }
    }
  }
  return { width: dw, height: dh, channels: ch, data: out };
}

export function resize(src: Image, dw: number, dh: number): Image {
  return resizeRegion(src, 0, 0, src.width, src.height, dw, dh);
}

/** Copies `src` onto `dst` at (x, y), clipped; channel counts are converted (RGB→grey by luma). */
export function blit(dst: Image, src: Image, x: number, y: number): void {
  const s = src.channels === dst.channels ? src : dst.channels === 1 ? toGray(src) : grayToRgb(src);
  const ch = dst.channels;
  const x0 = Math.max(0, -x);
  const x1 = Math.min(s.width, dst.width - x);
  if (x1 <= x0) return;
  for (let yy = Math.max(0, -y); yy < Math.min(s.height, dst.height - y); yy++) {
    const from = (yy * s.width + x0) * ch;
    dst.data.set(s.data.subarray(from, from + (x1 - x0) * ch), ((y + yy) * dst.width + x + x0) * ch);
  }
}

export function grayToRgb(img: Image): Image {
  if (img.channels === 3) return img;
  const out = new Uint8Array(img.width * img.height * 3);
  for (let i = 0; i < img.width * img.height; i++) out.fill(img.data[i]!, i * 3, i * 3 + 3);
  return { width: img.width, height: img.height, channels: 3, data: out };
}

/** A deterministic PRNG (mulberry32): the simulator and training data must be reproducible from a seed. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
