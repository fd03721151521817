import { DEFAULT_PLATE_READER } from '../../contracts/index.ts';
import { BaselineReader } from './baseline.ts';
import { registerReader } from './reader.ts';
// The project's own models (models/platerec, models/platedet) register themselves: platerec-v1, own-v1.
import './own.ts';
// platedet finds plates, PP-OCR reads them: platedet-ppocr-v1; with platerec's second opinion: platedet-ppocr-platerec-v1.
import './hybrid.ts';

export {
  createReader,
  registerReader,
  readerNames,
  type PlateReader,
  type PlateResult,
  type PlacedLine,
  type ReadInput,
  type ReadOptions,
  type ReaderFactory,
} from './reader.ts';
export { BaselineReader } from './baseline.ts';
export { stateBands } from './lines.ts';
export { PpOcr, defaultModelDir, type PpOcrOptions } from './ppocr.ts';
export { plateAroundLine } from './own.ts';
export { PlateDetector } from './platedet.ts';
export { detectAtScales, MIN_READABLE_WIDTH, mergePasses, STILL_THRESHOLD, scalePlan, type ScalePass } from './proposals.ts';
export { plateSyntax, stateFromText, type SyntaxVerdict } from './syntax.ts';
export { ctcDecode, dbBoxes, detSize, detTensor, recTensor, rectBox, mergeLines, type TextRect, type Region } from './ppocr-math.ts';

registerReader('ppocr-v4-baseline', (opts) => BaselineReader.create({ threads: opts.threads ?? 2 }));

/**
 * The model the appliance uses unless recognition.reader says otherwise (the configuration
 * accepts the names in contracts' PLATE_READERS): the own plate detector with PP-OCRv4 reading
 * inside each plate and the own recogniser's second opinion on each (more plates read exactly
 * on us-crops, the same on eu-frames, ~1.5 ms a plate more; figures in docs/models.md). `platedet-ppocr-v1` is the
 * same without the second opinion, `ppocr-v4-baseline` the baseline.
 */
export const DEFAULT_READER = DEFAULT_PLATE_READER;
