import sharp, { type Sharp } from 'sharp';
import type { Image } from './raster.ts';

/**
 * Still-image codecs through sharp (libvips, whose prebuilt binary installs from npm with no
 * system library): JPEG and PNG in and out. Every call is asynchronous and runs on libuv's
 * thread pool, so a camera worker's crop encoding stays off the thread that runs recognition.
 */

// Each call gets a fresh buffer, so libvips' operation cache would only hold memory in
// long-running camera workers without ever being hit.
sharp.cache(false);

function input(img: Image): Sharp {
  if (img.data.length < img.width * img.height * img.channels) {
    throw new Error(`image data too short: ${img.data.length} bytes for ${img.width}x${img.height}x${img.channels}`);
  }
  const s = sharp(img.data, { raw: { width: img.width, height: img.height, channels: img.channels } });
  // libvips writes sRGB unless told otherwise, which would spread a grey image over three components.
  return img.channels === 1 ? s.toColourspace('b-w') : s;
}

/**
 * Baseline JPEG; grey images (the camera workers' plate crops) as one-component JPEGs. Colour
 * keeps full chroma resolution: these are small crops and test scenes, where 4:2:0 would smear
 * the plate's coloured lettering.
 */
export async function encodeJpeg(img: Image, quality = 85): Promise<Buffer> {
  return input(img)
    .jpeg({ quality: Math.min(100, Math.max(1, Math.round(quality))), chromaSubsampling: '4:4:4' })
    .toBuffer();
}

/** Lossless PNG (grey or RGB): training labels and test fixtures must not carry JPEG artefacts. */
export async function encodePng(img: Image): Promise<Buffer> {
  return input(img).png().toBuffer();
}

/**
 * Decodes a JPEG or PNG (told by its signature) to 8-bit RGB, whatever it holds: grey and
 * palette images are expanded, alpha is dropped, 16-bit samples are reduced. Other formats
 * libvips could read are refused, so that `alpr read` accepts what it documents.
 */
export async function decodeImage(buf: Uint8Array): Promise<Image> {
  const jpeg = buf[0] === 0xff && buf[1] === 0xd8;
  const png = buf[0] === 0x89 && buf[1] === 0x50 && buf[2] === 0x4e && buf[3] === 0x47;
  if (!jpeg && !png) throw new Error('not a JPEG or PNG image');
  const { data, info } = await sharp(buf).toColourspace('srgb').removeAlpha().raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, channels: 3, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
}
