/**
 * `npm run bench -- codecs [--runs 40]`: the still-image codecs (pipeline/render/codec.ts, sharp)
 * on a 1280x720 scene with plates and sensor-like noise:
 *  - decoding its JPEG to RGB (what `alpr read` and the evaluations do), and on to grey;
 *  - encoding a 400x270 grey plate crop at quality 80 (what a camera worker does for every read),
 *    with the time the calling thread is held: the encoding itself runs on libuv's pool, and the
 *    camera worker's main thread runs recognition meanwhile;
 *  - PNG encoding and decoding of the RGB scene (training labels, test fixtures).
 * Run it on one core (`taskset -c 0`, UV_THREADPOOL_SIZE=1) to compare machines.
 */
import {
  blit,
  createImage,
  decodeImage,
  encodeJpeg,
  encodePng,
  renderPlate,
  resizeRegion,
  rng,
  toGray,
  type Image,
} from '../../pipeline/render/index.ts';
import { numericFlags, percentile, round } from './_args.ts';

function scene(): Image {
  const random = rng(7);
  const img = createImage(1280, 720, 3, [96, 100, 108]);
  for (let i = 0; i < img.data.length; i++) img.data[i] = Math.max(0, Math.min(255, img.data[i]! + Math.floor(random() * 12) - 6));
  for (const [i, state] of (['FL', 'TX', 'CA'] as const).entries()) {
    const p = renderPlate({ state, width: 200 + i * 60, seed: 40 + i });
    blit(img, p.image, 120 + i * 380, 300 + (i % 2) * 140);
  }
  return img;
}

export async function run(argv: string[]): Promise<Record<string, unknown>> {
  const f = numericFlags(argv, { runs: 40 });
  const img = scene();
  const jpg = await encodeJpeg(img, 90);
  const png = await encodePng(img);
  const crop = resizeRegion(toGray(img), 100, 280, 400, 270, 400, 270);

  const timeIt = async (fn: () => Promise<unknown>) => {
    for (let i = 0; i < 5; i++) await fn();
    const ms: number[] = [];
    const held: number[] = [];
    const c0 = process.cpuUsage();
    for (let i = 0; i < f.runs; i++) {
      const t0 = performance.now();
      const p = fn();
      held.push(performance.now() - t0);
      await p;
      ms.push(performance.now() - t0);
    }
    const c = process.cpuUsage(c0);
    return {
      p50Ms: round(percentile(ms, 50), 2),
      cpuMs: round((c.user + c.system) / 1000 / f.runs, 2),
      callerHeldP50Ms: round(percentile(held, 50), 3),
    };
  };

  return {
    bench: 'codecs',
    runs: f.runs,
    jpegBytes: jpg.length,
    decodeJpeg1280x720: await timeIt(() => decodeImage(jpg)),
    decodeJpeg1280x720ToGrey: await timeIt(async () => toGray(await decodeImage(jpg))),
    encodeGreyCrop400x270Q80: await timeIt(() => encodeJpeg(crop, 80)),
    encodePng1280x720: await timeIt(() => encodePng(img)),
    decodePng1280x720: await timeIt(() => decodeImage(png)),
  };
}
