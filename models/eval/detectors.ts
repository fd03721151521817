import { plateAroundLine, PpOcr, rectBox } from '../../pipeline/recognition/index.ts';
import type { Image } from '../../pipeline/render/index.ts';

/** Plate boxes ([x, y, w, h] in image pixels) from one frame: what `eval detect` scores. */
export interface PlateBoxes {
  detect(image: Image): Promise<[number, number, number, number][]>;
  close(): Promise<void>;
}

/**
 * `ppocr`: the baseline's PP-OCRv4 text detector, each text line widened to the plate around
 * it as platerec-v1 does. `platedet`: the project's own plate detector (models/platedet) as the
 * default reader runs it on a still; `platedet-512`: its one standard pass.
 */
export async function detectorFor(name: string, threads: number): Promise<PlateBoxes> {
  if (name === 'ppocr') {
    const ocr = await PpOcr.load({ threads });
    return {
      async detect(image) {
        const [rects = []] = await ocr.detect([{ image }], 960);
        return rects.filter((r) => r.w >= r.h * 1.2 && r.h >= 6).map((r) => rectBox({ ...plateAroundLine(r), score: r.score }));
      },
      close: () => ocr.close(),
    };
  }
  if (name === 'ppocr-lines') {
    const ocr = await PpOcr.load({ threads });
    return {
      async detect(image) {
        const [rects = []] = await ocr.detect([{ image }], 960);
        return rects.map((r) => rectBox(r));
      },
      close: () => ocr.close(),
    };
  }
  if (name === 'platedet' || name === 'platedet-512') {
    const { PlateDetector, detectAtScales, MIN_READABLE_WIDTH, STILL_THRESHOLD } = await import('../../pipeline/recognition/index.ts');
    const det = await PlateDetector.load({ threads });
    // `platedet`: the detection stage of the default reader on a still (every scale it runs,
    // merged); `platedet-512`: the detector's one standard pass, as video frames get it.
    const multi = name === 'platedet';
    return {
      async detect(image) {
        const [found = []] = await detectAtScales(
          det,
          [image],
          multi ? { fine: true, coarse: true, minWidth: MIN_READABLE_WIDTH, threshold: STILL_THRESHOLD } : {},
        );
        return found.map((b) => b.box);
      },
      close: () => det.close(),
    };
  }
  throw new Error(`unknown detector "${name}" (ppocr, ppocr-lines, platedet, platedet-512)`);
}
