import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { decodeImage, encodeJpeg, encodePng } from './codec.ts';
import { renderPlate } from './plate.ts';
import type { Image } from './raster.ts';

/** A grey test picture with edges, gradients and noise (what plate crops have). */
function picture(w: number, h: number): Image {
  const d = new Uint8Array(w * h);
  let s = 12345;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      s = (s * 1103515245 + 12345) >>> 0;
      const base = ((x * 255) / w) * 0.5 + ((y * 255) / h) * 0.3;
      const bar = ((x >> 3) + (y >> 4)) % 3 === 0 ? 60 : 0;
      d[y * w + x] = Math.min(255, Math.max(0, Math.round(base + bar + ((s >>> 24) % 16) - 8)));
    }
  }
  return { width: w, height: h, channels: 1, data: d };
}

/** PSNR of a decoded (RGB) image against a grey original: a grey JPEG decodes to equal channels. */
function psnr(grey: Image, back: Image): number {
  let se = 0;
  for (let i = 0; i < grey.data.length; i++) se += (grey.data[i]! - back.data[i * back.channels]!) ** 2;
  return 10 * Math.log10((255 * 255) / (se / grey.data.length));
}

const components = async (jpg: Buffer) => (await sharp(jpg).metadata()).channels;

describe('JPEG', () => {
  for (const [w, h] of [
    [400, 270],
    [37, 19],
    [1, 1],
    [8, 8],
  ] as const) {
    it(`encodes a ${w}x${h} grey crop as a one-component JPEG that decodes back to the picture`, async () => {
      const px = picture(w, h);
      const jpg = await encodeJpeg(px, 85);
      expect([jpg[0], jpg[1], jpg.at(-2), jpg.at(-1)]).toEqual([0xff, 0xd8, 0xff, 0xd9]);
      expect(await components(jpg)).toBe(1);
      const back = await decodeImage(jpg);
      expect([back.width, back.height, back.channels]).toEqual([w, h, 3]);
      expect(psnr(px, back)).toBeGreaterThan(30);
    });
  }

  it('trades size for quality', async () => {
    const px = picture(200, 100);
    expect((await encodeJpeg(px, 30)).length).toBeLessThan((await encodeJpeg(px, 95)).length);
  });

  it('round-trips a colour plate approximately', async () => {
    const p = renderPlate({ state: 'TX', width: 120 });
    const jpg = await decodeImage(await encodeJpeg(p.image, 95));
    expect([jpg.width, jpg.height]).toEqual([120, p.image.height]);
    let diff = 0;
    for (let i = 0; i < jpg.data.length; i++) diff += Math.abs(jpg.data[i]! - p.image.data[i]!);
    expect(diff / jpg.data.length).toBeLessThan(8);
  });

  it('refuses data too short for the size and a size it cannot write', async () => {
    await expect(encodeJpeg({ width: 10, height: 10, channels: 1, data: new Uint8Array(10) })).rejects.toThrow(/too short/);
    await expect(encodeJpeg({ width: 0, height: 10, channels: 1, data: new Uint8Array(10) })).rejects.toThrow();
  });
});

describe('PNG', () => {
  it('round-trips colour and grey exactly', async () => {
    const p = renderPlate({ state: 'TX', width: 120 });
    const png = await decodeImage(await encodePng(p.image));
    expect(Buffer.from(png.data).equals(Buffer.from(p.image.data))).toBe(true);
    const grey = picture(37, 19);
    const encoded = await encodePng(grey);
    expect(await components(encoded)).toBe(1);
    const back = await decodeImage(encoded);
    expect(Array.from({ length: grey.data.length }, (_, i) => back.data[i * 3]!)).toEqual(Array.from(grey.data));
  });

  it('decodes palette, alpha and 16-bit images to 8-bit RGB', async () => {
    const solid = (channels: 3 | 4) =>
      sharp({ create: { width: 3, height: 2, channels, background: { r: 10, g: 200, b: 30, alpha: 0.5 } } });
    for (const png of [
      await solid(3).png({ palette: true }).toBuffer(),
      await solid(4).png().toBuffer(),
      await solid(3).toColourspace('rgb16').png().toBuffer(),
    ]) {
      const img = await decodeImage(png);
      expect([img.width, img.height, img.channels]).toEqual([3, 2, 3]);
      expect(Array.from(img.data.subarray(0, 3))).toEqual([10, 200, 30]);
    }
  });
});

describe('decodeImage', () => {
  it('refuses what is not a JPEG or PNG, and a truncated JPEG', async () => {
    await expect(decodeImage(Buffer.from('hello'))).rejects.toThrow(/not a JPEG or PNG/);
    const gif = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');
    await expect(decodeImage(gif)).rejects.toThrow(/not a JPEG or PNG/);
    const jpg = await encodeJpeg(picture(64, 32), 85);
    await expect(decodeImage(jpg.subarray(0, 40))).rejects.toThrow();
  });
});
