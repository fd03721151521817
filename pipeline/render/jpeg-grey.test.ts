import { describe, expect, it } from 'vitest';
import { decodeJpeg } from './codec.ts';
import { encodeGreyJpeg } from './jpeg-grey.ts';

/** A grey test picture with edges, gradients and noise (what plate crops have). */
function picture(w: number, h: number): Uint8Array {
  const d = new Uint8Array(w * h);
  let s = 12345;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      s = (s * 1103515245 + 12345) >>> 0;
      const base = (x * 255) / w * 0.5 + (y * 255) / h * 0.3;
      const bar = ((x >> 3) + (y >> 4)) % 3 === 0 ? 60 : 0;
      d[y * w + x] = Math.min(255, Math.max(0, Math.round(base + bar + ((s >>> 24) % 16) - 8)));
    }
  }
  return d;
}

function psnr(a: Uint8Array, b: Image1): number {
  let se = 0;
  for (let i = 0; i < a.length; i++) se += (a[i]! - b.at(i)) ** 2;
  return 10 * Math.log10((255 * 255) / (se / a.length));
}
interface Image1 { at(i: number): number }

describe('encodeGreyJpeg', () => {
  for (const [w, h] of [[400, 270], [37, 19], [1, 1], [8, 8]] as const) {
    it(`encodes ${w}x${h} so that a standard decoder gives the picture back`, () => {
      const px = picture(w, h);
      const jpg = encodeGreyJpeg(px, w, h, 85);
      expect([jpg[0], jpg[1], jpg.at(-2), jpg.at(-1)]).toEqual([0xff, 0xd8, 0xff, 0xd9]);
      const back = decodeJpeg(jpg);
      expect([back.width, back.height]).toEqual([w, h]);
      // decodeJpeg gives RGB or grey; a grey JPEG decodes to equal channels.
      const at = (i: number) => back.data[i * back.channels]!;
      expect(psnr(px, { at })).toBeGreaterThan(30);
    });
  }

  it('trades size for quality', () => {
    const px = picture(200, 100);
    expect(encodeGreyJpeg(px, 200, 100, 30).length).toBeLessThan(encodeGreyJpeg(px, 200, 100, 95).length);
  });

  it('refuses a size it cannot write and data too short for the size', () => {
    expect(() => encodeGreyJpeg(new Uint8Array(0), 0, 10)).toThrow(/cannot encode/);
    expect(() => encodeGreyJpeg(new Uint8Array(10), 10, 10)).toThrow(/too short/);
  });
});
