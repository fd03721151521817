import { deflateSync, inflateSync } from 'node:zlib';
import jpeg from 'jpeg-js';
import type { Image } from './raster.ts';
import { encodeGreyJpeg } from './jpeg-grey.ts';

/**
 * Still-image codecs: JPEG through jpeg-js, PNG by hand on node:zlib (8-bit, non-interlaced,
 * which covers what cameras and screenshots produce), so `alpr read` needs no native image library.
 */

function toRgba(img: Image): Uint8Array {
  const n = img.width * img.height;
  const out = new Uint8Array(n * 4);
  const d = img.data;
  for (let i = 0; i < n; i++) {
    if (img.channels === 1) out[i * 4] = out[i * 4 + 1] = out[i * 4 + 2] = d[i]!;
    else {
      out[i * 4] = d[i * 3]!;
      out[i * 4 + 1] = d[i * 3 + 1]!;
      out[i * 4 + 2] = d[i * 3 + 2]!;
    }
    out[i * 4 + 3] = 255;
  }
  return out;
}

function fromRgba(data: Uint8Array, width: number, height: number): Image {
  const out = new Uint8Array(width * height * 3);
  for (let i = 0, j = 0; j < out.length; i += 4, j += 3) {
    out[j] = data[i]!;
    out[j + 1] = data[i + 1]!;
    out[j + 2] = data[i + 2]!;
  }
  return { width, height, channels: 3, data: out };
}

export function encodeJpeg(img: Image, quality = 85): Buffer {
  // Grey images (the camera workers' plate crops) as one-component JPEGs, ten times faster.
  if (img.channels === 1) return encodeGreyJpeg(img.data, img.width, img.height, quality);
  return Buffer.from(jpeg.encode({ data: toRgba(img), width: img.width, height: img.height }, quality).data);
}

export function decodeJpeg(buf: Uint8Array): Image {
  const raw = jpeg.decode(buf, { useTArray: true, formatAsRGBA: true, maxMemoryUsageInMB: 1024 });
  return fromRgba(raw.data, raw.width, raw.height);
}

const PNG_SIG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

export function decodePng(buf: Buffer): Image {
  if (!PNG_SIG.every((b, i) => buf[i] === b)) throw new Error('not a PNG file');
  let pos = 8;
  let width = 0, height = 0, depth = 0, colorType = 0, interlace = 0;
  let palette: Buffer | null = null;
  const idat: Buffer[] = [];
  while (pos + 8 <= buf.length) {
    const len = buf.readUInt32BE(pos);
    const type = buf.toString('latin1', pos + 4, pos + 8);
    const body = buf.subarray(pos + 8, pos + 8 + len);
    if (type === 'IHDR') {
      width = body.readUInt32BE(0);
      height = body.readUInt32BE(4);
      depth = body[8]!;
      colorType = body[9]!;
      interlace = body[12]!;
    } else if (type === 'PLTE') palette = Buffer.from(body);
    else if (type === 'IDAT') idat.push(body);
    else if (type === 'IEND') break;
    pos += 12 + len;
  }
  if (depth !== 8 || interlace !== 0) throw new Error(`unsupported PNG (bit depth ${depth}, interlace ${interlace}): convert it to 8-bit non-interlaced or JPEG`);
  const bpp = ({ 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 } as Record<number, number>)[colorType];
  if (!bpp) throw new Error(`unsupported PNG colour type ${colorType}`);
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * bpp;
  const px = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const f = raw[y * (stride + 1)]!;
    const src = y * (stride + 1) + 1;
    const row = y * stride;
    for (let x = 0; x < stride; x++) {
      const a = x >= bpp ? px[row + x - bpp]! : 0;
      const b = y > 0 ? px[row - stride + x]! : 0;
      const c = x >= bpp && y > 0 ? px[row - stride + x - bpp]! : 0;
      let p = raw[src + x]!;
      if (f === 1) p += a;
      else if (f === 2) p += b;
      else if (f === 3) p += (a + b) >> 1;
      else if (f === 4) {
        const pa = Math.abs(b - c), pb = Math.abs(a - c), pc = Math.abs(a + b - 2 * c);
        p += pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      }
      px[row + x] = p & 255;
    }
  }
  const out = new Uint8Array(width * height * 3);
  for (let i = 0; i < width * height; i++) {
    const s = i * bpp;
    if (colorType === 3) {
      const k = px[s]! * 3;
      out.set([palette?.[k] ?? 0, palette?.[k + 1] ?? 0, palette?.[k + 2] ?? 0], i * 3);
    } else if (colorType === 0 || colorType === 4) out.fill(px[s]!, i * 3, i * 3 + 3);
    else out.set(px.subarray(s, s + 3), i * 3);
  }
  return { width, height, channels: 3, data: out };
}

/** Decodes a JPEG or PNG by its signature. */
export function decodeImage(buf: Buffer): Image {
  if (buf[0] === 0xff && buf[1] === 0xd8) return decodeJpeg(buf);
  if (buf[0] === 0x89 && buf[1] === 0x50) return decodePng(buf);
  throw new Error('not a JPEG or PNG image');
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(buf: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 255]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, body: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(body.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), body])), 0);
  return Buffer.concat([head, body, crc]);
}

/** Lossless PNG (grey or RGB): training labels and test fixtures must not carry JPEG artefacts. */
export function encodePng(img: Image): Buffer {
  const stride = img.width * img.channels;
  const raw = Buffer.alloc((stride + 1) * img.height);
  for (let y = 0; y < img.height; y++) raw.set(img.data.subarray(y * stride, (y + 1) * stride), y * (stride + 1) + 1);
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(img.width, 0);
  ihdr.writeUInt32BE(img.height, 4);
  ihdr[8] = 8;
  ihdr[9] = img.channels === 1 ? 0 : 2;
  return Buffer.concat([Buffer.from(PNG_SIG), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', new Uint8Array(0))]);
}
