import { BaselineReader } from './baseline.ts';
import { registerReader } from './reader.ts';
// The project's own models (models/platerec, models/platedet) register themselves: platerec-v1, own-v1.
import './own.ts';
// platedet finds plates, PP-OCR reads them: platedet-ppocr-v1.
import './hybrid.ts';

export { createReader, registerReader, readerNames, type PlateReader, type PlateResult, type PlacedLine, type ReadInput, type ReadOptions, type ReaderFactory } from './reader.ts';
export { BaselineReader, stateBands } from './baseline.ts';
export { PpOcr, defaultModelDir, type PpOcrOptions } from './ppocr.ts';
export { plateSyntax, stateFromText, conformToState, fitsStateFormat, textSimilarity, editDistance, type SyntaxVerdict } from './syntax.ts';
export { ctcDecode, dbBoxes, detSize, detTensor, recTensor, rectBox, mergeLines, type TextRect, type Region } from './ppocr-math.ts';

registerReader('ppocr-v4-baseline', (opts) => BaselineReader.create({ threads: opts.threads ?? 2 }));

/**
 * The model the appliance uses: the own plate detector with PP-OCRv4 reading inside each plate
 * (same eu-frames e2e as the PP-OCR baseline, better on plate crops, a third of the time per
 * frame in the pipeline; figures in the README).
 */
export const DEFAULT_READER = 'platedet-ppocr-v1';
